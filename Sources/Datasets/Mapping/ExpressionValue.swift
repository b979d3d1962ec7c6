/// A value an expression computes: from a column (text, or a number for a SQLite number), a
/// literal, or an operation.
public enum ExpressionValue: Sendable, Equatable {
    case null
    case number(Double)
    case text(String)
    case boolean(Bool)

    /// The value as a number: a number, a text that reads as one, a boolean as 1 or 0.
    public var number: Double? {
        switch self {
        case .number(let value): return value
        case .text(let text): return ExpressionValue.parseNumber(text)
        case .boolean(let flag): return flag ? 1 : 0
        case .null: return nil
        }
    }

    /// The value as text (a whole number without a decimal point).
    public var text: String? {
        switch self {
        case .text(let text): return text
        case .number(let value): return ExpressionValue.format(value)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null: return nil
        }
    }

    /// Whether a filter keeps the row: true, a non-zero number, or the texts true/yes/1.
    public var isTrue: Bool {
        switch self {
        case .boolean(let flag): return flag
        case .number(let value): return value != 0
        case .text(let text): return ["true", "t", "yes", "y", "1"].contains(text.lowercased())
        case .null: return false
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, let value = Double(trimmed), value.isFinite else { return nil }
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
