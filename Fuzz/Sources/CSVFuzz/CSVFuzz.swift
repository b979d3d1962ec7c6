// libFuzzer entry point for TableIO's CSV reader (Sources/TableIO/CSV/CSVReader.swift) and value
// parsers (Sources/TableIO/CSV/ValueParsers.swift). Built and run by scripts/fuzz/libfuzzer.sh.
//
// Each input is written to a scratch file (the reader reads paths) and read twice, as is and with a
// byte-order mark in front, which must not change the outcome. Beyond crashes and sanitizer reports,
// a failed `check` is a finding:
// - rows: as wide as the header, lines increasing from 2, fields valid UTF-8 without NUL bytes, a
//   null field empty, the header's names unique and non-empty, the digest equal to the file's;
// - errors: one line as the command line prints them (Console.printable), and a structural fault
//   names a line and column inside the file;
// - value parsers: each agrees with a plain reference implementation written here from their
//   documentation (timestamps against a days-from-civil computation, cents, integers, booleans).

import FuzzDriver
import TableIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let scratchDirectory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return base + "/csvfuzz-\(getpid())"
}()
let scratchFile = scratchDirectory + "/input.csv"
let scratchWithBOM = scratchDirectory + "/bom.csv"

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        let text = Array("CSVFuzz: check failed: \(message())\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

func writeFile(_ path: String, prefix: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    check(descriptor >= 0, "cannot create \(path)")
    defer { close(descriptor) }
    func put(_ base: UnsafeRawPointer, _ count: Int) {
        var offset = 0
        while offset < count {
            let written = write(descriptor, base + offset, count - offset)
            check(written > 0, "cannot write \(path)")
            offset += written
        }
    }
    prefix.withUnsafeBytes { if let base = $0.baseAddress { put(base, $0.count) } }
    if let base = bytes.baseAddress { put(base, bytes.count) }
}

// MARK: - Reference parsers, from the documentation of ValueParsers

enum Reference {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` (or `T`) with optional `.digits` and `Z` or `+HH:MM`/`-HH:MM`.
    static func timestamp(_ s: [UInt8]) -> Int64? {
        guard s.count >= 10, s[4] == 45, s[7] == 45, let year = number(s[0..<4]), let month = number(s[5..<7]),
              let day = number(s[8..<10]), (1...12).contains(month), day >= 1, day <= daysIn(year, month)
        else { return nil }
        let days = Int64(daysFromCivil(year, month, day))
        if s.count == 10 { return days * 86_400 }
        guard s.count >= 19, s[10] == 32 || s[10] == 84, s[13] == 58, s[16] == 58, let hour = number(s[11..<13]),
              let minute = number(s[14..<16]), let second = number(s[17..<19]), hour < 24, minute < 60, second < 61
        else { return nil }
        var rest = s[19...]
        if rest.first == 46 {
            rest = rest.dropFirst()
            let digits = rest.prefix(while: isDigit).count
            guard digits > 0 else { return nil }
            rest = rest.dropFirst(digits)
        }
        var offset: Int64 = 0
        if Array(rest) == [90] {
            rest = []
        } else if rest.count == 6 {
            let r = Array(rest)
            guard r[0] == 43 || r[0] == 45, r[3] == 58, let hours = number(r[1..<3]), let minutes = number(r[4..<6]) else { return nil }
            offset = Int64(hours * 3_600 + minutes * 60) * (r[0] == 43 ? 1 : -1)
            rest = []
        }
        guard rest.isEmpty else { return nil }
        return days * 86_400 + Int64(hour * 3_600 + minute * 60 + second) - offset
    }

    /// An optional sign, digits, an optional point with at most two decimals; 15 whole digits at most.
    static func cents(_ s: [UInt8]) -> Int? {
        var body = s[...]
        var negative = false
        if let first = body.first, first == 45 || first == 43 {
            negative = first == 45
            body = body.dropFirst()
        }
        let parts = body.split(separator: 46, maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts.first ?? []
        let fraction = parts.count == 2 ? parts[1] : []
        guard whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit), fraction.count <= 2, whole.count <= 15,
              whole.count + fraction.count > 0 else { return nil }
        var value = whole.reduce(0) { $0 * 10 + Int($1 - 48) } * 100
        if fraction.count >= 1 { value += Int(fraction[fraction.startIndex] - 48) * 10 }
        if fraction.count == 2 { value += Int(fraction[fraction.startIndex + 1] - 48) }
        return negative ? -value : value
    }

    /// An optional sign and 1 to 18 digits.
    static func integer(_ s: [UInt8]) -> Int? {
        var body = s[...]
        var negative = false
        if let first = body.first, first == 45 || first == 43 {
            negative = first == 45
            body = body.dropFirst()
        }
        guard body.count <= 18, let value = number(body) else { return nil }
        return negative ? -value : value
    }

    static func boolean(_ s: [UInt8]) -> Bool? {
        switch String(decoding: s, as: UTF8.self).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }
}

func exerciseParsers(_ field: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(field)
    let shown = String(decoding: bytes.prefix(60), as: UTF8.self).debugDescription
    let timestamp = ValueParsers.timestamp(field)
    check(timestamp == Reference.timestamp(bytes), "timestamp(\(shown)) = \(String(describing: timestamp)), reference \(String(describing: Reference.timestamp(bytes)))")
    let cents = ValueParsers.cents(field)
    check(cents == Reference.cents(bytes), "cents(\(shown)) = \(String(describing: cents)), reference \(String(describing: Reference.cents(bytes)))")
    let integer = ValueParsers.integer(field)
    check(integer == Reference.integer(bytes), "integer(\(shown)) = \(String(describing: integer)), reference \(String(describing: Reference.integer(bytes)))")
    let boolean = ValueParsers.boolean(field)
    check(boolean == Reference.boolean(bytes), "boolean(\(shown)) = \(String(describing: boolean))")
    if let value = ValueParsers.double(field) {
        check(!bytes.isEmpty && bytes.count < 64, "double(\(shown)) accepted")
        _ = value
    }
}

// MARK: - The reader

/// What one read produced: the header and rows, or the error (kind, line, column).
struct Outcome: Equatable {
    var header: [String] = []
    var rows: [[[UInt8]?]] = []
    var lines: [Int] = []
    var error: CSVError?
}

/// Lines as a reader may count them: line feeds, and carriage returns not followed by one, plus one.
func physicalLines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var lines = 1
    for index in 0..<bytes.count where bytes[index] == 10 || (bytes[index] == 13 && (index + 1 == bytes.count || bytes[index + 1] != 10)) {
        lines += 1
    }
    return lines
}

func read(_ path: String, input: UnsafeBufferPointer<UInt8>) -> Outcome {
    var outcome = Outcome()
    do {
        let reader = try CSVReader(path: path, displayName: "f.csv")
        outcome.header = reader.header
        check(!reader.header.isEmpty, "empty header accepted")
        check(Set(reader.header).count == reader.header.count, "duplicate header names accepted: \(reader.header)")
        check(!reader.header.contains(""), "an empty header name accepted")
        var lastLine = 1
        try reader.forEachRow { row in
            check(row.count == reader.header.count, "row of \(row.count) fields under a header of \(reader.header.count)")
            check(row.line > lastLine, "row line \(row.line) after \(lastLine)")
            lastLine = row.line
            var fields: [[UInt8]?] = []
            for index in 0..<row.count {
                let field = row[index]
                if row.isNull(index) {
                    check(field.isEmpty, "a null field with \(field.count) bytes")
                    fields.append(nil)
                } else {
                    let bytes = Array(field)
                    check(!bytes.contains(0), "a field with a NUL byte")
                    check(Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes, "a field that is not valid UTF-8")
                    fields.append(bytes)
                }
                exerciseParsers(field)
            }
            outcome.rows.append(fields)
            outcome.lines.append(row.line)
        }
        check(reader.rowCount == outcome.rows.count, "rowCount \(reader.rowCount), rows delivered \(outcome.rows.count)")
        if let digest = reader.sha256 {
            let expected = try SHA256.hexDigest(ofFile: path)
            check(digest == expected, "streamed digest \(digest), file digest \(expected)")
        }
    } catch let error as CSVError {
        // The command line prints errors through Console.printable: one line, no control characters.
        let shown = Console.printable(error.description)
        check(!shown.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value)
                                           || $0.value == 0x2028 || $0.value == 0x2029 },
              "an error line with control characters: \(shown.debugDescription)")
        switch error.kind {
        case .malformedQuote, .unterminatedQuote, .raggedRow, .nulByte, .invalidUTF8:
            check(error.line >= 1 && error.column >= 1, "\(error.description) without a line and column")
            check(error.line <= physicalLines(input) + 1, "\(error.description) past the last line (\(physicalLines(input)))")
        default:
            break
        }
        if case .raggedRow(let expected, let found) = error.kind {
            check(expected != found, "ragged row with equal counts: \(error.description)")
        }
        outcome.error = error
    } catch {
        check(false, "unexpected error type: \(error)")
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    exerciseParsers(input)
    writeFile(scratchFile, prefix: [], input)
    let plain = read(scratchFile, input: input)
    // A byte-order mark in front is skipped: the same outcome (unless the input starts with one).
    if !(size >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF) {
        writeFile(scratchWithBOM, prefix: [0xEF, 0xBB, 0xBF], input)
        let marked = read(scratchWithBOM, input: input)
        check(marked == plain, "a leading byte-order mark changed the outcome: \(String(describing: plain.error)) / \(String(describing: marked.error)), \(plain.rows.count) / \(marked.rows.count) rows")
    }
    return 0
}

/// SwiftPM gives an executable its own entry point; it runs libFuzzer's driver on the callback above.
@main
enum CSVFuzzMain {
    static func main() {
        mkdir(scratchDirectory, 0o700)
        // libFuzzer ends the process itself (time limit, fork-mode jobs): clean up at exit.
        atexit {
            unlink(scratchFile)
            unlink(scratchWithBOM)
            rmdir(scratchDirectory)
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
    }
}
