import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection to one SQLite database file, closed when released.
///
/// The only place that opens SQLite handles; every statement goes through ``prepare(_:)``.
public final class SQLiteConnection {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read an existing database; fails if it does not exist.
        case readOnly
        /// Create the database (or open it read-write if it exists).
        case create
        /// Open an existing file read-write (an empty one becomes a new database); never create
        /// it, so that a file removed meanwhile (a staged output an interrupt cleaned up) stays gone.
        case readWrite
    }

    /// The database file.
    public let path: String
    let handle: OpaquePointer
    /// Set on a connection for user queries: every statement prepared on it is checked and bounded.
    let queryGuard: QueryGuard?
    /// The private copy a WAL database with a `-wal` file is read from, kept while the connection lives.
    private let snapshot: SQLiteWALSnapshot?

    /// Opens `path`, checking that it really is a readable SQLite database.
    ///
    /// Read-only, it leaves no file beside the input: a WAL database without content in a `-wal`
    /// file is read as immutable, one with it from a private copy (``SQLiteWALSnapshot``).
    ///
    /// - Throws: ``SQLiteError`` with `SQLITE_NOTADB` or `SQLITE_CORRUPT` for a file that is
    ///   not a database or is truncated, `SQLITE_CANTOPEN` if it cannot be opened.
    public convenience init(path: String, mode: Mode) throws {
        try self.init(path: path, mode: mode, queryLimits: nil)
    }

    /// Opens the database at `path` read-only for a user's queries, each of which must be
    /// exactly one read-only `SELECT` or `WITH` statement and runs within `limits`.
    ///
    /// Every statement prepared on the connection is a user query: ``prepare(_:)`` throws
    /// ``QueryError`` (exit 65) for SQL that does not prepare, for more than one statement, for
    /// anything but SELECT or WITH, for a statement that writes, and for ATTACH, DETACH, PRAGMA,
    /// transactions, schema changes and `load_extension()` (an authorizer denies them, also
    /// inside views); ``SQLiteStatement/step()`` throws it when the query runs past
    /// `limits.seconds` from its first step or SQLite runs out of `limits.memoryBytes`.
    /// `limits.memoryBytes` becomes the process's SQLite heap limit, unless a lower one is set.
    /// Built-in reads (``columnNames(of:)``, ``tableNames(includingViews:)``) need an ordinary
    /// connection.
    public convenience init(userQueriesOn path: String, limits: QueryLimits) throws {
        try self.init(path: path, mode: .readOnly, queryLimits: limits)
    }

    /// What an audit would refuse in a user's query whatever its database holds, found without
    /// one: `nil` for a query that may run.
    ///
    /// The query is prepared (never run) on an empty in-memory connection guarded as
    /// ``init(userQueriesOn:limits:)`` guards one, so that it meets the same checks: an empty
    /// query, a syntax error, a function SQLite lacks or called with the wrong number of
    /// arguments, more than one statement, anything but one read-only SELECT or WITH statement,
    /// and what the authorizer denies (PRAGMA, ATTACH, schema changes, `load_extension()`).
    ///
    /// An empty database has no tables, so SQLite stops at the first table the query reads. For
    /// such a query, "no such table", "no such column" and "no such index" depend on the data and
    /// are not reported; the text is then checked for what the guard refuses regardless: a second
    /// statement, a first word other than SELECT or WITH, a WITH before a statement other than
    /// SELECT or VALUES, a call of a denied function. What depends on the data (a misspelt column
    /// or table, a view that calls a denied function, a limit of time or memory) is found by the
    /// audit alone.
    ///
    /// - Throws: ``SQLiteError`` if SQLite cannot open an in-memory database.
    public static func checkUserQuery(_ sql: String) throws -> QueryError? {
        let connection = try SQLiteConnection(path: ":memory:", mode: .create, queryLimits: QueryGuard.checkOnly)
        do {
            _ = try connection.prepare(sql)
            return nil
        } catch let error as QueryError {
            guard error.kind == .invalid, QueryGuard.schemaDependentFailures.contains(where: error.message.hasPrefix) else { return error }
            guard let refusal = QueryGuard.lexicalRefusal(Array(sql.utf8)) else { return nil }
            return QueryError(.refused, QueryGuard.refusal(refusal), sql: sql)
        }
    }

    private init(path: String, mode: Mode, queryLimits: QueryLimits?) throws {
        // A FIFO, device or dangling link would block SQLite's open or be read without end.
        if mode == .readOnly { try InputFile.check(path) }
        // A database in WAL mode without content in a -wal file holds everything in its main
        // file: read it as immutable, so that reading creates no -wal and -shm files beside
        // someone's input. With content in a -wal file, read a private copy of both files.
        let wal = mode == .readOnly ? Self.walState(path) : .none
        snapshot = wal == .withLog ? try SQLiteWALSnapshot.shared(for: path) : nil
        var connection: OpaquePointer?
        let flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY
        case .create: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags = SQLITE_OPEN_READWRITE
        }
        let code: Int32
        switch wal {
        case .withoutLog: code = sqlite3_open_v2(Self.immutableURI(path), &connection, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nil)
        case .withLog: code = sqlite3_open_v2(snapshot?.databasePath ?? path, &connection, flags | SQLITE_OPEN_NOMUTEX, nil)
        case .none: code = sqlite3_open_v2(path, &connection, flags | SQLITE_OPEN_NOMUTEX, nil)
        }
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(connection)
            throw SQLiteError(code: code, message: message, path: path)
        }
        self.path = path
        self.handle = connection
        self.queryGuard = queryLimits.map { QueryGuard(limits: $0) }
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, 2_000)
        // Opening is lazy: touch the schema so a non-database fails here, not at first query.
        try executeUnchecked("SELECT count(*) FROM sqlite_master")
        try queryGuard?.install(on: connection, connection: self)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Whether a file is a WAL-mode database, and whether its `-wal` file holds anything.
    enum WALState { case none, withoutLog, withLog }

    /// The file's journal mode from its header (bytes 18 and 19 are 2 in WAL mode) and the size
    /// of its `-wal` file (an empty one holds nothing to read).
    static func walState(_ path: String) -> WALState {
        guard let (descriptor, size) = try? InputFile.open(path), size >= 20 else { return .none }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 20)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 20) }
        guard count == 20 && header[18] == 2 && header[19] == 2 else { return .none }
        var info = stat()
        return stat(path + "-wal", &info) == 0 && info.st_size > 0 ? .withLog : .withoutLog
    }

    /// A `file:` URI with `immutable=1`, its path percent-encoded.
    static func immutableURI(_ path: String) -> String {
        // "file://host/..." would read a leading "//" as an authority: one slash is the same path.
        var trimmed = Substring(path)
        while trimmed.hasPrefix("//") { trimmed.removeFirst() }
        var encoded = ""
        for byte in trimmed.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (character.isLetter || character.isNumber || "/-_.~".contains(character)) {
                encoded.append(character)
            } else {
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return "file:" + encoded + "?immutable=1"
    }

    /// Prepares `sql` for repeated execution.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Executes one or more SQL statements that return no rows of interest (on a connection for
    /// user queries, one statement, checked as ``prepare(_:)`` checks it).
    public func execute(_ sql: String) throws {
        if queryGuard != nil {
            let statement = try prepare(sql)
            while try statement.step() {}
            return
        }
        try executeUnchecked(sql)
    }

    /// Executes `sql` as it is, whatever the connection: for the connection's own set-up.
    func executeUnchecked(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, sql: sql, path: path)
        }
    }

    /// Runs a query and returns every row.
    public func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [[SQLiteValue]] = []
        while try statement.step() {
            rows.append(statement.row())
        }
        return rows
    }

    /// Runs a query that returns one value (the first column of the first row), or `.null`.
    public func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws -> SQLiteValue {
        let statement = try prepare(sql)
        try statement.bind(values)
        return try statement.step() ? statement.value(at: 0) : .null
    }

    /// Runs `body` inside a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The names of the tables and views in the database, sorted.
    public func tableNames(includingViews: Bool = false) throws -> [String] {
        let types = includingViews ? "('table', 'view')" : "('table')"
        return try query(
            "SELECT name FROM sqlite_master WHERE type IN \(types) AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).compactMap { $0.first?.text }
    }

    /// `name` as an SQL identifier: in double quotes, its own double quotes doubled, so that any
    /// table name a database holds can be queried.
    public static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// The column names of `table`, in declaration order.
    public func columnNames(of table: String) throws -> [String] {
        try query("SELECT name FROM pragma_table_info(?1) ORDER BY cid", [.text(table)])
            .compactMap { $0.first?.text }
    }

    func error(code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }
}
