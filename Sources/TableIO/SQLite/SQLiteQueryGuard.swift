import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bounds on a user's query: the time it may run and the memory SQLite may take for it.
public struct QueryLimits: Sendable, Equatable {
    /// Wall-clock seconds from a query's first row request to its last row, the reading of its
    /// rows included (an endless recursive CTE returns rows without end).
    public var seconds: Double
    /// Bytes of heap SQLite may hold in the whole process, from the opening of a connection for
    /// user queries on (`sqlite3_hard_heap_limit64`; such a connection keeps its sorts and CTEs in
    /// memory, so this bounds them too).
    public var memoryBytes: Int64

    /// The environment variable that sets ``seconds``.
    public static let secondsVariable = "SYNTHAUDIT_QUERY_SECONDS"
    /// The environment variable that sets ``memoryBytes``, in MiB.
    public static let memoryVariable = "SYNTHAUDIT_QUERY_MEMORY_MB"

    /// 60 seconds and 1 GiB.
    public static let standard = QueryLimits(seconds: 60, memoryBytes: 1 << 30)

    public init(seconds: Double, memoryBytes: Int64) {
        self.seconds = seconds
        self.memoryBytes = memoryBytes
    }

    /// The standard limits, each replaced by its environment variable when set.
    ///
    /// - Throws: ``QueryLimitsError`` for a value that is not a positive number.
    public static func fromEnvironment() throws -> QueryLimits {
        var limits = standard
        if let text = getenv(secondsVariable).map({ String(cString: $0) }), !text.isEmpty {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 1e9 else {
                throw QueryLimitsError(variable: secondsVariable, value: text)
            }
            limits.seconds = seconds
        }
        if let text = getenv(memoryVariable).map({ String(cString: $0) }), !text.isEmpty {
            guard let mebibytes = Int64(text), mebibytes > 0, mebibytes <= 1 << 40 else {
                throw QueryLimitsError(variable: memoryVariable, value: text)
            }
            limits.memoryBytes = mebibytes << 20
        }
        return limits
    }
}

/// An environment variable of ``QueryLimits`` that is not a positive number (exit 64).
public struct QueryLimitsError: ReportableError, Equatable {
    public let variable: String
    public let value: String

    public var description: String {
        "\(variable) is '\(String(value.unicodeScalars.prefix(40).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }))'; expected a positive number"
    }

    public var exitStatus: ExitStatus { .usage }
}

/// A user's query that does not run, is refused, or is stopped at a limit: the mapping is at
/// fault, so it is malformed input (exit 65). The caller adds which role and mapping line.
public struct QueryError: ReportableError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// SQLite cannot prepare or run it (a syntax error, no such table or column, a run-time error).
        case invalid
        /// It is not one read-only `SELECT` or `WITH` statement, or uses what a query may not.
        case refused
        /// It ran past ``QueryLimits/seconds``.
        case timeLimit
        /// SQLite needed more than ``QueryLimits/memoryBytes`` for it.
        case memoryLimit
    }

    public let kind: Kind
    /// What went wrong, lowercase, without the SQL.
    public let message: String
    /// The query.
    public let sql: String

    public init(_ kind: Kind, _ message: String, sql: String) {
        self.kind = kind
        self.message = message
        self.sql = sql
    }

    public var description: String {
        let compact = sql.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        let printable = String(compact.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        let shown = printable.count > 80 ? String(printable.prefix(77)) + "..." : printable
        return "\(message) - query '\(shown)'"
    }

    public var exitStatus: ExitStatus { .dataError }
}

/// What a connection for user queries enforces beyond its read-only open mode: an authorizer that
/// allows reading only, a wall-clock deadline checked by the progress handler, and the process's
/// SQLite heap limit. Owned by its ``SQLiteConnection``, which hands it to SQLite's callbacks
/// unretained.
final class QueryGuard {
    let limits: QueryLimits
    /// The monotonic time (ns) after which the running query is interrupted.
    private var deadline = UInt64.max
    /// Whether the progress handler interrupted the query.
    private var timedOut = false
    /// What the authorizer first denied since the query was prepared or started, for the message.
    var denied: String?
    /// Whether ``denied`` is only a write to the schema table, which a later denial names better.
    var deniedSchemaWrite = false

    /// Progress-handler period in virtual-machine instructions: a clock read every few microseconds.
    static let progressPeriod: Int32 = 1_000

    /// SQL functions a query may not call, whatever the build enables.
    static let deniedFunctions: Set<String> = ["load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"]

    /// The limits of a connection that only prepares queries to check them: no heap limit is set,
    /// so that a later audit in the same process still takes its own.
    static let checkOnly = QueryLimits(seconds: QueryLimits.standard.seconds, memoryBytes: .max)

    init(limits: QueryLimits) {
        self.limits = limits
    }

    /// Configures `handle`: no ATTACH, no writes even to the temporary schema, temporary storage
    /// in memory (so that the heap limit bounds sorts and recursive CTEs instead of unbounded
    /// temporary files), functions from the input's own schema only if innocuous, the authorizer
    /// and progress handler with this guard as context, and the process's heap limit.
    func install(on handle: OpaquePointer, connection: SQLiteConnection) throws {
        try connection.executeUnchecked("PRAGMA query_only = 1; PRAGMA temp_store = MEMORY; PRAGMA trusted_schema = 0")
        sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_enable_load_extension(handle, 0)
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_set_authorizer(handle, queryAuthorizer, context)
        sqlite3_progress_handler(handle, Self.progressPeriod, queryProgress, context)
        // Process-wide: never raise a lower limit set before; a connection that only prepares sets none.
        guard limits.memoryBytes != .max else { return }
        let current = sqlite3_hard_heap_limit64(-1)
        if current == 0 || current > limits.memoryBytes { sqlite3_hard_heap_limit64(limits.memoryBytes) }
    }

    /// Starts the clock of a query's run.
    func start() {
        timedOut = false
        denied = nil
        deniedSchemaWrite = false
        deadline = Self.now() &+ UInt64(min(limits.seconds, 1e9) * 1e9)
    }

    /// Stops the clock.
    func stop() {
        deadline = .max
    }

    /// Called by the progress handler: whether to interrupt.
    fileprivate func shouldInterrupt() -> Bool {
        guard deadline != .max, Self.now() > deadline else { return false }
        timedOut = true
        return true
    }

    /// The error for SQLite result `code` met preparing or running `sql`, or `nil` when it is
    /// no fault of the query (an I/O error, a corrupt or vanished file): that stays a ``SQLiteError``.
    func error(code: Int32, message: String, sql: String) -> QueryError? {
        switch code & 0xFF {
        case SQLITE_INTERRUPT where timedOut:
            return QueryError(.timeLimit, "query stopped after \(Self.seconds(limits.seconds)), its time limit (\(QueryLimits.secondsVariable) sets it)", sql: sql)
        case SQLITE_NOMEM:
            return QueryError(.memoryLimit, "query stopped at \(limits.memoryBytes >> 20) MiB of SQLite memory, its limit (\(QueryLimits.memoryVariable) sets it)", sql: sql)
        case SQLITE_AUTH:
            return QueryError(.refused, refusal(denied ?? "an action"), sql: sql)
        case SQLITE_ERROR where denied != nil:
            return QueryError(.refused, refusal(denied!), sql: sql)
        case SQLITE_ERROR, SQLITE_TOOBIG, SQLITE_RANGE, SQLITE_MISMATCH, SQLITE_CONSTRAINT, SQLITE_READONLY, SQLITE_INTERRUPT:
            return QueryError(.invalid, "query fails: \(message)", sql: sql)
        default:
            return nil
        }
    }

    func refusal(_ what: String) -> String {
        Self.refusal(what)
    }

    /// The message of a refusal of `what`.
    static func refusal(_ what: String) -> String {
        "query refused: \(what) (a query is one read-only SELECT or WITH statement)"
    }

    /// Checks a prepared user query: the rest of the text holds no statement, the statement
    /// begins with SELECT or WITH, and SQLite says it does not write.
    func check(_ statement: OpaquePointer, sql: [UInt8], tailOffset: Int) -> String? {
        if Self.skipBlank(sql, from: tailOffset, semicolons: true) < sql.count {
            return "more than one statement"
        }
        let start = Self.skipBlank(sql, from: 0, semicolons: false)
        var end = start
        while end < sql.count, (sql[end] | 0x20) >= UInt8(ascii: "a"), (sql[end] | 0x20) <= UInt8(ascii: "z") { end += 1 }
        let keyword = String(decoding: sql[start..<end], as: UTF8.self).uppercased()
        guard keyword == "SELECT" || keyword == "WITH" else {
            return keyword.isEmpty ? "not a SELECT or WITH statement" : "a \(keyword) statement"
        }
        guard sqlite3_stmt_readonly(statement) != 0 else { return "a statement that writes" }
        return nil
    }

    /// The offset of the first byte from `offset` on that is not white space or a comment (nor a
    /// semicolon, with `semicolons`).
    static func skipBlank(_ sql: [UInt8], from offset: Int, semicolons: Bool) -> Int {
        var index = offset
        while index < sql.count {
            let byte = sql[index]
            if byte == 0x20 || (0x09...0x0D).contains(byte) || (semicolons && byte == UInt8(ascii: ";")) {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < sql.count, sql[index + 1] == UInt8(ascii: "-") {
                while index < sql.count && sql[index] != 0x0A { index += 1 }
            } else if byte == UInt8(ascii: "/"), index + 1 < sql.count, sql[index + 1] == UInt8(ascii: "*") {
                index += 2
                while index < sql.count && !(sql[index] == UInt8(ascii: "*") && index + 1 < sql.count && sql[index + 1] == UInt8(ascii: "/")) {
                    index += 1
                }
                index = min(index + 2, sql.count)
            } else {
                break
            }
        }
        return index
    }

    /// SQLite's messages for a name the query reads that the database at hand lacks: an empty
    /// database gives them for every table, so they say nothing of the query itself.
    static let schemaDependentFailures = ["query fails: no such table: ", "query fails: no such column: ",
                                          "query fails: no such index: "]

    /// What ``check(_:sql:tailOffset:)`` and the authorizer would refuse in `sql` whatever the
    /// database, found from its text alone: for a query that parses but reads tables an empty
    /// database lacks, so that SQLite stopped before checking the rest.
    ///
    /// A second statement after the first `;`; a first word other than SELECT or WITH; a WITH
    /// whose statement after its common table expressions is not SELECT or VALUES (a DELETE, an
    /// INSERT, an UPDATE); a call of one of ``deniedFunctions``.
    ///
    /// - Complexity: O(*n*) in the length of `sql`.
    static func lexicalRefusal(_ sql: [UInt8]) -> String? {
        let tokens = SQLToken.scan(sql)
        let end = tokens.firstIndex { $0.text == ";" && $0.kind == .symbol } ?? tokens.count
        if end < tokens.count, skipBlank(sql, from: tokens[end].start + 1, semicolons: true) < sql.count {
            return "more than one statement"
        }
        let statement = tokens[..<end]
        guard let first = statement.first else { return nil }
        let keyword = first.kind == .word ? first.text.uppercased() : ""
        guard keyword == "SELECT" || keyword == "WITH" else {
            return keyword.isEmpty ? "not a SELECT or WITH statement" : "a \(keyword) statement"
        }
        if keyword == "WITH", let verb = SQLToken.verbAfterWith(statement), verb != "SELECT" && verb != "VALUES" {
            return "a \(verb) statement"
        }
        for index in statement.indices where index + 1 < end && statement[index + 1].text == "(" {
            let token = statement[index]
            guard token.kind == .word || token.kind == .quoted, deniedFunctions.contains(token.text.lowercased()) else { continue }
            // Not a qualified name, nor a common table expression's name before its column list.
            if index > statement.startIndex && statement[index - 1].text == "." { continue }
            let close = SQLToken.closing(statement, from: index + 1)
            if close + 2 < end, statement[close + 1].text.uppercased() == "AS",
               ["(", "NOT", "MATERIALIZED"].contains(statement[close + 2].text.uppercased()) { continue }
            return token.text.lowercased() + "()"
        }
        return nil
    }

    /// The name of what the authorizer is asked to allow, for a refusal.
    static func actionName(_ action: Int32, _ first: String?, _ second: String?) -> String {
        switch action {
        case SQLITE_CREATE_INDEX, SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX"
        case SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_TABLE: return "CREATE TABLE"
        case SQLITE_CREATE_TRIGGER, SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER"
        case SQLITE_CREATE_VIEW, SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW"
        case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE"
        case SQLITE_DROP_INDEX, SQLITE_DROP_TEMP_INDEX: return "DROP INDEX"
        case SQLITE_DROP_TABLE, SQLITE_DROP_TEMP_TABLE: return "DROP TABLE"
        case SQLITE_DROP_TRIGGER, SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER"
        case SQLITE_DROP_VIEW, SQLITE_DROP_TEMP_VIEW: return "DROP VIEW"
        case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE"
        case SQLITE_INSERT: return "INSERT"
        case SQLITE_UPDATE: return "UPDATE"
        case SQLITE_DELETE: return "DELETE"
        case SQLITE_PRAGMA: return "PRAGMA" + (first.map { " " + $0 } ?? "")
        case SQLITE_TRANSACTION: return first.map { $0.uppercased() } ?? "a transaction"
        case SQLITE_SAVEPOINT: return "SAVEPOINT"
        case SQLITE_ATTACH: return "ATTACH"
        case SQLITE_DETACH: return "DETACH"
        case SQLITE_ALTER_TABLE: return "ALTER TABLE"
        case SQLITE_REINDEX: return "REINDEX"
        case SQLITE_ANALYZE: return "ANALYZE"
        case SQLITE_FUNCTION: return (second ?? "a function") + "()"
        default: return "action \(action)"
        }
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    static func seconds(_ value: Double) -> String {
        value.rounded() == value && value < 1e15 ? "\(Int64(value)) s" : "\(value) s"
    }
}

/// A token of SQL text as far as the static check of a query needs it: a word (keyword or bare
/// name), a quoted name (unquoted), a string literal, a number or a symbol, with its byte offset.
struct SQLToken: Equatable {
    enum Kind { case word, quoted, string, number, symbol }
    let kind: Kind
    let text: String
    let start: Int

    /// The tokens of `sql` by SQLite's lexical rules, comments and white space left out; an
    /// unterminated literal or comment runs to the end.
    static func scan(_ sql: [UInt8]) -> [SQLToken] {
        var tokens: [SQLToken] = []
        var index = QueryGuard.skipBlank(sql, from: 0, semicolons: false)
        while index < sql.count {
            let start = index
            let byte = sql[index]
            let kind: Kind
            var text: String?
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : byte
                var body: [UInt8] = []
                index += 1
                while index < sql.count {
                    if sql[index] == close {
                        // A doubled quote is one quote, except in brackets.
                        guard close != UInt8(ascii: "]"), index + 1 < sql.count, sql[index + 1] == close else { break }
                        index += 1
                    }
                    body.append(sql[index])
                    index += 1
                }
                index = min(index + 1, sql.count)
                kind = byte == UInt8(ascii: "'") ? .string : .quoted
                text = String(decoding: body, as: UTF8.self)
            case _ where isWordByte(byte) && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
                while index < sql.count && isWordByte(sql[index]) { index += 1 }
                kind = .word
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                while index < sql.count && (isWordByte(sql[index]) || sql[index] == UInt8(ascii: ".")) { index += 1 }
                kind = .number
            default:
                index += 1
                kind = .symbol
            }
            tokens.append(SQLToken(kind: kind, text: text ?? String(decoding: sql[start..<index], as: UTF8.self), start: start))
            index = QueryGuard.skipBlank(sql, from: index, semicolons: false)
        }
        return tokens
    }

    /// A byte of a bare word: an ASCII letter, digit, `_`, `$` or any byte of a multi-byte character.
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    /// The index of the `)` closing the `(` at `open`, or the end of `tokens`.
    static func closing(_ tokens: ArraySlice<SQLToken>, from open: Int) -> Int {
        var depth = 0
        for index in open..<tokens.endIndex where tokens[index].kind == .symbol {
            if tokens[index].text == "(" { depth += 1 }
            if tokens[index].text == ")" { depth -= 1; if depth == 0 { return index } }
        }
        return tokens.endIndex
    }

    /// The first word of the statement a `WITH` clause introduces, uppercased, or `nil` when the
    /// tokens are not `WITH [RECURSIVE] name [(columns)] AS [NOT] [MATERIALIZED] (...), ...` then a word.
    static func verbAfterWith(_ tokens: ArraySlice<SQLToken>) -> String? {
        var index = tokens.startIndex + 1
        func word(_ at: Int) -> String? {
            at < tokens.endIndex && tokens[at].kind == .word ? tokens[at].text.uppercased() : nil
        }
        func symbol(_ at: Int) -> String? {
            at < tokens.endIndex && tokens[at].kind == .symbol ? tokens[at].text : nil
        }
        if word(index) == "RECURSIVE" { index += 1 }
        while index < tokens.endIndex {
            guard tokens[index].kind == .word || tokens[index].kind == .quoted else { return nil }
            index += 1
            if symbol(index) == "(" { index = closing(tokens, from: index) + 1 }
            guard word(index) == "AS" else { return nil }
            index += 1
            if word(index) == "NOT" { index += 1 }
            if word(index) == "MATERIALIZED" { index += 1 }
            guard symbol(index) == "(" else { return nil }
            index = closing(tokens, from: index) + 1
            guard symbol(index) == "," else { return word(index) }
            index += 1
        }
        return nil
    }
}

/// The authorizer of a user query: reading, selecting, recursive CTEs and functions other than
/// ``QueryGuard/deniedFunctions`` only. The first text argument is the PRAGMA's or the
/// transaction's name, the second the function's.
private let queryAuthorizer: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                             UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { context, action, first, second, _, _ in
    guard let context else { return SQLITE_DENY }
    let queryGuard = Unmanaged<QueryGuard>.fromOpaque(context).takeUnretainedValue()
    switch action {
    case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
        return SQLITE_OK
    case SQLITE_FUNCTION:
        let name = second.map { String(cString: $0).lowercased() } ?? ""
        if !QueryGuard.deniedFunctions.contains(name) { return SQLITE_OK }
    default:
        break
    }
    // SQLite asks about a statement's write to the schema table before the statement itself
    // (DROP TABLE deletes from sqlite_master first): name the statement when it is asked too.
    let name = first.map { String(cString: $0) }
    let schemaWrite = [SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE].contains(action)
        && ["sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema"].contains(name?.lowercased() ?? "")
    if queryGuard.denied == nil || (queryGuard.deniedSchemaWrite && !schemaWrite) {
        queryGuard.denied = schemaWrite ? "a change to the schema" : QueryGuard.actionName(action, name, second.map { String(cString: $0) })
        queryGuard.deniedSchemaWrite = schemaWrite
    }
    return SQLITE_DENY
}

/// The progress handler of a user query: interrupts it past its deadline.
private let queryProgress: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { context in
    guard let context else { return 0 }
    return Unmanaged<QueryGuard>.fromOpaque(context).takeUnretainedValue().shouldInterrupt() ? 1 : 0
}
