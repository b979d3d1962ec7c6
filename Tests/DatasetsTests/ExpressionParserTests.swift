import Foundation
import Testing
@testable import Datasets

@Suite("limits of the expression parser")
struct ExpressionParserTests {
    static let tooLong = "the expression is longer than 10,000 characters"
    static let tooDeep = "the expression nests deeper than \(Expression.maximumDepth) levels"

    /// The error `text` gives, and how long it took.
    static func failure(_ text: String) -> (ExpressionError?, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try Expression.parse(text)
            return (nil, clock.now - start)
        } catch let error as ExpressionError {
            return (error, clock.now - start)
        } catch {
            return (nil, clock.now - start)
        }
    }

    static func nested(_ open: String, _ middle: String, _ close: String, _ count: Int) -> String {
        String(repeating: open, count: count) + middle + String(repeating: close, count: count)
    }

    static func chain(_ term: String, _ separator: String, _ count: Int) -> String {
        Array(repeating: term, count: count).joined(separator: separator)
    }

    /// Runs `body` on a thread with a 512 KiB stack, the default of a secondary thread on macOS.
    static func onSmallStack(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
    }

    @Test("the hostile mappings of the campaign are refused at once, by their length")
    func campaign() {
        let megabyte = String(repeating: "a + ", count: 262_144) + "a"
        let cases: [(String, String)] = [
            ("15,000 parentheses", Self.nested("(", "a", ")", 15_000)),
            ("100,000 unary minus", String(repeating: "-", count: 100_000) + "a"),
            ("100,000 not", String(repeating: "not ", count: 100_000) + "a"),
            ("50,000 abs(", Self.nested("abs(", "a", ")", 50_000)),
            ("50,000 coalesce(", Self.nested("coalesce(", "a", ")", 50_000)),
            ("50,000 trim(", Self.nested("trim(", "a", ")", 50_000)),
            ("100,000 + terms", Self.chain("a", " + ", 100_000)),
            ("100,000 or terms", Self.chain("a", " or ", 100_000)),
            ("100,000 and terms", Self.chain("a", " and ", 100_000)),
            ("a megabyte", megabyte),
            ("10,001 letters", String(repeating: "é", count: 10_001)),
        ]
        for (name, text) in cases {
            let (error, elapsed) = Self.failure(text)
            #expect(error?.message == Self.tooLong, "\(name): \(error?.message ?? "parsed")")
            #expect(error.map { $0.offset >= 0 && $0.offset <= text.count } ?? false, "\(name): offset \(error?.offset ?? -1)")
            #expect(elapsed < .seconds(1), "\(name): \(elapsed)")
        }
    }

    @Test("each way of nesting is refused one level past the limit, before the parser recurses")
    func depth() {
        let cases: [(String, (Int) -> String)] = [
            ("parentheses", { Self.nested("(", "a", ")", $0) }),
            ("unary minus", { String(repeating: "-", count: $0) + "a" }),
            ("not", { String(repeating: "not ", count: $0) + "a" }),
            ("abs(", { Self.nested("abs(", "a", ")", $0) }),
            ("coalesce(", { Self.nested("coalesce(", "a", ", 1)", $0) }),
            ("trim(", { Self.nested("trim(", "a", ")", $0) }),
            ("if(", { Self.nested("if(a, ", "1", ", 2)", $0) }),
            ("in-list", { "a in (" + String(repeating: "-", count: $0 - 1) + "b)" }),
            ("minus in parentheses", { Self.nested("-(", "a", ")", $0 / 2) }),
            ("a + chain", { Self.chain("a", " + ", $0 + 1) }),
            ("a * chain", { Self.chain("a", "*", $0 + 1) }),
            ("or chain", { Self.chain("a", " or ", $0 + 1) }),
            ("and chain", { Self.chain("a", " and ", $0 + 1) }),
            ("comparisons of chains", { Self.chain("a", " + ", $0) + " = 1" }),
            ("is null of a chain", { Self.chain("a", " - ", $0) + " is not null" }),
            ("a chain under not", { "not " + Self.chain("a", " + ", $0) }),
        ]
        for (name, make) in cases {
            let limit = Expression.maximumDepth
            #expect(throws: Never.self, "\(name) at the limit") { try Expression.parse(make(limit)) }
            let (error, elapsed) = Self.failure(make(limit + 2))
            #expect(error?.message == Self.tooDeep, "\(name): \(error?.message ?? "parsed")")
            #expect(elapsed < .seconds(1), "\(name): \(elapsed)")
        }
        // As long as the length allows: the parser stops one level past the limit, not at the 4,999th.
        for text in [Self.nested("(", "a", ")", 4_999), String(repeating: "-", count: 9_999) + "a",
                     Self.chain("a", "+", 4_999), Self.nested("abs(", "a", ")", 1_999)] {
            let (error, elapsed) = Self.failure(text)
            #expect(error?.message == Self.tooDeep)
            #expect(elapsed < .seconds(1))
        }
    }

    @Test("the parser refuses deep token streams of any length by itself")
    func parserAlone() {
        func token(_ text: String, _ kind: ExpressionToken.Kind = .symbol) -> ExpressionToken {
            ExpressionToken(kind: kind, text: text, offset: 0)
        }
        let a = token("a", .name)
        let streams: [(String, [ExpressionToken])] = [
            ("100,000 parentheses", Array(repeating: token("("), count: 100_000) + [a] + Array(repeating: token(")"), count: 100_000)),
            ("100,000 unary minus", Array(repeating: token("-"), count: 100_000) + [a]),
            ("100,000 not", Array(repeating: token("not", .name), count: 100_000) + [a]),
            ("50,000 abs(", Array(repeating: [token("abs", .name), token("(")], count: 50_000).flatMap { $0 } + [a]),
            ("100,000 + terms", Array(repeating: [a, token("+")], count: 100_000).flatMap { $0 } + [a]),
            ("100,000 or terms", Array(repeating: [a, token("or", .name)], count: 100_000).flatMap { $0 } + [a]),
        ]
        for (name, tokens) in streams {
            var parser = ExpressionParser(tokens: tokens, length: tokens.count)
            #expect(throws: ExpressionError.tooDeep(at: 0), "\(name)") { try parser.expression() }
        }
    }

    @Test("expressions at the limits parse and evaluate as before")
    func atTheLimits() throws {
        let limit = Expression.maximumDepth
        let row: (String) -> ExpressionValue = { $0 == "a" ? .number(-3) : .null }
        let cases: [(String, ExpressionValue, [String])] = [
            (Self.nested("(", "a", ")", limit), .number(-3), ["a"]),
            (String(repeating: "-", count: limit) + "a", .number(-3), ["a"]),
            (String(repeating: "not ", count: limit) + "a", .boolean(true), ["a"]),
            (Self.nested("abs(", "a", ")", limit), .number(3), ["a"]),
            (Self.nested("coalesce(", "b", ", a)", limit), .number(-3), ["b", "a"]),
            (Self.nested("trim(", "'x '", ")", limit), .text("x"), []),
            (Self.chain("a", " + ", limit + 1), .number(Double(-3 * (limit + 1))), ["a"]),
            (Self.chain("a = \(limit)", " or ", limit - 1) + " or b is null", .boolean(true), ["a", "b"]),
            (Self.chain("a < 0", " and ", limit), .boolean(true), ["a"]),
            ("a in (" + String(repeating: "-", count: limit - 1) + "a)", .boolean(false), ["a"]),
        ]
        for (text, expected, columns) in cases {
            let expression = try Expression.parse(text)
            #expect(expression.evaluate(row) == expected, "\(text.prefix(40))...")
            #expect(expression.columns == columns, "\(text.prefix(40))...")
            #expect(expression == (try Expression.parse(text)))
        }
        // The longest text allowed, counted in characters, not bytes.
        let padded = Self.chain("1", "+", limit) + String(repeating: " ", count: Expression.maximumLength - 2 * limit + 1)
        #expect(try Expression.parse(padded).evaluate(row) == .number(Double(limit)))
        #expect(Self.failure(padded + " ").0?.message == Self.tooLong)
        #expect(try Expression.parse(String(repeating: "é", count: 5_001)).columns.first?.count == 5_001)
        let list = "a in (" + Self.chain("1", ",", 4_995) + ")"
        #expect(list.count <= Expression.maximumLength)
        #expect(try Expression.parse(list).evaluate { _ in .number(1) } == .boolean(true))
    }

    @Test("parsing, walking and releasing the deepest trees fits a 512 KiB stack")
    func smallStack() {
        let limit = Expression.maximumDepth
        let texts = [
            Self.nested("(", "a", ")", limit),
            Self.nested("(", Self.nested("abs(", "a", ")", limit / 2), ")", limit / 2),
            Self.nested("abs(", "a", ")", limit),
            Self.nested("coalesce(", "a", ", 1)", limit),
            Self.nested("if(a, ", "1", ", 2)", limit),
            String(repeating: "-", count: limit) + "a",
            String(repeating: "not ", count: limit) + "a",
            Self.chain("a", " + ", limit + 1),
            Self.chain("a", " or ", limit + 1),
        ]
        final class Outcomes: @unchecked Sendable { var equal: [Bool] = [] }
        let outcomes = Outcomes()
        for text in texts {
            Self.onSmallStack {
                guard let first = try? Expression.parse(text), let second = try? Expression.parse(text) else { return }
                _ = first.evaluate { _ in .number(1) }
                _ = first.columns
                let equal = first == second
                outcomes.equal.append(equal)
            }
        }
        #expect(outcomes.equal == Array(repeating: true, count: texts.count))
    }

    @Test("a message quotes at most 40 characters, on one line")
    func messages() throws {
        let cases = [
            "a '" + String(repeating: "x", count: 9_000) + "'",
            "a 'one\ntwo\u{1b}[31m'",
            String(repeating: "1.", count: 4_000),
            "(a " + String(repeating: "b", count: 5_000),
            "a \u{7}",
            "a '" + String(repeating: "\u{FFFD}", count: 100) + "'",
            String(repeating: "\u{1}", count: 100),
        ]
        for text in cases {
            let (error, _) = Self.failure(text)
            let message = error?.message ?? ""
            #expect(!message.isEmpty && message.count < 120, "\(message.prefix(200))")
            #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(message.debugDescription)")
            #expect(error.map { $0.offset >= 0 && $0.offset <= text.count } ?? false)
        }
        #expect(try Expression.parse("a +\r\n b\r- c") == (try Expression.parse("a + b - c")), "line breaks of any kind are spaces")
        #expect(ExpressionError.grouped(10_000) == "10,000")
        #expect(ExpressionError.grouped(100) == "100")
        #expect(ExpressionError.grouped(1_234_567) == "1,234,567")
    }
}
