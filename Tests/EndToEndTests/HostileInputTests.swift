import Foundation
import Testing
import TableIO

#if canImport(Glibc)
import Glibc
#endif

/// The defects of the hostile-input campaign, one test each: a crash, hangs, a raw error, a
/// silent pass, outputs replaced without consent, memory per row, and messages. Every command
/// runs under a time limit, so that a hang fails the test instead of stalling the suite.
@Suite("hostile input (end to end)", .serialized)
struct HostileInputTests {
    typealias Outcome = BinaryRunner.Outcome

    /// Runs the binary under a time limit (60 s unless stated).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    limit: Double = 60) throws -> Outcome {
        try BinaryRunner.run(arguments, in: directory, environment: environment, limit: limit)
    }

    /// An error exit: the status, one `synthaudit:` line, printable, containing every fragment.
    static func expectError(_ outcome: Outcome, _ status: Int32, _ fragments: [String], _ context: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!outcome.timedOut && !outcome.signalled, "\(context): timed out or crashed", sourceLocation: sourceLocation)
        #expect(outcome.status == status, "\(context): exit \(outcome.status), \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.errorLines.count == 1 && outcome.stderr.hasPrefix("synthaudit: "),
                "\(context): not one synthaudit: line: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.unicodeScalars.allSatisfy { $0 == "\n" || ($0.value >= 0x20 && $0.value != 0x7F && $0 != "\u{FFFD}") },
                "\(context): unprintable bytes in \(outcome.stderr.debugDescription)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(outcome.stderr.contains(fragment), "\(context): no '\(fragment)' in \(outcome.stderr)", sourceLocation: sourceLocation)
        }
    }

    static let creators: URL? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "c", "--quiet"], in: directory),
              outcome.status == 0 else { return nil }
        return directory.appendingPathComponent("c")
    }()

    static let saas: URL? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "saas", "--out", "s.db", "--quiet"], in: directory),
              outcome.status == 0 else { return nil }
        return directory.appendingPathComponent("s.db")
    }()

    /// A copy of the small creators dataset in a fresh directory.
    static func creatorsCopy() throws -> (directory: URL, data: URL) {
        let source = try #require(creators)
        let directory = try BinaryRunner.scratch()
        let data = directory.appendingPathComponent("data")
        try FileManager.default.copyItem(at: source, to: data)
        return (directory, data)
    }

    /// A copy of the SaaS database changed by `sql`.
    static func saasCopy(_ sql: String) throws -> (directory: URL, database: URL) {
        let directory = try BinaryRunner.scratch()
        let database = directory.appendingPathComponent("s.db")
        try FileManager.default.copyItem(at: try #require(saas), to: database)
        let connection = try SQLiteConnection(path: database.path, mode: .create)
        try connection.execute("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON; \(sql)")
        return (directory, database)
    }

    static let signalpilot = BinaryRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/thirdparty/signalpilot")

    // MARK: 1. Crash

    @Test("a mapping window of any length up to 100 years is audited; a longer one is refused with its line, never a crash")
    func longWindows() throws {
        let directory = try BinaryRunner.scratch()
        let mapping = try String(contentsOf: BinaryRunner.packageRoot.appendingPathComponent("examples/signalpilot-profile.yaml"), encoding: .utf8)
        for (window, expected) in [("[2012-05, 2024-12]", nil), ("[1925-01, 2024-12]", nil), ("[0001-01, 9999-12]", Int32(65))] as [(String, Int32?)] {
            let profile = directory.appendingPathComponent("p.yaml")
            try mapping.replacingOccurrences(of: "[2024-01, 2025-12]", with: window).write(to: profile, atomically: true, encoding: .utf8)
            let outcome = try Self.run(["audit", Self.signalpilot.path, "--profile", profile.path, "--out", "r", "--force"], in: directory)
            if let expected {
                Self.expectError(outcome, expected, ["p.yaml:", "'window' spans 0001-01 .. 9999-12", "at most 1,200 months"], window)
            } else {
                #expect(!outcome.signalled && !outcome.timedOut, "\(window): \(outcome.stderr.prefix(300))")
                #expect(outcome.status == 1, "\(window): \(outcome.stderr.prefix(300))")
                #expect(outcome.stderr.contains("integrity tests failing"))
            }
        }
    }

    @Test("a 1,200-month window over data with daily payments stays in bounded memory (the daily series keep their last ten years)")
    func longestWindow() throws {
        let (directory, _) = try Self.creatorsCopy()
        try "profile: creators\nname: long\nwindow: [1925-01, 2024-12]\n".write(to: directory.appendingPathComponent("long.yaml"),
                                                                              atomically: true, encoding: .utf8)
        let outcome = try Self.run(["audit", "data", "--profile", "long.yaml", "--out", "r"], in: directory,
                                   environment: ["SYNTHAUDIT_PHASES": "1"], limit: 120)
        #expect(!outcome.timedOut && !outcome.signalled, "\(outcome.stderr.suffix(500))")
        #expect([0, 1].contains(outcome.status), "\(outcome.stderr.suffix(500))")
        let peak = outcome.errorLines.compactMap { line -> Int? in
            guard let range = line.range(of: "peak ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.max() ?? Int.max
        #expect(peak < 1_024, "peak \(peak) MiB (Theil-Sen over every pair of a 36,500-day series took 5 GB)")
        let report = try String(contentsOf: directory.appendingPathComponent("r/report.json"), encoding: .utf8)
        #expect(report.contains("the daily series cover its last 3,653 days"))
    }

    // MARK: 2. Hangs

    @Test("a FIFO, a device or a dangling or looping link in place of an input is one line and exit 66, at once")
    func specialFiles() throws {
        let (directory, data) = try Self.creatorsCopy()
        let posts = data.appendingPathComponent("posts.csv")
        let events = data.appendingPathComponent("engagement_events.csv")
        try FileManager.default.removeItem(at: posts)
        #expect(mkfifo(posts.path, 0o644) == 0)
        Self.expectError(try Self.run(["audit", "data", "--out", "r"], in: directory, limit: 20), 66, ["posts.csv", "a FIFO"], "FIFO posts.csv")
        try FileManager.default.removeItem(at: posts)
        try FileManager.default.copyItem(at: try #require(Self.creators).appendingPathComponent("posts.csv"), to: posts)

        try FileManager.default.removeItem(at: events)
        try FileManager.default.createSymbolicLink(atPath: events.path, withDestinationPath: "/dev/urandom")
        for attempt in 0..<3 {
            Self.expectError(try Self.run(["audit", "data", "--out", "r\(attempt)"], in: directory, limit: 20), 66,
                             ["engagement_events.csv", "character device"], "events -> /dev/urandom")
        }
        // An optional file that is a dangling link is reported, not taken for absent.
        try FileManager.default.removeItem(at: events)
        try FileManager.default.createSymbolicLink(atPath: events.path, withDestinationPath: "nowhere.csv")
        Self.expectError(try Self.run(["audit", "data", "--out", "r"], in: directory, limit: 20), 66,
                         ["engagement_events.csv", "dangling"], "dangling events link")
        try FileManager.default.removeItem(at: events)
        try FileManager.default.createSymbolicLink(atPath: events.path, withDestinationPath: "engagement_events.csv")
        Self.expectError(try Self.run(["audit", "data", "--out", "r"], in: directory, limit: 20), 66,
                         ["engagement_events.csv", "loop"], "looping events link")

        // A Unix socket where the database should be.
        let socketMaker = Process()
        socketMaker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        socketMaker.arguments = ["python3", "-c", "import socket; socket.socket(socket.AF_UNIX).bind('socket.db')"]
        socketMaker.currentDirectoryURL = directory
        try socketMaker.run()
        socketMaker.waitUntilExit()
        Self.expectError(try Self.run(["audit", "socket.db"], in: directory, limit: 20), 66, ["socket.db", "a socket"], "socket database")

        #expect(mkfifo(directory.appendingPathComponent("fifo.db").path, 0o644) == 0)
        Self.expectError(try Self.run(["audit", "fifo.db"], in: directory, limit: 20), 66, ["fifo.db", "a FIFO"], "FIFO database")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("gone.db").path, withDestinationPath: "nothing.db")
        Self.expectError(try Self.run(["audit", "gone.db"], in: directory, limit: 20), 66, ["gone.db", "dangling"], "dangling database")
    }

    @Test("a stray month far in the future is refused at once; a million-row subscriptions table of junk is audited, linearly")
    func saasHangs() throws {
        for month in ["9999-12-01", "0001-01-01"] {
            let (directory, _) = try Self.saasCopy("INSERT INTO day06_mrr_movements (month, new_mrr, expansion_mrr, contraction_mrr, churn_mrr, net_mrr) VALUES ('\(month)', 0, 0, 0, 0, 0);")
            Self.expectError(try Self.run(["audit", "s.db", "--out", "r"], in: directory, limit: 30), 65,
                             ["s.db", "day06_mrr_movements.month spans", "at most 1,200 months"], month)
        }
        // 200,000 junk subscriptions (a random half of them for real customers): the lifecycle
        // and customer-life queries used to be correlated subqueries, quadratic in the rows.
        let (directory, database) = try Self.saasCopy("")
        let connection = try SQLiteConnection(path: database.path, mode: .create)
        try connection.execute("""
            PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON;
            DROP INDEX idx_day06_subscriptions_customer_id; DROP INDEX idx_day06_subscriptions_start_date;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000),
            c AS (SELECT customer_id, ROW_NUMBER() OVER (ORDER BY customer_id) - 1 AS k FROM day06_customers)
            INSERT INTO day06_subscriptions (subscription_id, customer_id, start_date, end_date, mrr, plan_tier)
            SELECT 'junk_' || i, COALESCE(c.customer_id, 'nobody_' || i),
                   printf('20%02d-%02d-%02d', 10 + i % 20, 1 + i % 12, 1 + i % 28),
                   CASE WHEN i % 3 = 0 THEN NULL ELSE printf('20%02d-%02d-01', 10 + (i * 7) % 20, 1 + (i * 5) % 12) END,
                   (i % 1000) + 0.5, CASE i % 4 WHEN 0 THEN 'Starter' WHEN 1 THEN 'Pro' WHEN 2 THEN 'Enterprise' ELSE 'junk' END
            FROM n LEFT JOIN c ON i % 2 = 0 AND c.k = (i * 7919) % 500;
            """)
        let outcome = try Self.run(["audit", "s.db", "--out", "r"], in: directory, limit: 300)
        #expect(!outcome.timedOut && !outcome.signalled, "\(outcome.stderr)")
        #expect(outcome.status == 1, "\(outcome.stderr)")
        // Any table name a database may hold, quotes included, is counted, not an SQL error.
        try connection.execute("CREATE TABLE \"zz\"\"q\" (a)")
        let quoted = try Self.run(["audit", "s.db", "--out", "q"], in: directory, limit: 300)
        #expect(quoted.status == 1, "\(quoted.stderr)")
        #expect(try String(contentsOf: directory.appendingPathComponent("q/report.json"), encoding: .utf8).contains("s.db:zz\\\"q"))
    }

    // MARK: 3. Raw errors

    @Test("a truncated, empty, garbage, directory or FIFO golden report.json is one line naming it, exit 65 or 66")
    func badGolden() throws {
        let (directory, database) = try Self.saasCopy("")
        let golden = directory.appendingPathComponent("golden")
        try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
        let report = golden.appendingPathComponent("report.json")
        let good = try Data(contentsOf: BinaryRunner.packageRoot.appendingPathComponent("golden/saas/report.json"))
        for (name, bytes) in [("truncated", good.prefix(good.count / 2)), ("empty", Data()), ("garbage", Data([0xFF, 0x00, 0x1B, 0x41]))] {
            try bytes.write(to: report)
            Self.expectError(try Self.run(["audit", database.path, "--golden", "golden", "--quiet"], in: directory), 65,
                             ["golden/report.json", "re-record"], name)
        }
        try FileManager.default.removeItem(at: report)
        try FileManager.default.createDirectory(at: report, withIntermediateDirectories: false)
        Self.expectError(try Self.run(["audit", database.path, "--golden", "golden", "--quiet"], in: directory), 66,
                         ["golden/report.json", "a directory"], "directory")
        try FileManager.default.removeItem(at: report)
        #expect(mkfifo(report.path, 0o644) == 0)
        Self.expectError(try Self.run(["audit", database.path, "--golden", "golden", "--quiet"], in: directory, limit: 20), 66,
                         ["golden/report.json", "a FIFO"], "FIFO")
    }

    // MARK: 4. Silent pass

    @Test("a SaaS database missing what the profile requires is malformed input (65), not a pass with every check inconclusive")
    func saasRequirements() throws {
        let cases: [(String, [String])] = [
            ("DROP TABLE day06_customers;", ["table day06_customers"]),
            ("UPDATE day06_mrr_movements SET month = NULL;", ["values in day06_mrr_movements.month"]),
            ("""
             DROP VIEW day06_mrr_summary; DROP VIEW day06_churn_by_cohort; DROP VIEW day06_retention_curves;
             DROP VIEW day06_customer_health; ALTER TABLE day06_subscriptions DROP COLUMN mrr;
             """, ["column day06_subscriptions.mrr"]),
            ("DELETE FROM day06_subscriptions;", ["day06_subscriptions (it is empty)"]),
        ]
        for (sql, fragments) in cases {
            let (directory, _) = try Self.saasCopy(sql)
            Self.expectError(try Self.run(["audit", "s.db", "--out", "r"], in: directory), 65,
                             ["'s.db' lacks what the saas profile requires"] + fragments, sql)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r").path), "\(sql): a report was written")
        }
        // The movements table is optional: without it, or with it empty, the window comes from the
        // subscriptions and what reads it is listed as skipped, with the reason.
        for (sql, reason) in [("DROP TABLE day06_mrr_movements;", "is missing"), ("DELETE FROM day06_mrr_movements;", "is empty")] {
            let (directory, _) = try Self.saasCopy(sql)
            let outcome = try Self.run(["audit", "s.db", "--out", "r"], in: directory)
            #expect(outcome.status == 0 || outcome.status == 1, "\(sql): \(outcome.stderr)")
            let report = try String(contentsOf: directory.appendingPathComponent("r/report.json"), encoding: .utf8)
            #expect(report.contains("table day06_mrr_movements (role movements) \(reason)"), "\(sql)")
        }
    }

    @Test("MRR from amounts stored as text, with sub-cent parts, or absurdly large equals SQL's sum at each month end")
    func saasAmounts() throws {
        let cases = [
            ("text", "UPDATE day06_subscriptions SET mrr = CAST(mrr AS TEXT);"),
            ("sub-cent", "UPDATE day06_subscriptions SET mrr = mrr + 0.004;"),
            ("large, ended early", "INSERT INTO day06_subscriptions VALUES ('big', 'nobody', '2023-01-05', '2023-02-10', 1e17, 'Pro');"),
        ]
        for (name, sql) in cases {
            let (directory, database) = try Self.saasCopy(sql)
            let outcome = try Self.run(["audit", "s.db", "--out", "r"], in: directory)
            #expect([0, 1].contains(outcome.status), "\(name): \(outcome.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("r/report.json"))) as? [String: Any]
            let series = try #require(((report?["metrics"] as? [String: Any])?["mrr.series"] as? [String: Any])?["series"] as? [[String: Any]])
            let connection = try SQLiteConnection(path: database.path, mode: .readOnly)
            for point in series {
                let key = try #require(point["key"] as? String)
                let end = try #require(CivilDate(key + "-01")).yearMonth.lastDay.description
                let expected = try connection.scalar("""
                    SELECT COALESCE(SUM(mrr), 0) FROM day06_subscriptions WHERE start_date <= ?1 AND (end_date IS NULL OR end_date > ?1)
                    """, [.text(end)]).double ?? 0
                let value = point["value"] as? Double ?? .nan
                #expect(abs(value - expected) <= 1e-6 * max(1, abs(expected)), "\(name) \(key): \(value) against SQL's \(expected)")
            }
        }
    }

    // MARK: 5. Consent and safety of outputs

    @Test("two concurrent runs without --force on the same new target: exactly one succeeds, the other exits 64")
    func concurrentPublish() throws {
        let directory = try BinaryRunner.scratch()
        for round in 0..<8 {
            let target = "race\(round).db"
            let first = try BinaryRunner.start(["generate", "saas", "--out", target, "--quiet"], in: directory)
            let second = try BinaryRunner.start(["generate", "saas", "--out", target, "--quiet"], in: directory)
            let statuses = [BinaryRunner.finish(first).status, BinaryRunner.finish(second).status].sorted()
            #expect(statuses == [0, 64], "round \(round): \(statuses)")
            let connection = try SQLiteConnection(path: directory.appendingPathComponent(target).path, mode: .readOnly)
            #expect(try connection.scalar("SELECT COUNT(*) FROM day06_customers").integer == 500)
        }
        let creatorsFirst = try BinaryRunner.start(["generate", "creators", "--scale", "0.02", "--out", "c", "--quiet"], in: directory)
        let creatorsSecond = try BinaryRunner.start(["generate", "creators", "--scale", "0.02", "--out", "c", "--quiet"], in: directory)
        let statuses = [BinaryRunner.finish(creatorsFirst).status, BinaryRunner.finish(creatorsSecond).status].sorted()
        #expect(statuses == [0, 64], "creators: \(statuses)")
    }

    @Test("--force replaces only the tool's own outputs: never a device, a FIFO, a link, a folder of other files or an input")
    func forceRefusals() throws {
        let (directory, data) = try Self.creatorsCopy()
        #expect(mkfifo(directory.appendingPathComponent("pipe").path, 0o644) == 0)
        let device = directory.appendingPathComponent("null-device")
        let haveDevice = mknod(device.path, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0
        let foreign = directory.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: false)
        try Data("keep me\n".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("link.db").path, withDestinationPath: "elsewhere.db")
        var cases: [([String], [String])] = [
            (["generate", "saas", "--out", "pipe", "--force"], ["'pipe'", "a FIFO"]),
            (["generate", "saas", "--out", "link.db", "--force"], ["'link.db'", "symbolic link"]),
            (["generate", "saas", "--out", "foreign", "--force"], ["'foreign'", "directory"]),
            (["generate", "saas", "--out", "foreign/notes.txt", "--force"], ["'foreign/notes.txt'", "a file this command did not write"]),
            (["audit", "data", "--golden", "foreign", "--update-golden"], ["'foreign'", "does not write ('notes.txt')"]),
            (["generate", "creators", "--scale", "0.02", "--out", "foreign", "--force"], ["'foreign'", "does not write ('notes.txt')"]),
            (["audit", "data", "--out", "foreign", "--force"], ["'foreign'", "does not write ('notes.txt')"]),
            (["audit", "data", "--out", "data", "--force"], ["'data'", "an input of this command"]),
            (["audit", "data", "--out", ".", "--force"], ["'.'", "an input of this command"]),
        ]
        if haveDevice { cases.append((["generate", "saas", "--out", "null-device", "--force"], ["'null-device'", "a character device"])) }
        let before = try Data(contentsOf: data.appendingPathComponent("pledges.csv"))
        for (arguments, fragments) in cases {
            Self.expectError(try Self.run(arguments, in: directory), 64, ["will not write"] + fragments, arguments.joined(separator: " "))
        }
        var info = stat()
        #expect(lstat(directory.appendingPathComponent("pipe").path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        if haveDevice { #expect(lstat(device.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR) }
        #expect(try String(contentsOf: foreign.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep me\n")
        #expect(try Data(contentsOf: data.appendingPathComponent("pledges.csv")) == before)
        // The tool's own outputs are replaced with --force, as before.
        #expect(try [0, 1].contains(Self.run(["audit", "data", "--out", "r", "--quiet"], in: directory).status))
        #expect(try [0, 1].contains(Self.run(["audit", "data", "--out", "r", "--force", "--quiet"], in: directory).status))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("r/report.json").path))
        #expect(try Self.run(["generate", "creators", "--scale", "0.02", "--out", "g", "--quiet"], in: directory).status == 0)
        #expect(try Self.run(["generate", "creators", "--scale", "0.02", "--out", "g", "--force", "--quiet"], in: directory).status == 0)
    }

    @Test("a killed run's hidden temporary is removed by the next run on the same target")
    func staleTemporaries() throws {
        let directory = try BinaryRunner.scratch()
        // A process that has ended: its pid names no running process.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/sh")
        ended.arguments = ["-c", "exit 0"]
        try ended.run()
        ended.waitUntilExit()
        let pid = ended.processIdentifier
        let staleFile = directory.appendingPathComponent(".out.db.tmp-\(pid)")
        let staleDirectory = directory.appendingPathComponent(".c.tmp-\(pid)")
        let unrelated = directory.appendingPathComponent(".other.db.tmp-\(pid)")
        try Data("partial".utf8).write(to: staleFile)
        try FileManager.default.createDirectory(at: staleDirectory, withIntermediateDirectories: false)
        try Data("partial".utf8).write(to: staleDirectory.appendingPathComponent("pledges.csv"))
        try Data("partial".utf8).write(to: unrelated)
        #expect(try Self.run(["generate", "saas", "--out", "out.db", "--quiet"], in: directory).status == 0)
        #expect(try Self.run(["generate", "creators", "--scale", "0.02", "--out", "c", "--quiet"], in: directory).status == 0)
        #expect(!FileManager.default.fileExists(atPath: staleFile.path))
        #expect(!FileManager.default.fileExists(atPath: staleDirectory.path))
        #expect(FileManager.default.fileExists(atPath: unrelated.path), "a temporary of another target was removed")

        // And for real: SIGKILL a generator mid-write (until a kill lands while its temporary
        // exists), then run it again.
        var leftBehind = false
        for delay in [150_000, 300_000, 500_000, 800_000] where !leftBehind {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("k"))
            let running = try BinaryRunner.start(["generate", "creators", "--scale", "1", "--out", "k", "--quiet"], in: directory)
            usleep(useconds_t(delay))
            kill(running.process.processIdentifier, SIGKILL)
            _ = BinaryRunner.finish(running)
            leftBehind = try FileManager.default.contentsOfDirectory(atPath: directory.path).contains { $0.hasPrefix(".k.tmp-") }
        }
        #expect(leftBehind, "no kill landed while the temporary existed")
        #expect(try Self.run(["generate", "creators", "--scale", "0.02", "--out", "k", "--quiet", "--force"], in: directory).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".k.") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    // MARK: 6. Memory

    @Test("a million tiny rows in creators.csv stay within a few hundred bytes a row (they took about 1 KB)")
    func creatorsMemory() throws {
        let (directory, data) = try Self.creatorsCopy()
        let file = data.appendingPathComponent("creators.csv")
        let header = try String(contentsOf: file, encoding: .utf8).prefix { $0 != "\n" }
        let commas = String(repeating: ",", count: header.filter { $0 == "," }.count)
        var text = header + "\n"
        text.reserveCapacity(16 * 1_000_000)
        for index in 0..<1_000_000 { text += "x\(index)\(commas)\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let outcome = try Self.run(["audit", "data", "--out", "r"], in: directory, environment: ["SYNTHAUDIT_PHASES": "1"], limit: 120)
        #expect(!outcome.timedOut && !outcome.signalled)
        let peaks = outcome.errorLines.compactMap { line -> Int? in
            guard let range = line.range(of: "peak ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        let peak = try #require(peaks.max(), "no phase lines: \(outcome.stderr.prefix(300))")
        #expect(peak < 300, "peak \(peak) MiB for a million creators rows")
    }

    // MARK: 7. Messages

    @Test("usage, bands and profile errors: one printable synthaudit: line with the documented code")
    func messages() throws {
        let directory = try BinaryRunner.scratch()
        try Data("profile: saas\nbands:\n  - metric: customers.count\n    target: [1, \u{1B}[31m2]\n\u{7}oops: [\n".utf8).write(to: directory.appendingPathComponent("ctl.yaml"))
        try Data([0x70, 0x72, 0x6F, 0x66, 0x69, 0x6C, 0x65, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: directory.appendingPathComponent("latin.yaml"))
        try Data("profile: creators\nwindow: [2024-01]\nfiles: {nope: x.csv}\n".utf8).write(to: directory.appendingPathComponent("bad-profile.yaml"))
        let database = try #require(Self.saas).path
        let creators = try #require(Self.creators).path
        let cases: [([String], Int32, [String])] = [
            (["generate", "saas", "--seed", "-1", "--out", "x.db"], 64, ["--seed", "whole number"]),
            (["generate", "creators", "--scale", "-1", "--out", "x"], 64, ["--scale"]),
            (["generate", "saas", "--out", ""], 64, ["--out"]),
            (["audit", database, "--out", ""], 64, ["--out must name a directory"]),
            (["audit", database, "--nonsense"], 64, ["--nonsense"]),
            (["audit"], 64, ["synthaudit: "]),
            (["audit", database, "--bands", "ctl.yaml"], 65, ["ctl.yaml:"]),
            (["audit", database, "--bands", "latin.yaml"], 65, ["latin.yaml:1", "not UTF-8"]),
            (["audit", creators, "--profile", "bad-profile.yaml"], 65, ["bad-profile.yaml:2", "more problem"]),
            (["audit", database, "--bands", "nope.yaml"], 66, ["no such bands file 'nope.yaml'"]),
            (["audit", creators, "--profile", "saas"], 65, ["lacks what the saas profile requires", "table day06_customers"]),
        ]
        for (arguments, status, fragments) in cases {
            Self.expectError(try Self.run(arguments, in: directory), status, fragments, arguments.joined(separator: " "))
        }
        // `bands check` lists every problem, one printable line each.
        let check = try Self.run(["bands", "check", "ctl.yaml"], in: directory)
        #expect(check.status == 65)
        #expect(check.stderr.unicodeScalars.allSatisfy { $0 == "\n" || ($0.value >= 0x20 && $0.value != 0x7F) }, "\(check.stderr.debugDescription)")
    }
}
