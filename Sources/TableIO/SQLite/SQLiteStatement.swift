import CSQLite

/// A prepared SQLite statement, finalized when released.
///
/// Bind with ``bind(_:)``, then ``step()`` until it returns `false`; ``reset()`` to reuse it.
public final class SQLiteStatement {
    /// The SQL the statement was prepared from.
    public let sql: String
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw connection.error(code: code, sql: sql)
        }
        self.sql = sql
        self.handle = statement
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The number of columns a row of the result has.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `index`.
    public func columnName(_ index: Int) -> String {
        guard let name = sqlite3_column_name(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    /// Binds `values` to the parameters `?1 ... ?n`, after clearing previous bindings.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .real(let number):
                code = sqlite3_bind_double(handle, index, number)
            case .text(let string):
                code = sqlite3_bind_text(handle, index, string, -1, sqliteTransient)
            }
            guard code == SQLITE_OK else { throw connection.error(code: code, sql: sql) }
        }
    }

    /// Advances to the next row; `false` once the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code: code, sql: sql)
        }
    }

    /// Resets the statement so it can run again with new bindings.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Binds `values`, runs the statement to completion and resets it.
    public func execute(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        while try step() {}
        reset()
    }

    /// The value of column `index` of the current row.
    public func value(at index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_NULL:
            return .null
        default:
            guard let text = sqlite3_column_text(handle, column) else { return .null }
            return .text(String(cString: text))
        }
    }

    /// What column `index` of the current row holds, without converting it.
    public enum StoredKind: Sendable { case null, integer, real, text }

    /// The storage class of column `index` of the current row (a blob counts as text).
    public func kind(at index: Int) -> StoredKind {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_NULL: return .null
        default: return .text
        }
    }

    /// Column `index` of the current row as a number (SQLite's conversion for text).
    public func double(at index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    /// Column `index` of the current row as an integer (SQLite's conversion for text and reals).
    public func integer(at index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    /// Calls `body` with the bytes of column `index` of the current row as text (valid only
    /// during the call; a NULL gives an empty buffer).
    public func withBytes<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let column = Int32(index)
        let base = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: base.map { UnsafePointer($0) }, count: base == nil ? 0 : count))
    }

    /// The bytes of column `index` of the current row as text, valid until the next ``step()``
    /// or ``reset()`` (SQLite's own buffer; a NULL gives an empty buffer).
    public func unsafeBytes(at index: Int) -> UnsafeBufferPointer<UInt8> {
        let column = Int32(index)
        guard let base = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: UnsafePointer(base), count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The current row as an array of values.
    public func row() -> [SQLiteValue] {
        (0..<columnCount).map { value(at: $0) }
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
