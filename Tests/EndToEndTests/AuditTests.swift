import Foundation
import Testing
import TableIO

/// `synthaudit audit` run as a user runs it: the default SaaS dataset against the golden report,
/// the third-party database, and every kind of bad input with its exit code.
@Suite("audit (end to end)", .serialized)
struct AuditTests {
    /// The default SaaS dataset, generated afresh under its default name.
    static let saas: URL? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "saas", "--quiet"], in: directory),
              outcome.status == 0 else { return nil }
        return directory.appendingPathComponent("data/day06_saas_metrics.db")
    }()

    @Test("the default SaaS dataset fails no check and matches the golden report (the golden gate)")
    func goldenGate() throws {
        let database = try #require(Self.saas)
        let golden = BinaryRunner.packageRoot.appendingPathComponent("golden/saas").path
        let outcome = try BinaryRunner.run(["audit", database.path, "--golden", golden, "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test("--out writes report.md, report.json and the charts it links; an existing directory needs --force")
    func reports() throws {
        let database = try #require(Self.saas)
        let directory = try BinaryRunner.scratch()
        let first = try BinaryRunner.run(["audit", database.path, "--out", "r"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("16 pass, 1 warn, 0 fail, 9 inconclusive; 0 of 40 integrity tests failing"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("r").path).sorted()
        #expect(files == ["chart-anomaly-monthly-churn-rate.svg", "chart-anomaly-new-customers-monthly.svg", "chart-anomaly-platform-mrr-monthly.svg",
                          "chart-mrr-movements.svg", "chart-mrr.svg", "chart-retention.svg", "chart-seasonal-new-customers.svg", "report.json", "report.md"])
        let markdown = try String(contentsOf: directory.appendingPathComponent("r/report.md"), encoding: .utf8)
        for chart in files where chart.hasSuffix(".svg") {
            #expect(markdown.contains("](\(chart))"), "report.md does not link \(chart)")
            let svg = try String(contentsOf: directory.appendingPathComponent("r/\(chart)"), encoding: .utf8)
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("r/report.json"))) as? [String: Any]
        for key in ["tool", "profile", "inputs", "as_of", "metrics", "checks", "integrity", "anomalies", "summary", "conflicts"] {
            #expect(json?[key] != nil, "report.json lacks \(key)")
        }
        // The cohort matrix pools to the pooled retention figures; censored cells are null, not 0.
        let metrics = try #require(json?["metrics"] as? [String: Any])
        let matrix = try #require((metrics["retention.cohorts"] as? [String: Any])?["matrix"] as? [[String: Any]])
        #expect(matrix.count == 24)
        for k in [1, 3, 6, 12, 23] {
            var retained = 0
            var size = 0
            for row in matrix {
                guard let cells = row["retained"] as? [Any], let value = cells[k] as? Int else { continue }
                retained += value
                size += row["size"] as? Int ?? 0
            }
            let pooled = try #require((metrics["retention.pooled.k\(k)"] as? [String: Any])?["value"] as? Double)
            #expect(abs(Double(retained) / Double(size) - pooled) < 1e-9, "k = \(k)")
        }
        #expect((matrix.last?["retained"] as? [Any])?.dropFirst().allSatisfy { $0 is NSNull } == true)
                // report.json follows the committed JSON Schema.
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["python3", BinaryRunner.packageRoot.appendingPathComponent("scripts/check/validate_report.py").path,
                               directory.appendingPathComponent("r/report.json").path,
                               BinaryRunner.packageRoot.appendingPathComponent("golden/saas/report.json").path]
        let output = Pipe()
        validator.standardOutput = output
        validator.standardError = output
        try validator.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "schema validation (needs pip install jsonschema): \(printed)")
        let again = try BinaryRunner.run(["audit", database.path, "--out", "r"], in: directory)
        #expect(again.status == 64)
        let forced = try BinaryRunner.run(["audit", database.path, "--out", "r", "--force", "--quiet"], in: directory)
        #expect(forced.status == 0)
        // Deterministic: the same input gives the same bytes.
        let second = try BinaryRunner.run(["audit", database.path, "--out", "s", "--quiet"], in: directory)
        #expect(second.status == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("r/report.json")) == Data(contentsOf: directory.appendingPathComponent("s/report.json")))
        for name in files {
            #expect(try Data(contentsOf: directory.appendingPathComponent("r/\(name)")) == Data(contentsOf: directory.appendingPathComponent("s/\(name)")))
        }
    }

    @Test("a changed dataset drifts from the golden report: exit 2 and a readable diff")
    func drift() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "saas", "--seed", "7", "--out", "other.db", "--quiet"], in: directory).status == 0)
        let golden = BinaryRunner.packageRoot.appendingPathComponent("golden/saas").path
        let outcome = try BinaryRunner.run(["audit", "other.db", "--golden", golden, "--quiet"], in: directory)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("report drifted from"))
        #expect(outcome.stderr.contains("changed  checks[mrr.month24]/value:"))
        #expect(outcome.stderr.contains("--update-golden"))
    }

    @Test("the third-party database is audited, not rejected: findings and exit 1")
    func thirdParty() throws {
        let path = BinaryRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/thirdparty/day06/day06_saas_metrics.db").path
        try #require(FileManager.default.fileExists(atPath: path), "the third-party database is missing at \(path)")
        let outcome = try BinaryRunner.run(["audit", path])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("| movements_balance | day06_mrr_movements | net_mrr |"))
        #expect(outcome.stdout.contains("| subscription_chain | day06_subscriptions |"))
        #expect(outcome.stdout.contains("[mrr.linear_r2]"))
        #expect(outcome.stderr.contains("fail"))
    }

    @Test("a database locked by another writer: a clear error and exit 74, not a hang")
    func locked() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "saas", "--out", "locked.db", "--quiet"], in: directory).status == 0)
        let holder = try SQLiteConnection(path: directory.appendingPathComponent("locked.db").path, mode: .create)
        try holder.execute("BEGIN EXCLUSIVE")
        let outcome = try BinaryRunner.run(["audit", "locked.db", "--quiet"], in: directory)
        #expect(outcome.status == 74, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("database is locked"))
        #expect(outcome.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
        try holder.execute("ROLLBACK")
    }

    @Test("bad input: one line on stderr and the documented exit code")
    func badInput() throws {
        let directory = try BinaryRunner.scratch()
        try Data("not,a,database\n1,2,3\n".utf8).write(to: directory.appendingPathComponent("text.db"))
        let database = try #require(Self.saas)
        let bytes = try Data(contentsOf: database)
        try bytes.prefix(bytes.count / 3).write(to: directory.appendingPathComponent("truncated.db"))
        try Data().write(to: directory.appendingPathComponent("empty.db"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("csvs"), withIntermediateDirectories: false)
        let cases: [([String], Int32, String)] = [
            (["audit", "text.db"], 65, "file is not a database"),
            (["audit", "truncated.db"], 65, "truncated.db"),
            (["audit", "missing.db"], 66, "no such input 'missing.db'"),
            (["audit", "empty.db"], 65, "cannot tell which profile 'empty.db' is"),
            (["audit", "csvs"], 65, "cannot tell which profile 'csvs' is"),
            (["audit", database.path, "--profile", "retail"], 64, "unknown profile 'retail'"),
            (["audit", database.path, "--bands", "nope.yaml"], 66, "no such bands file 'nope.yaml'"),
            (["audit", database.path, "--update-golden"], 64, "--update-golden needs --golden DIR"),
            (["audit"], 64, "synthaudit: Missing expected argument"),
        ]
        for (arguments, status, message) in cases {
            let outcome = try BinaryRunner.run(arguments, in: directory)
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("Fatal error"), "\(arguments)")
        }
    }
}
