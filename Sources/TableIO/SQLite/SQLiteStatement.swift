import CSQLite

/// A prepared SQLite statement, finalized when released.
///
/// Bind with ``bind(_:)``, then ``step()`` until it returns `false`; ``reset()`` to reuse it.
public final class SQLiteStatement {
    /// The SQL the statement was prepared from.
    public let sql: String
    private let handle: OpaquePointer
    private let connection: SQLiteConnection
    /// The connection's guard when it runs user queries: the clock starts at the first step.
    private let queryGuard: QueryGuard?
    private var running = false

    init(connection: SQLiteConnection, sql: String) throws {
        if let queryGuard = connection.queryGuard {
            handle = try Self.prepareUserQuery(sql, connection: connection, queryGuard: queryGuard)
        } else {
            var statement: OpaquePointer?
            let code = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
            guard code == SQLITE_OK, let statement else {
                sqlite3_finalize(statement)
                throw connection.error(code: code, sql: sql)
            }
            handle = statement
        }
        self.sql = sql
        self.connection = connection
        self.queryGuard = connection.queryGuard
    }

    /// Prepares a user's query under the connection's authorizer and checks that it is exactly
    /// one read-only SELECT or WITH statement.
    ///
    /// - Throws: ``QueryError`` for a query that does not prepare or is refused, ``SQLiteError``
    ///   for a fault of the file.
    private static func prepareUserQuery(_ sql: String, connection: SQLiteConnection, queryGuard: QueryGuard) throws -> OpaquePointer {
        let bytes = Array(sql.utf8)
        guard !bytes.contains(0) else { throw QueryError(.refused, queryGuard.refusal("a NUL byte in the text"), sql: sql) }
        queryGuard.denied = nil
        queryGuard.deniedSchemaWrite = false
        var statement: OpaquePointer?
        var tailOffset = bytes.count
        let code = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(connection.handle, text.baseAddress, Int32(clamping: text.count), &statement, &tail)
                if let tail, let base = text.baseAddress { tailOffset = base.distance(to: tail) }
                return code
            }
        }
        guard code == SQLITE_OK else {
            sqlite3_finalize(statement)
            let error = connection.error(code: code, sql: sql)
            throw queryGuard.error(code: code, message: error.message, sql: sql) ?? error
        }
        guard let statement else { throw QueryError(.refused, queryGuard.refusal("an empty query"), sql: sql) }
        if let refusal = queryGuard.check(statement, sql: bytes, tailOffset: tailOffset) {
            sqlite3_finalize(statement)
            throw QueryError(.refused, queryGuard.refusal(refusal), sql: sql)
        }
        return statement
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
        reset()
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
        if let queryGuard, !running {
            running = true
            queryGuard.start()
        }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            finishRun()
            return false
        default:
            finishRun()
            let error = connection.error(code: code, sql: sql)
            throw queryGuard?.error(code: code, message: error.message, sql: sql) ?? error
        }
    }

    /// Resets the statement so it can run again with new bindings.
    public func reset() {
        finishRun()
        sqlite3_reset(handle)
    }

    private func finishRun() {
        if running {
            running = false
            queryGuard?.stop()
        }
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
