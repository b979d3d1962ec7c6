import Foundation
import Testing
import CSQLite
@testable import TableIO

@Suite("SQLite layer")
struct SQLiteConnectionTests {
    static func path() -> String { NSTemporaryDirectory() + "sqlite-\(UUID().uuidString).db" }

    @Test("values round-trip through bind and column")
    func roundTrip() throws {
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (a, b, c, d)")
        try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)").execute([.integer(7), .real(2.5), .text("é"), .null])
        let rows = try db.query("SELECT a, b, c, d FROM t")
        #expect(rows == [[.integer(7), .real(2.5), .text("é"), .null]])
        #expect(try db.scalar("SELECT COUNT(*) FROM t") == .integer(1))
        #expect(try db.tableNames() == ["t"])
        #expect(try db.columnNames(of: "t") == ["a", "b", "c", "d"])
    }

    @Test("an error names its code, message and the SQL")
    func errorsNameTheStatement() throws {
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (x INTEGER CHECK (x > 0))")
        let insert = try db.prepare("INSERT INTO t VALUES (?1)")
        do {
            try insert.execute([.integer(-1)])
            Issue.record("a CHECK violation must throw")
        } catch let error as SQLiteError {
            #expect(error.code & 0xFF == SQLITE_CONSTRAINT)
            #expect(error.description.contains("CHECK constraint failed"))
            #expect(error.description.contains("while executing 'INSERT INTO t VALUES (?1)'"))
            #expect(error.exitStatus == .dataError)
        }
        #expect(throws: SQLiteError.self) { try db.prepare("SELEC 1") }
    }

    @Test("a transaction rolls back when its body throws")
    func rollback() throws {
        struct Stop: Error {}
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (x)")
        #expect(throws: Stop.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (1)")
                throw Stop()
            }
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM t") == .integer(0))
    }

    @Test("a file that is not a database, a truncated one and a missing one are told apart")
    func badFiles() throws {
        let text = Self.path()
        try Data("just,some,csv\n1,2,3\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect {
            try SQLiteConnection(path: text, mode: .readOnly)
        } throws: { error in
            (error as? SQLiteError)?.code == SQLITE_NOTADB && (error as? SQLiteError)?.exitStatus == .dataError
        }

        let full = Self.path()
        do {
            let db = try SQLiteConnection(path: full, mode: .create)
            try db.execute("CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(20000));")
            for _ in 0..<5 { try db.execute("INSERT INTO t SELECT randomblob(20000) FROM t") }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
        let truncated = Self.path()
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        #expect {
            let db = try SQLiteConnection(path: truncated, mode: .readOnly)
            _ = try db.query("SELECT COUNT(*), SUM(length(x)) FROM t")
        } throws: { error in
            (error as? SQLiteError)?.exitStatus == .dataError
        }

        #expect {
            try SQLiteConnection(path: Self.path(), mode: .readOnly)
        } throws: { error in
            (error as? InputError)?.exitStatus == .noInput
        }
    }

    /// A database with table `t` of three rows, and its bytes.
    static func sample() throws -> (path: String, bytes: Data) {
        let path = Self.path()
        do {
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z');")
        }
        return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func files(beside path: String) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        return try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(name) }.sorted()
    }

    @Test("a user query reads: SELECT and WITH, trailing semicolons and comments, views")
    func userQueriesRead() throws {
        let (path, _) = try Self.sample()
        do {
            let db = try SQLiteConnection(path: path, mode: .readWrite)
            try db.execute("CREATE VIEW v AS SELECT a * 10 AS c FROM t")
        }
        let db = try SQLiteConnection(userQueriesOn: path, limits: .standard)
        #expect(try db.query("SELECT a, b FROM t ORDER BY a") == [[1, "x"], [2, "y"], [3, "z"]])
        #expect(try db.query("with s as (select sum(a) as n from t) select n from s; -- total\n /* end */ ;") == [[6]])
        #expect(try db.query("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5) SELECT count(*) FROM r") == [[5]])
        #expect(try db.query("SELECT max(c) FROM v") == [[30]])
        let statement = try db.prepare("SELECT a AS id, upper(b) AS name FROM t")
        #expect((0..<statement.columnCount).map(statement.columnName) == ["id", "name"])
    }

    @Test("a user query that writes, attaches, runs PRAGMA or more than one statement is refused, and nothing changes",
          arguments: [
              ("VACUUM INTO '@'", "a VACUUM statement"),
              ("SELECT a FROM t; DROP TABLE t", "more than one statement"),
              ("SELECT 1; SELECT 2", "more than one statement"),
              ("SELECT 1;\n-- x\n;/* y */ DELETE FROM t", "more than one statement"),
              ("DROP TABLE t", "a change to the schema"),
              ("DELETE FROM t", "DELETE"),
              ("UPDATE t SET a = 0", "UPDATE"),
              ("INSERT INTO t VALUES (4, 'w')", "INSERT"),
              ("WITH s AS (SELECT 1) DELETE FROM t", "DELETE"),
              ("CREATE TEMP TABLE u AS SELECT * FROM t", "a change to the schema"),
              ("CREATE TEMP VIEW u AS SELECT * FROM t", "a change to the schema"),
              ("ALTER TABLE t RENAME TO u", "ALTER TABLE"),
              ("ATTACH DATABASE '@' AS other", "ATTACH"),
              ("DETACH DATABASE main", "DETACH"),
              ("PRAGMA writable_schema = 1", "PRAGMA writable_schema"),
              ("PRAGMA table_info(t)", "PRAGMA table_info"),
              ("SELECT * FROM pragma_table_info('t')", "query refused"),
              ("BEGIN IMMEDIATE", "BEGIN"),
              ("SAVEPOINT s", "SAVEPOINT"),
              ("ANALYZE", "ANALYZE"),
              ("REINDEX", "REINDEX"),
              ("SELECT load_extension('/nonexistent/library')", "load_extension()"),
              ("SELECT fts3_tokenizer('simple')", "fts3_tokenizer()"),
              ("EXPLAIN SELECT * FROM t", "a EXPLAIN statement"),
              ("VALUES (1)", "a VALUES statement"),
              ("", "an empty query"),
              ("-- nothing but a comment", "an empty query"),
              ("SELECT 1\u{0}; DROP TABLE t", "a NUL byte"),
          ])
    func userQueriesRefused(_ template: String, _ reason: String) throws {
        let (path, bytes) = try Self.sample()
        let target = Self.path()
        let sql = template.replacingOccurrences(of: "@", with: target)
        let db = try SQLiteConnection(userQueriesOn: path, limits: .standard)
        #expect {
            _ = try db.query(sql)
        } throws: { error in
            guard let error = error as? QueryError else { return false }
            return error.kind == .refused && error.exitStatus == .dataError && error.message.contains(reason)
                && error.description.hasPrefix("query refused: ") && !error.description.contains("\n")
        }
        #expect(!FileManager.default.fileExists(atPath: target), "\(sql) wrote \(target)")
        #expect(try db.query("SELECT count(*) FROM t") == [[3]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try Self.files(beside: path) == [URL(fileURLWithPath: path).lastPathComponent])
    }

    @Test("a user query that does not prepare or fails as it runs is malformed input, not an I/O error")
    func userQueriesInvalid() throws {
        let (path, _) = try Self.sample()
        let db = try SQLiteConnection(userQueriesOn: path, limits: .standard)
        for sql in ["SELEC a FROM t", "SELECT nothing FROM t", "SELECT * FROM missing", "SELECT abs(-9223372036854775807 - 1)"] {
            #expect {
                _ = try db.query(sql)
            } throws: { error in
                (error as? QueryError)?.kind == .invalid && (error as? QueryError)?.exitStatus == .dataError
                    && (error as? QueryError)?.description.hasPrefix("query fails: ") == true
            }
        }
        // The connection still runs a good query afterwards.
        #expect(try db.query("SELECT count(*) FROM t") == [[3]])
    }

    @Test("the static check of a query refuses, without a database, what the audit refuses whatever the data",
          arguments: [
              ("", QueryError.Kind.refused, "an empty query"),
              (";", .refused, "an empty query"),
              ("   ", .refused, "an empty query"),
              ("-- nothing but a comment\n", .refused, "an empty query"),
              ("SELECT 1\u{0}; DROP TABLE t", .refused, "a NUL byte"),
              ("SELECT * FROM t; DROP TABLE t", .refused, "more than one statement"),
              ("SELECT 'a;b' FROM t; SELECT 2", .refused, "more than one statement"),
              ("SELECT 1;\n-- x\n;/* y */ DELETE FROM t", .refused, "more than one statement"),
              ("VACUUM INTO 'x'", .refused, "a VACUUM statement"),
              ("CREATE TABLE zz (a)", .refused, "a change to the schema"),
              ("INSERT INTO t VALUES (1) RETURNING *", .refused, "a INSERT statement"),
              ("DROP TABLE t", .refused, "DROP"),
              ("PRAGMA journal_mode=WAL", .refused, "PRAGMA journal_mode"),
              ("EXPLAIN SELECT * FROM t", .refused, "a EXPLAIN statement"),
              ("WITH s AS (SELECT 1) DELETE FROM t", .refused, "a DELETE statement"),
              ("with recursive s(x) as materialized (select 1), u as (select 2) update t set a = 1", .refused, "a UPDATE statement"),
              ("SELECT load_extension('x')", .refused, "load_extension()"),
              ("SELECT a, LOAD_EXTENSION ('x') FROM t", .refused, "load_extension()"),
              ("SELECT \"readfile\"('/etc/passwd') AS f FROM t WHERE a > 0", .refused, "readfile()"),
              ("SELEC * FROM t", .invalid, "syntax error"),
              ("'", .invalid, "unrecognized token"),
              ("SELECT * FROM", .invalid, "incomplete input"),
              ("SELECT no_such_function(1)", .invalid, "no such function: no_such_function"),
              ("SELECT abs(1, 2)", .invalid, "wrong number of arguments"),
          ])
    func staticCheckRefuses(_ sql: String, _ kind: QueryError.Kind, _ reason: String) throws {
        let error = try #require(try SQLiteConnection.checkUserQuery(sql), "accepted: \(sql)")
        #expect(error.kind == kind)
        #expect(error.message.contains(reason), "\(error)")
        #expect(error.exitStatus == .dataError)
    }

    @Test("the static check accepts a good query, trailing semicolons and comments, and tables it cannot see",
          arguments: [
              "SELECT * FROM subscriptions",
              "WITH x AS (SELECT 1) SELECT * FROM x",
              "SELECT * FROM subscriptions ; -- the end\n/* done */ ;",
              "SELECT s.a, p.b FROM nowhere AS s JOIN missing AS p ON p.id = s.id WHERE s.c > 0 ORDER BY 1",
              "SELECT unknown_column FROM t INDEXED BY no_such_index",
              "WITH readfile(a) AS (SELECT 1) SELECT a, 'load_extension(' FROM readfile, t",
              "WITH x AS (SELECT 1) VALUES (1)",
              "SELECT abs(-9223372036854775807 - 1)",
          ])
    func staticCheckAccepts(_ sql: String) throws {
        let error = try SQLiteConnection.checkUserQuery(sql)
        #expect(error == nil, "\(sql): \(error.map(String.init(describing:)) ?? "")")
    }

    @Test("an endless recursive CTE stops at the time limit, counted from the first step")
    func userQueryTimeLimit() throws {
        let (path, _) = try Self.sample()
        let db = try SQLiteConnection(userQueriesOn: path, limits: QueryLimits(seconds: 0.5, memoryBytes: QueryLimits.standard.memoryBytes))
        let statement = try db.prepare("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r")
        // Time before the first step does not count.
        usleep(700_000)
        let started = Date()
        var rows = 0
        #expect {
            while try statement.step() { rows += 1 }
        } throws: { error in
            (error as? QueryError)?.kind == .timeLimit && (error as? QueryError)?.exitStatus == .dataError
                && (error as? QueryError)?.message.contains("SYNTHAUDIT_QUERY_SECONDS") == true
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.45 && elapsed < 3, "stopped after \(elapsed) s")
        #expect(rows > 1_000)
        // A sort that never returns a row is stopped too; the next query gets its own time.
        #expect {
            _ = try db.query("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r ORDER BY x DESC LIMIT 1")
        } throws: { error in
            (error as? QueryError)?.kind == .timeLimit || (error as? QueryError)?.kind == .memoryLimit
        }
        #expect(try db.query("SELECT count(*) FROM t") == [[3]])
    }

    @Test("the limits come from the environment's variables; a malformed one is a usage error")
    func limitsFromEnvironment() throws {
        #expect(QueryLimits.standard == QueryLimits(seconds: 60, memoryBytes: 1 << 30))
        #expect(QueryLimitsError(variable: QueryLimits.secondsVariable, value: "soon").exitStatus == .usage)
    }

    /// A WAL-mode copy of `sample()` whose table `w` exists only in its `-wal` file.
    static func walSample() throws -> String {
        let (source, _) = try Self.sample()
        let db = try SQLiteConnection(path: source, mode: .readWrite)
        #expect(try db.scalar("PRAGMA journal_mode = WAL") == "wal")
        try db.execute("PRAGMA wal_autocheckpoint = 0; CREATE TABLE w AS SELECT a * 2 AS d FROM t")
        // Copied while the writer holds them: the committed table is in the -wal file only.
        let copy = Self.path()
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        try FileManager.default.copyItem(atPath: source + "-wal", toPath: copy + "-wal")
        return copy
    }

    @Test("a WAL database with content in its -wal file is read in full and left as it was, with no -shm beside it")
    func walWithLog() throws {
        let path = try Self.walSample()
        let before = try [path, path + "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let name = URL(fileURLWithPath: path).lastPathComponent
        do {
            let plain = try SQLiteConnection(path: path, mode: .readOnly)
            let guarded = try SQLiteConnection(userQueriesOn: path, limits: .standard)
            #expect(try plain.tableNames() == ["t", "w"])
            #expect(try guarded.query("SELECT sum(d) FROM w") == [[12]])
            #expect(try Self.files(beside: path) == [name, name + "-wal"])
        }
        #expect(try [path, path + "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
        #expect(try Self.files(beside: path) == [name, name + "-wal"])
        // The private copy is gone with the last connection.
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let copies = try FileManager.default.contentsOfDirectory(atPath: temporary).filter { $0.hasPrefix("synthaudit-wal-\(getpid())-") }
        #expect(copies.isEmpty, "left: \(copies)")
    }

    @Test("a WAL database with an empty -wal file is read as it is, with no -shm beside it")
    func walWithEmptyLog() throws {
        let path = try Self.walSample()
        try Data().write(to: URL(fileURLWithPath: path + "-wal"))
        let name = URL(fileURLWithPath: path).lastPathComponent
        let db = try SQLiteConnection(path: path, mode: .readOnly)
        #expect(try db.tableNames() == ["t"])
        #expect(try Self.files(beside: path) == [name, name + "-wal"])
    }
}
