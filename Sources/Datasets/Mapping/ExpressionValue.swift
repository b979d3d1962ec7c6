import TableIO

/// A value an expression computes: from a column (text, or a number for a SQLite number), a
/// literal, or an operation.
public enum ExpressionValue: Sendable, Equatable {
    case null
    case number(Double)
    case text(String)
    case boolean(Bool)
    /// A number the mapping cannot use: arithmetic on a text that is not a number (`$10`, `0x1A`,
    /// `1,000.00`, `NaN`), or a result or literal that is not finite (`1e400`, `2e308 / 2e308`).
    /// It spreads through arithmetic like null, but a reader counts it as a `valid_number`
    /// failure instead of an absent value.
    case invalid

    /// The value as a number: a number, a text that reads as one, a boolean as 1 or 0.
    public var number: Double? {
        switch self {
        case .number(let value): return value
        case .text(let text): return ExpressionValue.parseNumber(text)
        case .boolean(let flag): return flag ? 1 : 0
        case .null, .invalid: return nil
        }
    }

    /// The value as an operand of arithmetic: its number; absent for null or empty text (an
    /// empty cell is a missing value, as in a plain column); unusable for anything else.
    enum Operand {
        case number(Double)
        case absent
        case unusable
    }

    var operand: Operand {
        switch self {
        case .null: return .absent
        case .invalid: return .unusable
        case .number(let value): return value.isFinite ? .number(value) : .unusable
        case .boolean(let flag): return .number(flag ? 1 : 0)
        case .text(let text):
            if text.isEmpty { return .absent }
            return ExpressionValue.parseNumber(text).map { .number($0) } ?? .unusable
        }
    }

    /// A number as a value: `.invalid` when it is not finite.
    static func finite(_ value: Double) -> ExpressionValue {
        value.isFinite ? .number(value) : .invalid
    }

    /// Null or invalid: a value that compares to nothing and that a filter does not keep.
    var isUnknown: Bool { self == .null || self == .invalid }

    /// The value as text (a whole number without a decimal point).
    public var text: String? {
        switch self {
        case .text(let text): return text
        case .number(let value): return ExpressionValue.format(value)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null, .invalid: return nil
        }
    }

    /// Whether a filter keeps the row: true, a non-zero number, or the texts true/yes/1.
    public var isTrue: Bool {
        switch self {
        case .boolean(let flag): return flag
        case .number(let value): return value != 0
        case .text(let text): return ["true", "t", "yes", "y", "1"].contains(text.lowercased())
        case .null, .invalid: return false
        }
    }

    /// A text as a number by the rule a plain amount column is read with (``ValueParsers/double(_:)``:
    /// decimal digits, a sign, a point and an exponent, nothing else), finite: the same cell reads
    /// the same whether a mapping names its column or computes with it.
    static func parseNumber(_ text: String) -> Double? {
        var text = text
        let value = text.withUTF8 { ValueParsers.double($0) }
        guard let value, value.isFinite else { return nil }
        return value
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
