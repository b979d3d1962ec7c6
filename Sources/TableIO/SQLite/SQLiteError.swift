import CSQLite

/// An error reported by SQLite, with the statement that caused it.
///
/// Printed as `sqlite error 19 (constraint failed): CHECK constraint failed: mrr > 0 - while
/// executing 'INSERT INTO ...'` so that a user sees both what failed and where.
public struct SQLiteError: ReportableError, Equatable {
    /// The primary SQLite result code (`SQLITE_CONSTRAINT`, `SQLITE_NOTADB`, ...).
    public let code: Int32
    /// SQLite's own message for the error.
    public let message: String
    /// The SQL being prepared or executed, if any.
    public let sql: String?
    /// The database file, if known.
    public let path: String?

    public init(code: Int32, message: String, sql: String? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    public var description: String {
        var text = "sqlite error \(code & 0xFF) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let path { text += " in '\(path)'" }
        if let sql {
            let compact = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let shown = compact.count > 120 ? String(compact.prefix(117)) + "..." : compact
            text += " - while executing '\(shown)'"
        }
        return text
    }

    /// Not a database, a corrupt or truncated file: the input is malformed; anything else is I/O.
    public var exitStatus: ExitStatus {
        switch code & 0xFF {
        case SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_FORMAT, SQLITE_MISMATCH, SQLITE_CONSTRAINT:
            return .dataError
        case SQLITE_CANTOPEN:
            return .noInput
        default:
            return .ioError
        }
    }
}
