import Foundation
import Testing
import TableIO

/// A mapping's `query:` is one read-only SELECT or WITH statement that runs within a time and a
/// memory limit: what the hostile-mapping campaign tried, one test each. A refusal or a stop is
/// one `synthaudit:` line naming the role and the mapping, exit 65, and leaves the input and the
/// files beside it as they were.
@Suite("hostile queries (end to end)", .serialized)
struct HostileQueryTests {
    typealias Outcome = BinaryRunner.Outcome

    /// A fresh directory with a copy of the SaaS database as `s.db`.
    static func saasCopy() throws -> (directory: URL, database: URL) {
        let source = try #require(HostileInputTests.saas)
        let directory = try BinaryRunner.scratch()
        let database = directory.appendingPathComponent("s.db")
        try FileManager.default.copyItem(at: source, to: database)
        return (directory, database)
    }

    /// The saas profile with its subscriptions role read by `query` instead, as `hostile.yaml`.
    static func writeMapping(_ query: String, in directory: URL) throws {
        let profile = try BinaryRunner.run(["profile", "show", "saas"]).stdout
        let indented = query.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
        let mapping = profile.replacingOccurrences(of: "name: saas", with: "name: hostile\nprofile: saas")
            .replacingOccurrences(of: "    from: day06_subscriptions\n", with: "    query: |-\n\(indented)\n")
        #expect(mapping.contains("query: |-"))
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("hostile.yaml"))
    }

    /// Audits `s.db` of `directory` through `hostile.yaml` under a 60 s limit.
    static func audit(_ directory: URL, environment: [String: String] = [:], limit: Double = 60) throws -> Outcome {
        try BinaryRunner.run(["audit", "s.db", "--profile", "hostile.yaml", "--out", "r", "--quiet"], in: directory,
                             environment: environment, limit: limit)
    }

    /// Exit 65, one printable `synthaudit:` line naming the role, the mapping and every fragment.
    static func expectRefusal(_ outcome: Outcome, _ fragments: [String], _ context: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        HostileInputTests.expectError(outcome, 65, ["role subscriptions", "hostile.yaml"] + fragments, context,
                                      sourceLocation: sourceLocation)
    }

    /// The names of the files in `directory`, sorted.
    static func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test("a query that writes, attaches, runs a PRAGMA, loads an extension or runs two statements is refused; nothing changes",
          arguments: [
              ("VACUUM INTO '@'", "VACUUM"),
              ("SELECT * FROM day06_subscriptions; DROP TABLE day06_subscriptions", "more than one statement"),
              ("DROP TABLE day06_subscriptions", "a change to the schema"),
              ("ATTACH DATABASE '@' AS other", "ATTACH"),
              ("PRAGMA writable_schema = 1", "PRAGMA writable_schema"),
              ("SELECT *, load_extension('@') AS x FROM day06_subscriptions", "load_extension()"),
              ("WITH s AS (SELECT 1) DELETE FROM day06_subscriptions", "DELETE"),
          ])
    func refused(_ template: String, _ fragment: String) throws {
        let (directory, database) = try Self.saasCopy()
        let before = try Data(contentsOf: database)
        let target = directory.appendingPathComponent("stolen.db")
        try Self.writeMapping(template.replacingOccurrences(of: "@", with: target.path), in: directory)
        let outcome = try Self.audit(directory)
        Self.expectRefusal(outcome, ["query refused", fragment], template)
        #expect(!FileManager.default.fileExists(atPath: target.path), "\(template) wrote \(target.path)")
        #expect(try Data(contentsOf: database) == before, "\(template) changed the input")
        #expect(try Self.listing(directory) == ["hostile.yaml", "s.db"], "\(template) left files")
        let db = try SQLiteConnection(path: database.path, mode: .readOnly)
        #expect(try db.scalar("SELECT count(*) FROM day06_subscriptions").integer ?? 0 > 0)
    }

    @Test("a query with a syntax error or an unknown column is malformed input (65), not an I/O error")
    func invalid() throws {
        let (directory, _) = try Self.saasCopy()
        for query in ["SELEC * FROM day06_subscriptions", "SELECT no_such_column FROM day06_subscriptions"] {
            try Self.writeMapping(query, in: directory)
            Self.expectRefusal(try Self.audit(directory), ["query fails"], query)
        }
    }

    @Test("profile check refuses, without the data, a query the audit would refuse whatever the data (65, FILE:LINE naming the role)",
          arguments: [
              ("VACUUM INTO 'stolen.db'", "a VACUUM statement"),
              ("SELECT * FROM day06_subscriptions; DROP TABLE day06_subscriptions", "more than one statement"),
              ("SELEC * FROM day06_subscriptions", "syntax error"),
              ("SELECT *, load_extension('x') AS x FROM day06_subscriptions", "load_extension()"),
          ])
    func profileCheckRefuses(_ query: String, _ fragment: String) throws {
        let directory = try BinaryRunner.scratch()
        try Self.writeMapping(query, in: directory)
        let text = try String(contentsOf: directory.appendingPathComponent("hostile.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("query: |-") }) + 1
        let outcome = try BinaryRunner.run(["profile", "check", "hostile.yaml"], in: directory)
        #expect(!outcome.timedOut && !outcome.signalled, "\(query): timed out or crashed")
        #expect(outcome.status == 65, "\(query): exit \(outcome.status), \(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("hostile.yaml:\(line): role subscriptions: "), "\(query): \(outcome.stderr)")
        #expect(outcome.stderr.contains(fragment), "\(query): no '\(fragment)' in \(outcome.stderr)")
        #expect(outcome.stderr.contains("synthaudit: 1 problem in 'hostile.yaml'"), "\(outcome.stderr)")
        #expect(try Self.listing(directory) == ["hostile.yaml"], "\(query) left files")
    }

    @Test("profile check accepts a good query, and one over tables it cannot see without the data")
    func profileCheckAccepts() throws {
        let directory = try BinaryRunner.scratch()
        for query in ["SELECT * FROM day06_subscriptions -- all of them\n;", "WITH s AS (SELECT * FROM elsewhere) SELECT * FROM s"] {
            try Self.writeMapping(query, in: directory)
            let outcome = try BinaryRunner.run(["profile", "check", "hostile.yaml"], in: directory)
            #expect(outcome.status == 0, "\(query): exit \(outcome.status), \(outcome.stderr)")
            #expect(outcome.stdout.contains("subscriptions <- query"), "\(outcome.stdout)")
        }
    }

    @Test("an endless recursive CTE stops at the time limit, which SYNTHAUDIT_QUERY_SECONDS sets")
    func endlessQuery() throws {
        let (directory, database) = try Self.saasCopy()
        let before = try Data(contentsOf: database)
        // Every column the mapping reads, in rows without end.
        try Self.writeMapping("""
            WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
            SELECT s.* FROM r, day06_subscriptions AS s
            """, in: directory)
        let started = Date()
        let outcome = try Self.audit(directory, environment: [QueryLimits.secondsVariable: "2"], limit: 40)
        let elapsed = Date().timeIntervalSince(started)
        Self.expectRefusal(outcome, ["time limit", "SYNTHAUDIT_QUERY_SECONDS", "after 2 s"], "endless CTE")
        #expect(elapsed < 20, "stopped after \(elapsed) s")
        #expect(try Data(contentsOf: database) == before)
        #expect(try Self.listing(directory) == ["hostile.yaml", "s.db"])
    }

    @Test("an ever-growing sort stops at the memory limit, which SYNTHAUDIT_QUERY_MEMORY_MB sets, and spills to no file")
    func growingSort() throws {
        let (directory, _) = try Self.saasCopy()
        try Self.writeMapping("""
            WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
            SELECT s.*, x FROM r, day06_subscriptions AS s ORDER BY x DESC
            """, in: directory)
        let started = Date()
        let outcome = try Self.audit(directory, environment: [QueryLimits.memoryVariable: "64"], limit: 60)
        let elapsed = Date().timeIntervalSince(started)
        Self.expectRefusal(outcome, ["64 MiB", "SYNTHAUDIT_QUERY_MEMORY_MB"], "growing sort")
        #expect(elapsed < 40, "stopped after \(elapsed) s")
        #expect(try Self.listing(directory) == ["hostile.yaml", "s.db"])
    }

    @Test("a malformed limit in the environment is a usage error")
    func malformedLimit() throws {
        let (directory, _) = try Self.saasCopy()
        try Self.writeMapping("SELECT * FROM day06_subscriptions", in: directory)
        let outcome = try Self.audit(directory, environment: [QueryLimits.secondsVariable: "forever"])
        HostileInputTests.expectError(outcome, 64, [QueryLimits.secondsVariable, "forever"], "malformed limit")
    }

    @Test("a WAL database with content in its -wal file audits in full, leaving no -shm or other file beside it")
    func walDatabase() throws {
        let source = try #require(HostileInputTests.saas)
        let directory = try BinaryRunner.scratch()
        let live = directory.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: live.appendingPathComponent("w.db"))
        // The subscriptions are copied into a table that only the -wal file holds, then the two
        // files are copied while the writer holds them open (closing would checkpoint the log).
        let input = directory.appendingPathComponent("input")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        do {
            let db = try SQLiteConnection(path: live.appendingPathComponent("w.db").path, mode: .readWrite)
            #expect(try db.scalar("PRAGMA journal_mode = WAL") == "wal")
            try db.execute("PRAGMA wal_autocheckpoint = 0; CREATE TABLE wal_subscriptions AS SELECT * FROM day06_subscriptions")
            for name in ["w.db", "w.db-wal"] {
                try FileManager.default.copyItem(at: live.appendingPathComponent(name), to: input.appendingPathComponent(name.replacingOccurrences(of: "w.db", with: "s.db")))
            }
        }
        let files = ["s.db", "s.db-wal"].map { input.appendingPathComponent($0) }
        let before = try files.map { try Data(contentsOf: $0) }
        try Self.writeMapping("SELECT * FROM wal_subscriptions", in: directory)
        let outcome = try BinaryRunner.run(["audit", "input/s.db", "--profile", "hostile.yaml", "--out", "r", "--quiet"], in: directory, limit: 120)
        let whole = try BinaryRunner.run(["audit", source.path, "--out", "w", "--quiet"], in: directory, limit: 120)
        #expect(outcome.status == 0 || outcome.status == 1, "\(outcome.stderr)")
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try Self.listing(input) == ["s.db", "s.db-wal"], "reading left files beside the input")
        #expect(try files.map { try Data(contentsOf: $0) } == before, "reading changed the input")
        let a = try RoleMappingTests.report(directory.appendingPathComponent("w"))
        let b = try RoleMappingTests.report(directory.appendingPathComponent("r"))
        RoleMappingTests.expectSameMetrics(a, b, except: ["database.size_bytes"], "database vs its WAL copy through a query")
    }
}
