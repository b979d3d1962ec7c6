// libFuzzer entry point for the parsers of the mapping language: expressions
// (Sources/Datasets/Mapping/ExpressionParser.swift, evaluated by Expression.swift), time formats
// and zones (Sources/Datasets/Mapping/TimeFormat.swift). Built and run by scripts/fuzz/libfuzzer.sh
// with TARGET=MappingFuzz.
//
// An input is an expression, unless its first byte is `#` (then its first line is a time format
// and each further line a value to read with it) or `@` (a zone, and values read as ISO times in
// it); neither byte can start an expression. Beyond crashes and sanitizer reports, a failed `check`
// is a finding:
// - expressions: an error has a non-empty message on one printable line, at most 200 characters,
//   and an offset inside the text; a parsed expression is within the documented limits (its text
//   at most Expression.maximumLength characters, its tree at most Expression.maximumDepth deep),
//   its `columns` are the same twice, without repeats, and cover every column `evaluate` reads,
//   `evaluate` gives the same value twice over several rows, and the expression written back as
//   text (operands parenthesized, names backquoted) parses to the same tree when it is at most half
//   the depth limit deep (parentheses count as levels too) and fits the length limit (and no name
//   or text starts with a combining mark that would merge with a quote);
// - time formats: a format reads back from its description; a value reads or fails in every zone
//   alike, the zone shifting it only when it has a time of day and no written offset; `date`
//   agrees with `auto`; results stay within years 0 to 9999 (epoch formats: 1e14 seconds);
// - zones: a zone reads back from its description, and moves a local time by at most a day.

import Datasets
import FuzzDriver
import TableIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        let text = Array("MappingFuzz: check failed: \(Console.printable(message()))\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

func shown(_ text: String) -> String { String(text.prefix(80)).debugDescription }

// MARK: - Expressions

/// The depth of a tree as the parser counts it: 0 for a term, one more per node above.
func depth(_ expression: Expression) -> Int {
    switch expression {
    case .column, .literal: return 0
    case .negate(let inner), .not(let inner), .isNull(let inner, _): return depth(inner) + 1
    case .binary(_, let left, let right): return max(depth(left), depth(right)) + 1
    case .inList(let inner, let list, _): return ([inner] + list).map(depth).max()! + 1
    case .call(_, let arguments): return (arguments.map(depth).max() ?? 0) + 1
    }
}

/// `text` between quotes (a quote inside doubled), when the quotes stay characters of their own:
/// a text that starts with a combining mark would merge with the opening quote.
func quoted(_ text: String, _ quote: Character) -> String? {
    let result = String(quote) + String(text.flatMap { $0 == quote ? [quote, quote] : [$0] }) + String(quote)
    guard result.first == quote, result.last == quote, ("(" + result + ")").count == result.count + 2 else { return nil }
    return result
}

/// The expression as text that reads back to it, or nil when a name or text cannot be written
/// apart from its neighbours: names backquoted (or bare between line breaks), operands that are
/// not a term, a call or a negation in parentheses.
func render(_ expression: Expression) -> String? {
    func operand(_ inner: Expression) -> String? {
        switch inner {
        case .column, .literal, .call, .negate: return render(inner)
        default: return render(inner).map { "(" + $0 + ")" }
        }
    }
    func list(_ items: [Expression], _ write: (Expression) -> String?) -> String? {
        var parts: [String] = []
        for item in items {
            guard let part = write(item) else { return nil }
            parts.append(part)
        }
        return parts.joined(separator: ", ")
    }
    switch expression {
    case .column(let name):
        if let written = quoted(name, "`") { return written }
        // A name that starts with a combining mark was bare at the start of a line.
        let bare = "\n" + name + "\n"
        return bare.count == name.count + 2 ? bare : nil
    case .literal(let value):
        switch value {
        case .null: return "null"
        case .boolean(let flag): return flag ? "true" : "false"
        case .text(let text): return quoted(text, "'")
        case .number(let number): return number.isInfinite ? "1e999" : "\(number)"
        default: return "null"
        }
    case .negate(let inner): return operand(inner).map { "-" + $0 }
    case .not(let inner): return operand(inner).map { "not " + $0 }
    case .binary(let op, let left, let right):
        guard let left = operand(left), let right = operand(right) else { return nil }
        return left + " \(op.rawValue) " + right
    case .isNull(let inner, let negated): return operand(inner).map { $0 + (negated ? " is not null" : " is null") }
    case .inList(let inner, let items, let negated):
        guard let inner = operand(inner), let items = list(items, operand) else { return nil }
        return inner + (negated ? " not in (" : " in (") + items + ")"
    case .call(let function, let arguments): return list(arguments, render).map { function.rawValue + "(" + $0 + ")" }
    }
}

/// Values a column takes in the rows evaluated: nulls, numbers (huge, negative, fractional),
/// booleans, and texts that read as numbers, booleans, or neither.
let cellValues: [ExpressionValue] = [.null, .number(0), .number(1), .number(-2.5), .number(1e308), .boolean(false),
                                     .text(""), .text("true"), .text(" 12 "), .text("x"), .text("1e400"), .boolean(true)]

/// A value as text, equal for equal values (NaN included).
func key(_ value: ExpressionValue) -> String { String(describing: value) }

func fuzzExpression(_ text: String) {
    let expression: Expression
    do {
        expression = try Expression.parse(text)
    } catch let error as ExpressionError {
        check(!error.message.isEmpty, "an empty message for \(shown(text))")
        check(!error.message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x2028 || $0.value == 0x2029 },
              "a message not on one printable line: \(error.message.debugDescription)")
        check(error.message.count <= 200, "a message of \(error.message.count) characters: \(shown(error.message))")
        check(error.offset >= 0 && error.offset <= text.count, "offset \(error.offset) outside \(text.count) characters: \(error.message)")
        return
    } catch {
        check(false, "an error that is not an ExpressionError: \(error)")
        return
    }
    check(text.count <= Expression.maximumLength, "\(text.count) characters parsed")
    let treeDepth = depth(expression)
    check(treeDepth <= Expression.maximumDepth, "a tree \(treeDepth) deep from \(shown(text))")

    let columns = expression.columns
    check(columns == expression.columns, "columns changed between two calls: \(columns)")
    check(Set(columns).count == columns.count, "columns repeat: \(columns)")
    let known = Set(columns)
    for row in 0..<4 {
        func cell(_ name: String) -> ExpressionValue {
            check(known.contains(name), "evaluate read \(shown(name)), not among the columns \(columns)")
            let hash = name.utf8.reduce(row * 7) { $0 &* 31 &+ Int($1) }
            return cellValues[Int(UInt(bitPattern: hash) % UInt(cellValues.count))]
        }
        let first = expression.evaluate(cell)
        let second = expression.evaluate(cell)
        check(key(first) == key(second), "evaluate gave \(first), then \(second)")
    }

    if treeDepth <= Expression.maximumDepth / 2 {
        if let written = render(expression), written.count <= Expression.maximumLength {
            do {
                let again = try Expression.parse(written)
                check(again == expression, "\(shown(text)) written back as \(shown(written)) reads differently")
            } catch {
                check(false, "\(shown(text)) written back as \(shown(written)) does not parse: \(error)")
            }
        }
    }
}

// MARK: - Time formats and zones

/// Seconds from 0000-01-01 to 9999-12-31, with five days either way: `%z` takes any two digits
/// of hours and minutes (up to +99:99).
let timeRange: ClosedRange<Int64> = -62_167_219_200 - 5 * 86_400 ... 253_402_300_800 + 5 * 86_400

func fuzzTimeFormat(_ lines: [Substring]) {
    let formatText = String(lines[0])
    let format: TimeFormat
    switch TimeFormat.parse(formatText) {
    case .failure(let error):
        check(!error.message.isEmpty, "an empty message for the format \(shown(formatText))")
        check(error.offset >= 0 && error.offset <= formatText.utf8.count, "offset \(error.offset) outside the format \(shown(formatText))")
        return
    case .success(let parsed): format = parsed
    }
    check(TimeFormat.parse(format.description) == .success(format), "\(shown(formatText)) does not read back from \(shown(format.description))")
    var zoneFree = format.isEpoch || format == .date
    var hasOffset = false
    if case .pattern(_, let parts) = format {
        hasOffset = parts.contains(.offset)
        zoneFree = hasOffset || !(parts.contains(.hour24) || parts.contains(.hour12))
    }
    for line in lines.dropFirst().prefix(32) {
        var bytes = Array(line.utf8)
        if bytes.last == 13 { bytes.removeLast() }
        bytes.withUnsafeBufferPointer { value in
            let utc = format.seconds(value, zone: .utc)
            let east = format.seconds(value, zone: .fixed(3_600))
            let valueText = shown(String(decoding: bytes, as: UTF8.self))
            check((utc == nil) == (east == nil), "\(valueText) reads in one zone and not another with \(format)")
            guard let utc, let east else { return }
            if format.isEpoch {
                check(abs(utc) < 100_000_000_000_000, "\(valueText) as \(format) gives \(utc)")
            } else {
                check(timeRange.contains(utc), "\(valueText) as \(format) gives \(utc), outside years 0 to 9999")
            }
            var shifts = !zoneFree
            if format == .auto {
                // A date alone, or a time with a written offset (`Z`, `+02:00`), is no local time.
                let count = bytes.count
                let written = count > 19 && (bytes[count - 1] == UInt8(ascii: "Z") || count >= 25
                    && (bytes[count - 6] == UInt8(ascii: "+") || bytes[count - 6] == UInt8(ascii: "-")) && bytes[count - 3] == UInt8(ascii: ":"))
                shifts = count != 10 && !written
            }
            if shifts {
                check(east == utc - 3_600, "\(valueText) as \(format): \(utc) in UTC, \(east) at +01:00")
            } else {
                check(east == utc, "\(valueText) as \(format) depends on the zone: \(utc) / \(east)")
            }
            if format == .date {
                check(TimeFormat.auto.seconds(value, zone: .utc) == utc, "\(valueText): date and auto disagree")
            }
        }
    }
}

func fuzzZone(_ lines: [Substring]) {
    let zoneText = String(lines[0])
    guard let zone = TimeZoneRule.parse(zoneText) else { return }
    check(TimeZoneRule.parse(zone.description) == zone, "the zone \(shown(zoneText)) does not read back from \(shown(zone.description))")
    for line in lines.dropFirst().prefix(8) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBufferPointer { value in
            guard let local = TimeFormat.auto.seconds(value, zone: .utc) else { return }
            let utc = zone.utc(fromLocal: local)
            check(abs(utc - local) <= 86_400, "\(zone) moves \(local) to \(utc)")
            if zone == .utc { check(utc == local, "UTC moves \(local) to \(utc)") }
            if case .fixed(let offset) = zone { check(utc == local - offset, "\(zone) moves \(local) to \(utc)") }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: input, as: UTF8.self)
    switch input.first {
    case UInt8(ascii: "#"): fuzzTimeFormat(text.dropFirst().split(separator: "\n", omittingEmptySubsequences: false))
    case UInt8(ascii: "@"): fuzzZone(text.dropFirst().split(separator: "\n", omittingEmptySubsequences: false))
    default: fuzzExpression(text)
    }
    return 0
}

/// SwiftPM gives an executable its own entry point; it runs libFuzzer's driver on the callback above.
@main
enum MappingFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
    }
}
