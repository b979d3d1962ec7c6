import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `synthaudit generate creators` run as a user runs it. The figures are recomputed from the
/// CSV files by `scripts/check/creators_metrics.py` (DuckDB SQL written from SPEC section 9),
/// never taken from the generator's own counters.
@Suite("generate creators (end to end)", .serialized)
struct GenerateCreatorsTests {
    static let files = ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "transactions.csv", "posts.csv",
                        "engagement_events.csv"]

    static let defaultRun: (directory: URL, outcome: BinaryRunner.Outcome)? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "creators", "--threads", "2"], in: directory)
        else { return nil }
        return (directory.appendingPathComponent("data/creators"), outcome)
    }()

    /// The SPEC section 3.2 bands: metric, lower, upper.
    static let bands: [(String, Double, Double)] = [
        ("mrr.growth", 0.40, 0.60),
        ("churn.monthly.mean", 0.06, 0.08),
        ("churn.hazard.m1", 0.22, 0.28), ("churn.hazard.m2_3", 0.09, 0.15),
        ("churn.hazard.m4_12", 0.03, 0.09), ("churn.hazard.m13_plus", 0.02, 0.04),
        ("churn.reason.voluntary", 0.50, 0.60), ("churn.reason.payment_failed", 0.30, 0.40),
        ("churn.reason.creator_removed", 0.05, 0.15),
        ("payments.failure_rate", 0.06, 0.10), ("payments.recovered_7d", 0.50, 0.70),
        ("payments.success_rate", 0.90, 0.94), ("payments.card_expiry_ratio", 1.5, .infinity),
        ("billing.day1_3_share", 0.65, 0.75),
        ("seasonality.q4_lift", 0.15, 0.25), ("seasonality.jan_lift", 0.05, 0.15), ("seasonality.summer_lift", -0.10, -0.05),
        ("revenue.top10_share", 0.55, 0.65),
        ("growth.established_median", 0.03, 0.08), ("growth.top_median", 0.01, 0.03),
        ("posting.high_churn_ratio", 0.5, 0.7), ("posting.low_churn_ratio", 1.7, 2.3),
        ("engagement.tier1_rate", 0.25, 0.35), ("engagement.tier2_rate", 0.45, 0.55), ("engagement.tier3_rate", 0.65, 0.75),
        ("engagement.no_engagement_churn_ratio", 1.5, .infinity),
    ]

    struct Measured: Decodable {
        struct Metric: Decodable {
            var value: Value
            var n: Int
        }
        enum Value: Decodable {
            case number(Double)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
            }
            var number: Double? { if case .number(let value) = self { return value }; return nil }
        }
        var metrics: [String: Metric]
    }

    /// Runs the DuckDB oracle over `directory`.
    static func measure(_ directory: URL) throws -> Measured {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BinaryRunner.packageRoot.appendingPathComponent("scripts/check/creators_metrics.py").path,
                             directory.path]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0,
                     "the DuckDB oracle failed (it needs `pip install duckdb numpy`, which `make` does): \(message)")
        return try JSONDecoder().decode(Measured.self, from: data)
    }

    static let measured: Measured? = {
        guard let run = defaultRun, run.outcome.status == 0 else { return nil }
        return try? measure(run.directory)
    }()

    @Test("the default run writes seven CSV files with the seed's columns, a manifest and the ground truth")
    func layout() throws {
        let run = try #require(Self.defaultRun)
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        #expect(run.outcome.stdout.contains("Injected anomalies"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: run.directory.path).sorted()
        #expect(entries == (Self.files + ["anomalies.json", "manifest.json"]).sorted())
        let headers = [
            "creators.csv": "creator_id,creator_name,email,category,subcategory,country_code,currency_code,plan_type,is_nsfw,is_verified,created_at,first_pledge_received_at,last_post_at,status",
            "patrons.csv": "patron_id,patron_name,email,country_code,created_at,first_pledge_at,lifetime_spend_usd,status",
            "tiers.csv": "tier_id,creator_id,tier_name,tier_rank,price_usd,description,is_active,created_at,archived_at",
            "pledges.csv": "pledge_id,patron_id,creator_id,tier_id,pledge_amount_usd,pledge_status,is_first_pledge,started_at,ended_at,pause_started_at,churn_reason",
            "transactions.csv": "transaction_id,pledge_id,patron_id,creator_id,transaction_type,transaction_status,gross_amount_usd,platform_fee_usd,processing_fee_usd,net_amount_usd,payment_method,failure_reason,transaction_at",
            "posts.csv": "post_id,creator_id,title,post_type,access_level,minimum_tier_id,published_at,is_pinned",
            "engagement_events.csv": "event_id,patron_id,creator_id,post_id,event_type,event_at",
        ]
        for (file, header) in headers {
            let handle = try FileHandle(forReadingFrom: run.directory.appendingPathComponent(file))
            let head = String(decoding: handle.readData(ofLength: 400), as: UTF8.self)
            #expect(head.hasPrefix(header + "\n"), "\(file)")
        }
        let anomalies = try String(contentsOf: run.directory.appendingPathComponent("anomalies.json"), encoding: .utf8)
        for id in ["viral_spike", "payment_outage", "holiday_churn", "creator_exodus", "category_collapse"] {
            #expect(anomalies.contains("\"\(id)\""))
        }
        for field in ["\"question\"", "\"expected_root_cause\"", "\"window\"", "\"entities\"", "\"intended_effect\""] {
            #expect(anomalies.components(separatedBy: field).count == 6, "\(field) in every anomaly")
        }
    }

    @Test("row counts are within 10% of the seed's figures for scale 1")
    func rowCounts() throws {
        let run = try #require(Self.defaultRun)
        let targets = ["creators.csv": 500.0, "patrons.csv": 15_000, "pledges.csv": 25_000, "transactions.csv": 200_000,
                       "posts.csv": 8_000, "engagement_events.csv": 500_000]
        for (file, target) in targets {
            let data = try Data(contentsOf: run.directory.appendingPathComponent(file))
            let rows = data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } - 1
            #expect(abs(Double(rows) / target - 1) <= 0.10, "\(file): \(rows) rows against \(Int(target))")
        }
    }

    @Test("every band of SPEC 3.2 holds with seed 42, recomputed with SQL from the files")
    func bands() throws {
        let measured = try #require(Self.measured)
        for (metric, lower, upper) in Self.bands {
            let value = try #require(measured.metrics[metric]?.value.number, "\(metric) was not measured")
            #expect(value >= lower && value <= upper, "\(metric) = \(value), band [\(lower), \(upper)]")
        }
        if case .text(let top)? = measured.metrics["engagement.top_category"]?.value {
            #expect(top == "video")
        } else {
            Issue.record("engagement.top_category was not measured")
        }
        // The seed's "emerging creators under 20 patrons" cannot hold at ~50 pledges per creator
        // together with the revenue concentration (Documentation/creators-model.md derives why);
        // it is measured and reported, not faked.
        #expect(measured.metrics["creators.emerging_under20_share"] != nil)
    }

    @Test("every referential-integrity rule of SPEC 3.3 holds exactly")
    func integrity() throws {
        let measured = try #require(Self.measured)
        let rules = measured.metrics.filter { $0.key.hasPrefix("integrity.") }
        #expect(rules.count >= 20)
        for (rule, result) in rules.sorted(by: { $0.key < $1.key }) {
            #expect(result.value.number == 0, "\(rule): \(result.value) failures of \(result.n)")
            #expect(result.n > 0, "\(rule) checked nothing")
        }
    }

    @Test("one thread and two threads write the same bytes; another seed writes other bytes")
    func determinism() throws {
        let run = try #require(Self.defaultRun)
        let directory = try BinaryRunner.scratch()
        let single = try BinaryRunner.run(["generate", "creators", "--threads", "1", "--out", "one", "--quiet"], in: directory)
        let other = try BinaryRunner.run(["generate", "creators", "--seed", "7", "--scale", "0.2", "--out", "other", "--quiet"], in: directory)
        #expect(single.status == 0 && single.stdout.isEmpty && single.stderr.isEmpty)
        #expect(other.status == 0)
        for file in Self.files + ["anomalies.json", "manifest.json"] {
            let two = try Data(contentsOf: run.directory.appendingPathComponent(file))
            let one = try Data(contentsOf: directory.appendingPathComponent("one/" + file))
            #expect(one == two, "\(file) differs between --threads 1 and --threads 2")
        }
        let otherPledges = try Data(contentsOf: directory.appendingPathComponent("other/pledges.csv"))
        #expect(otherPledges != (try Data(contentsOf: run.directory.appendingPathComponent("pledges.csv"))))
    }

    @Test("an existing directory is kept without --force (exit 64); with it, only an earlier dataset is replaced, whole")
    func refusesToOverwrite() throws {
        let directory = try BinaryRunner.scratch()
        let target = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: target.appendingPathComponent("mine.txt"))
        let refused = try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "out"], in: directory)
        #expect(refused.status == 64)
        #expect(refused.stderr == "synthaudit: 'out' already exists; pass --force to replace it\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["mine.txt"])
        // A folder of someone else's files is not replaced, even with --force.
        let foreign = try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "out", "--force", "--quiet"], in: directory)
        #expect(foreign.status == 64)
        #expect(foreign.stderr == "synthaudit: will not write 'out': it holds files this command does not write ('mine.txt')\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["mine.txt"])
        // An earlier dataset (nothing but the files a dataset holds) is replaced whole.
        try FileManager.default.removeItem(at: target.appendingPathComponent("mine.txt"))
        try Data("old\n".utf8).write(to: target.appendingPathComponent("pledges.csv"))
        try Data("{}".utf8).write(to: target.appendingPathComponent("manifest.json"))
        let forced = try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "out", "--force", "--quiet"], in: directory)
        #expect(forced.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).sorted() == (Self.files + ["anomalies.json", "manifest.json"]).sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out"])
    }

    @Test("bad options exit 64 with one line on stderr and write nothing")
    func usageErrors() throws {
        let directory = try BinaryRunner.scratch()
        for arguments in [["--scale", "0"], ["--scale", "-1"], ["--scale", "nan"], ["--scale", "lots"], ["--threads", "0"],
                          ["--seed", "-3"]] {
            let outcome = try BinaryRunner.run(["generate", "creators"] + arguments, in: directory)
            #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("synthaudit: ") && outcome.stderr.filter { $0 == "\n" }.count == 1, "\(arguments)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("an interrupt at any moment leaves no partial dataset and no temporary directory")
    func interrupts() throws {
        var interrupted = 0
        for delay in [20_000, 80_000, 150_000, 250_000, 400_000] {
            let directory = try BinaryRunner.scratch()
            let running = try BinaryRunner.start(["generate", "creators", "--scale", "2", "--out", "out", "--quiet"], in: directory)
            usleep(useconds_t(delay))
            kill(running.process.processIdentifier, SIGINT)
            let outcome = BinaryRunner.finish(running)
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            if outcome.status == 0 {
                #expect(entries == ["out"])
                let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path)
                #expect(files.count == 9)
            } else {
                interrupted += 1
                #expect(outcome.status == 130, "exit \(outcome.status): \(outcome.stderr)")
                // Interrupted before the rename: nothing; after it (while printing): the whole dataset.
                if entries == ["out"] {
                    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path).count == 9)
                } else {
                    #expect(entries.isEmpty, "after \(delay) us: \(entries)")
                }
            }
        }
        #expect(interrupted > 0)
    }
}
