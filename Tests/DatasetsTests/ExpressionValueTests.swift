import Testing
import TableIO
@testable import Datasets

/// Numbers through an expression read as a plain amount column reads them; what cannot be used
/// is `invalid`, never a silently different number or an infinity.
@Suite("expression values")
struct ExpressionValueTests {
    static func value(_ text: String, _ row: [String: ExpressionValue] = [:]) throws -> ExpressionValue {
        try Expression.parse(text).evaluate { row[$0] ?? .null }
    }

    /// What a plain amount column makes of `cell`: its number, or nil.
    static func plain(_ cell: String) -> Double? {
        var cell = cell
        return cell.withUTF8 { ValueParsers.double($0) }.flatMap { $0.isFinite ? $0 : nil }
    }

    @Test("a text a plain column cannot read as a number is invalid in arithmetic, never another number",
          arguments: ["0x1A", "$10", "1,000.00", "1_000", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", " 12", "12 ", "1e", "."])
    func unusableText(_ cell: String) throws {
        #expect(Self.plain(cell) == nil)
        for expression in ["x * 1", "x + 0", "-x", "abs(x)", "round(x, 2)", "x / 1"] {
            #expect(try Self.value(expression, ["x": .text(cell)]) == .invalid, "\(expression) with x = '\(cell)'")
        }
        #expect(ExpressionValue.text(cell).number == nil)
    }

    @Test("a text a plain column reads gives the same number through an expression",
          arguments: ["26", "-0", "1e-320", "12.50", "+7", "1E3", "0.1"])
    func usableText(_ cell: String) throws {
        let number = try #require(Self.plain(cell))
        #expect(try Self.value("x * 1", ["x": .text(cell)]) == .number(number * 1))
        #expect(ExpressionValue.text(cell).number == number)
    }

    @Test("results and literals that are not finite are invalid; null and empty text stay absent")
    func nonFinite() throws {
        #expect(try Self.value("1e400") == .invalid)
        #expect(try Self.value("2e308 / 2e308") == .invalid)
        #expect(try Self.value("x * 1e308 * 1e308", ["x": .number(2)]) == .invalid)
        #expect(try Self.value("x - x", ["x": .number(.infinity)]) == .invalid, "a SQLite REAL of Inf")
        #expect(try Self.value("x + 1", ["x": .number(.nan)]) == .invalid)
        #expect(try Self.value("round(x, 1e999)", ["x": .number(1.5)]) == .invalid)
        #expect(try Self.value("x * 1", ["x": .text("")]) == .null, "an empty cell is missing, as in a plain column")
        #expect(try Self.value("x * 1") == .null)
        #expect(try Self.value("x / 0", ["x": .number(1)]) == .null, "SQL's rule")
        #expect(try Self.value("x * 1 + y", ["x": .text("$1")]) == .invalid, "unusable wins over absent")
    }

    @Test("invalid spreads like null through functions and logic, and a filter drops it")
    func spreading() throws {
        let row: [String: ExpressionValue] = ["x": .text("$10")]
        #expect(try Self.value("lower(x * 1)", row) == .invalid)
        #expect(try Self.value("coalesce(x * 1, 5)", row) == .invalid, "invalid is not null: coalesce keeps it, so it is counted")
        #expect(try !Self.value("x * 1 > 0", row).isTrue)
        #expect(try Self.value("x * 1 > 0", row) == .null)
        #expect(try Self.value("not (x * 1 > 0)", row) == .null)
        #expect(try Self.value("x * 1 in (1, 2)", row) == .invalid)
        #expect(try Self.value("(x * 1) is null", row) == .boolean(false))
        #expect(try Self.value("x * 1 > 0 or true", row) == .boolean(true))
        #expect(try Self.value("x * 1 > 0 and false", row) == .boolean(false))
    }
}
