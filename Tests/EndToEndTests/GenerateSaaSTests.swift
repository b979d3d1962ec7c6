import Foundation
import Testing
import TableIO

#if canImport(Glibc)
import Glibc
#endif

/// `synthaudit generate saas` run as a user runs it; every band of SPEC section 2 is checked by
/// querying the database the binary wrote, with SQL written from the SPEC's definitions.
@Suite("generate saas (end to end)", .serialized)
struct GenerateSaaSTests {
    /// One database written with the default seed, shared by the band checks.
    static let defaultRun: (directory: URL, outcome: BinaryRunner.Outcome)? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "saas"], in: directory)
        else { return nil }
        return (directory, outcome)
    }()

    static func database() throws -> SQLiteConnection {
        let run = try #require(defaultRun)
        return try SQLiteConnection(path: run.directory.path + "/data/day06_saas_metrics.db", mode: .readOnly)
    }

    static func number(_ db: SQLiteConnection, _ sql: String) throws -> Double {
        try #require(try db.scalar(sql).double, "no value for \(sql)")
    }

    @Test("the default run writes data/day06_saas_metrics.db under 500 KB and prints the summary")
    func defaultRun() throws {
        let run = try #require(Self.defaultRun)
        #expect(run.outcome.status == 0, "stderr: \(run.outcome.stderr)")
        for section in ["Created 500 customers", "Generated", "MRR Movements Summary", "Current MRR (Month 24)",
                        "Starting MRR (Month 1)", "Cohort Retention Analysis", "Data Integrity Checks",
                        "Database saved to: data/day06_saas_metrics.db"] {
            #expect(run.outcome.stdout.contains(section), "summary lacks '\(section)'")
        }
        #expect(!run.outcome.stdout.contains("✗"))
        // The churn band conflicts with the retention curve: printed, not failed.
        #expect(run.outcome.stdout.contains("⚠ Monthly churn within 5-8%"))
        let size = try FileManager.default.attributesOfItem(
            atPath: run.directory.path + "/data/day06_saas_metrics.db")[.size] as? Int ?? .max
        #expect(size < 500 * 1024)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.directory.path + "/data")
        #expect(leftovers == ["day06_saas_metrics.db"])
    }

    @Test("schema: tables, foreign keys, CHECK constraints, four indexes, four views")
    func schema() throws {
        let db = try Self.database()
        #expect(try db.tableNames() == ["day06_customers", "day06_mrr_movements", "day06_subscriptions"])
        let views = try db.query("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").compactMap { $0[0].text }
        #expect(views == ["day06_churn_by_cohort", "day06_customer_health", "day06_mrr_summary", "day06_retention_curves"])
        let indexes = try db.query("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        let indexed = Set(indexes.compactMap { row -> String? in
            guard let table = row[0].text, let sql = row[1].text, let open = sql.lastIndex(of: "(") else { return nil }
            return table + "." + sql[sql.index(after: open)...].dropLast()
        })
        #expect(indexed == ["day06_subscriptions.customer_id", "day06_subscriptions.start_date",
                            "day06_customers.signup_date", "day06_customers.status"])
        let keys = try db.query("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('day06_subscriptions')")
        #expect(keys == [[.text("day06_customers"), .text("customer_id"), .text("customer_id")]])
        let schemaText = try db.query("SELECT sql FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].text }.joined()
        for constraint in ["CHECK (plan_tier IN ('Starter', 'Pro', 'Enterprise'))", "CHECK (status IN ('active', 'churned'))",
                           "CHECK (mrr > 0)", "CHECK (mrr_current >= 0)"] {
            #expect(schemaText.contains(constraint))
        }
        for prefix in [("day06_customers", "customer_id", "cus_"), ("day06_subscriptions", "subscription_id", "sub_")] {
            let bad = try Self.number(db, "SELECT COUNT(*) FROM \(prefix.0) WHERE \(prefix.1) NOT GLOB '\(prefix.2)[0-9A-Za-z]*' OR length(\(prefix.1)) <> 20")
            #expect(bad == 0)
        }
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_customers WHERE email NOT LIKE '%_@_%._%'") == 0)
        #expect(try db.query("PRAGMA integrity_check") == [[.text("ok")]])
        #expect(try db.query("PRAGMA foreign_key_check").isEmpty)
    }

    @Test("customers, first-tier mix and MRR ranges at signup")
    func mixAndPrices() throws {
        let db = try Self.database()
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_customers") == 500)
        let firstSubscriptions = """
            SELECT s.* FROM day06_subscriptions s JOIN day06_customers c ON c.customer_id = s.customer_id
            WHERE s.start_date = c.signup_date
            """
        #expect(try Self.number(db, "SELECT COUNT(*) FROM (\(firstSubscriptions))") == 500)
        for (tier, target) in [("Starter", 0.50), ("Pro", 0.35), ("Enterprise", 0.15)] {
            let share = try Self.number(db, "SELECT AVG(plan_tier = '\(tier)') FROM (\(firstSubscriptions))")
            #expect(abs(share - target) <= 0.04, "\(tier): \(share)")
        }
        let outOfRange = try Self.number(db, """
            SELECT COUNT(*) FROM day06_subscriptions WHERE NOT (
                (plan_tier = 'Starter' AND mrr BETWEEN 29 AND 99) OR (plan_tier = 'Pro' AND mrr BETWEEN 199 AND 499)
                OR (plan_tier = 'Enterprise' AND mrr BETWEEN 999 AND 2999))
            """)
        #expect(outOfRange == 0)
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_subscriptions WHERE mrr <> ROUND(mrr, 2)") == 0)
    }

    @Test("pooled cohort retention at k = 1, 3, 6, 12 and 23 inside its bands")
    func retention() throws {
        let db = try Self.database()
        let rows = try db.query("""
            WITH RECURSIVE ks(k) AS (VALUES (1), (3), (6), (12), (23)),
            customers AS (
                SELECT c.customer_id, date(c.signup_date, 'start of month') AS cohort,
                       CASE WHEN c.status = 'churned' THEN (SELECT MAX(end_date) FROM day06_subscriptions s
                                                            WHERE s.customer_id = c.customer_id) END AS churn_date
                FROM day06_customers c
            )
            SELECT k, AVG(churn_date IS NULL OR churn_date > date(cohort, '+' || (k + 1) || ' months', '-1 day')), COUNT(*)
            FROM ks JOIN customers ON date(cohort, '+' || (k + 1) || ' months', '-1 day') <= '2024-12-31'
            GROUP BY k ORDER BY k
            """)
        let bands: [Int64: ClosedRange<Double>] = [1: 0.90...0.95, 3: 0.80...0.85, 6: 0.70...0.75, 12: 0.60...0.65, 23: 0.50...0.55]
        #expect(rows.count == 5)
        for row in rows {
            let k = try #require(row[0].integer)
            let rate = try #require(row[1].double)
            #expect(try #require(bands[k]).contains(rate), "k = \(k): \(rate) of \(row[2])")
        }
        // The view computes the same thing per cohort; pooled over cohorts it must agree.
        let fromView = try Self.number(db, "SELECT 1.0 * SUM(retained) / SUM(cohort_size) FROM day06_retention_curves WHERE period = 12")
        #expect(abs(fromView - (rows.first { $0[0] == .integer(12) }?[1].double ?? -1)) < 1e-12)
    }

    @Test("lifecycle shares: upgrades, downgrades, unchanged, one and several subscriptions")
    func lifecycle() throws {
        let db = try Self.database()
        let changes = """
            SELECT c.customer_id,
                   (SELECT COUNT(*) FROM day06_subscriptions a JOIN day06_subscriptions b
                      ON a.customer_id = b.customer_id AND b.start_date = a.end_date
                    WHERE a.customer_id = c.customer_id AND
                      (CASE b.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END) >
                      (CASE a.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END)) AS ups,
                   (SELECT COUNT(*) FROM day06_subscriptions a JOIN day06_subscriptions b
                      ON a.customer_id = b.customer_id AND b.start_date = a.end_date
                    WHERE a.customer_id = c.customer_id AND
                      (CASE b.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END) <
                      (CASE a.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END)) AS downs,
                   (SELECT COUNT(*) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id) AS subs
            FROM day06_customers c
            """
        let row = try db.query("SELECT AVG(ups > 0), AVG(downs > 0), AVG(ups + downs = 0), AVG(subs = 1), AVG(subs >= 2) FROM (\(changes))")[0]
        let values = row.compactMap(\.double)
        #expect(values.count == 5)
        #expect((0.15...0.20).contains(values[0]), "upgraded \(values[0])")
        #expect((0.05...0.10).contains(values[1]), "downgraded \(values[1])")
        #expect((0.70...0.75).contains(values[2]), "unchanged \(values[2])")
        #expect(values[3] >= 0.50, "one subscription \(values[3])")
        #expect(values[4] >= 0.15, "two or more \(values[4])")
    }

    @Test("MRR: ~50k after month 1, ~200k after month 24, near-linear, movements balance to the cent")
    func mrr() throws {
        let db = try Self.database()
        let series = try db.query("""
            SELECT m.month, (SELECT COALESCE(SUM(s.mrr), 0) FROM day06_subscriptions s
                             WHERE s.start_date <= date(m.month, '+1 month', '-1 day')
                               AND (s.end_date IS NULL OR s.end_date > date(m.month, '+1 month', '-1 day'))),
                   m.new_mrr + m.expansion_mrr - m.contraction_mrr - m.churn_mrr, m.net_mrr
            FROM day06_mrr_movements m ORDER BY m.month
            """)
        #expect(series.count == 24)
        #expect(series.first?[0] == .text("2023-01-01") && series.last?[0] == .text("2024-12-01"))
        let levels = series.compactMap { $0[1].double }
        #expect((45_000...55_000).contains(levels[0]), "month 1: \(levels[0])")
        #expect((180_000...220_000).contains(levels[23]), "month 24: \(levels[23])")
        var previous = 0.0
        for row in series {
            let level = try #require(row[1].double)
            let formula = try #require(row[2].double)
            let net = try #require(row[3].double)
            #expect(abs(net - formula) < 0.005)
            #expect(abs(level - previous - net) < 0.005, "month \(row[0])")
            previous = level
        }
        // R² of the least-squares line through the series.
        let n = Double(levels.count)
        let meanX = (n - 1) / 2
        let meanY = levels.reduce(0, +) / n
        let sxy = levels.enumerated().reduce(0.0) { $0 + (Double($1.offset) - meanX) * ($1.element - meanY) }
        let sxx = levels.indices.reduce(0.0) { $0 + pow(Double($1) - meanX, 2) }
        let syy = levels.reduce(0.0) { $0 + pow($1 - meanY, 2) }
        #expect(sxy * sxy / (sxx * syy) >= 0.9)
        // The customers table agrees with the subscriptions.
        let current = try Self.number(db, "SELECT SUM(mrr_current) FROM day06_customers WHERE status = 'active'")
        #expect(abs(current - levels[23]) < 0.005)
        let summaryClosing = try Self.number(db, "SELECT closing_mrr FROM day06_mrr_summary WHERE month = '2024-12-01'")
        #expect(abs(summaryClosing - levels[23]) < 0.005)
    }

    @Test("edge cases: two upgrades, downgrade after upgrade, churn in period 1, active all window, Enterprise >= $2,000")
    func edgeCases() throws {
        let db = try Self.database()
        let rank = { (alias: String) in "(CASE \(alias).plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END)" }
        let twoUpgrades = try Self.number(db, """
            SELECT COUNT(*) FROM day06_subscriptions a
            JOIN day06_subscriptions b ON b.customer_id = a.customer_id AND b.start_date = a.end_date
            JOIN day06_subscriptions c ON c.customer_id = a.customer_id AND c.start_date = b.end_date
            WHERE \(rank("b")) > \(rank("a")) AND \(rank("c")) > \(rank("b"))
            """)
        let downAfterUp = try Self.number(db, """
            SELECT COUNT(*) FROM day06_subscriptions a
            JOIN day06_subscriptions b ON b.customer_id = a.customer_id AND b.start_date = a.end_date
            JOIN day06_subscriptions c ON c.customer_id = a.customer_id AND c.start_date = b.end_date
            WHERE \(rank("b")) > \(rank("a")) AND \(rank("c")) < \(rank("b"))
            """)
        let churnInPeriodOne = try Self.number(db, """
            SELECT COUNT(*) FROM day06_customers c WHERE c.status = 'churned'
              AND (SELECT MAX(end_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
                  <= date(c.signup_date, 'start of month', '+2 months', '-1 day')
            """)
        let wholeWindow = try Self.number(db, "SELECT COUNT(*) FROM day06_customers WHERE signup_date = '2023-01-01' AND status = 'active'")
        let bigEnterprise = try Self.number(db, "SELECT COUNT(*) FROM day06_subscriptions WHERE plan_tier = 'Enterprise' AND mrr >= 2000")
        #expect(twoUpgrades > 0)
        #expect(downAfterUp > 0)
        #expect(churnInPeriodOne > 0)
        #expect(wholeWindow > 0)
        #expect(bigEnterprise > 0)
    }

    @Test("the four views answer on the generated data")
    func views() throws {
        let db = try Self.database()
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_mrr_summary") == 24)
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_mrr_summary WHERE abs(closing_mrr - opening_mrr - net_mrr) >= 0.005") == 0)
        #expect(try Self.number(db, "SELECT SUM(customers) FROM day06_churn_by_cohort") == 500)
        // 24 cohorts observing 24, 23, ..., 1 periods (k = 0 included).
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_retention_curves") == 300)
        #expect(try Self.number(db, "SELECT MAX(period) FROM day06_retention_curves") == 23)
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_customer_health") == 500)
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_customer_health WHERE health_score NOT BETWEEN 0 AND 100") == 0)
        #expect(try Self.number(db, "SELECT COUNT(*) FROM day06_customer_health WHERE segment = 'Churned'")
                == Self.number(db, "SELECT COUNT(*) FROM day06_customers WHERE status = 'churned'"))
    }

    @Test("same seed, same bytes; another seed, another database; --quiet prints nothing")
    func determinism() throws {
        let directory = try BinaryRunner.scratch()
        let first = try BinaryRunner.run(["generate", "saas", "--seed", "7", "--out", "a.db", "--quiet"], in: directory)
        let second = try BinaryRunner.run(["generate", "saas", "--seed", "7", "--out", "b.db", "--quiet"], in: directory)
        let other = try BinaryRunner.run(["generate", "saas", "--seed", "8", "--out", "c.db", "--quiet"], in: directory)
        #expect(first.status == 0 && second.status == 0 && other.status == 0)
        #expect(first.stdout.isEmpty && first.stderr.isEmpty)
        let a = try Data(contentsOf: directory.appendingPathComponent("a.db"))
        let b = try Data(contentsOf: directory.appendingPathComponent("b.db"))
        let c = try Data(contentsOf: directory.appendingPathComponent("c.db"))
        #expect(a == b)
        #expect(a != c)
        let defaultBytes = try Data(contentsOf: try #require(Self.defaultRun).directory.appendingPathComponent("data/day06_saas_metrics.db"))
        #expect(defaultBytes != a)
    }

    @Test("an existing output is kept without --force (exit 64); with it, only an earlier database is replaced")
    func refusesToOverwrite() throws {
        let directory = try BinaryRunner.scratch()
        let target = directory.appendingPathComponent("out.db")
        try Data("precious".utf8).write(to: target)
        let refused = try BinaryRunner.run(["generate", "saas", "--out", "out.db"], in: directory)
        #expect(refused.status == 64)
        #expect(refused.stderr == "synthaudit: 'out.db' already exists; pass --force to replace it\n")
        #expect(try Data(contentsOf: target) == Data("precious".utf8))
        // A file that is not a database is someone else's: not replaced, even with --force.
        let foreign = try BinaryRunner.run(["generate", "saas", "--out", "out.db", "--force", "--quiet"], in: directory)
        #expect(foreign.status == 64)
        #expect(foreign.stderr == "synthaudit: will not write 'out.db': it is a file this command did not write\n")
        #expect(try Data(contentsOf: target) == Data("precious".utf8))
        // An earlier database is replaced.
        try FileManager.default.removeItem(at: target)
        #expect(try BinaryRunner.run(["generate", "saas", "--seed", "7", "--out", "out.db", "--quiet"], in: directory).status == 0)
        let forced = try BinaryRunner.run(["generate", "saas", "--out", "out.db", "--force", "--quiet"], in: directory)
        #expect(forced.status == 0)
        #expect(try SQLiteConnection(path: target.path, mode: .readOnly).scalar("SELECT COUNT(*) FROM day06_customers") == .integer(500))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.db"])
    }

    @Test("usage errors exit 64 with one line on stderr")
    func usageErrors() throws {
        let directory = try BinaryRunner.scratch()
        for arguments in [["generate", "saas", "--seed", "forty-two"], ["generate", "saas", "--bogus"],
                          ["generate", "saas", "--out", "dir/"], ["generate", "nothing"]] {
            let outcome = try BinaryRunner.run(arguments, in: directory)
            #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("synthaudit: ") && outcome.stderr.filter { $0 == "\n" }.count == 1, "\(arguments)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        let unwritable = try BinaryRunner.run(["generate", "saas", "--out", "/proc/none/x.db"], in: directory)
        #expect(unwritable.status == 74, "\(unwritable.stderr)")
        #expect(unwritable.stderr.hasPrefix("synthaudit: cannot create directory '/proc/none'"))
    }

    @Test("an interrupt at any moment leaves either nothing or a complete database, never a temporary file")
    func interrupts() throws {
        var interrupted = 0
        for delay in stride(from: 0, through: 60_000, by: 4_000) {
            let directory = try BinaryRunner.scratch()
            let running = try BinaryRunner.start(["generate", "saas", "--out", "out.db", "--quiet"], in: directory)
            usleep(useconds_t(delay))
            kill(running.process.processIdentifier, SIGINT)
            let outcome = BinaryRunner.finish(running)
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            if outcome.status == 0 && !outcome.signalled {
                #expect(entries == ["out.db"])
                let db = try SQLiteConnection(path: directory.path + "/out.db", mode: .readOnly)
                #expect(try db.scalar("SELECT COUNT(*) FROM day06_customers") == .integer(500))
            } else {
                interrupted += 1
                #expect(entries.isEmpty || entries == ["out.db"], "after \(delay) us: \(entries)")
            }
        }
        #expect(interrupted > 0)
    }
}
