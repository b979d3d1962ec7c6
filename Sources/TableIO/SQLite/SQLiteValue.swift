/// A value as SQLite stores it: one of its five storage classes but blobs.
public enum SQLiteValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as a `Double`, converting integers; `nil` for null and text.
    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case .null, .text: return nil
        }
    }

    /// The value as an `Int64`, converting integral reals; `nil` otherwise.
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return value.rounded() == value ? Int64(exactly: value) : nil
        case .null, .text: return nil
        }
    }

    /// The value as a `String` if it is text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// Whether the value is SQL `NULL`.
    public var isNull: Bool { self == .null }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return "'\(value)'"
        }
    }
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}
