import Foundation
import Testing
import TableIO
@testable import Auditor

/// The SaaS measures on a database small enough to work out by hand.
@Suite("SaaS audit")
struct SaaSAuditTests {
    /// Three customers over a three-month window (2024-01 .. 2024-03):
    /// a: Starter 50 from 2024-01-10, upgrades to Pro 300 on 2024-02-15, still active;
    /// b: Pro 200 from 2024-01-20, churns 2024-02-10;
    /// c: Enterprise 1000 from 2024-02-05, still active.
    static func database() throws -> String {
        let path = NSTemporaryDirectory() + "audit-\(UUID().uuidString).db"
        let db = try SQLiteConnection(path: path, mode: .create)
        try db.execute("""
            CREATE TABLE day06_customers (customer_id TEXT PRIMARY KEY, email TEXT, signup_date TEXT, plan_tier TEXT, mrr_current REAL, status TEXT);
            CREATE TABLE day06_subscriptions (subscription_id TEXT PRIMARY KEY, customer_id TEXT, start_date TEXT, end_date TEXT, mrr REAL, plan_tier TEXT);
            CREATE TABLE day06_mrr_movements (month TEXT PRIMARY KEY, new_mrr REAL, expansion_mrr REAL, contraction_mrr REAL, churn_mrr REAL, net_mrr REAL);
            INSERT INTO day06_customers VALUES ('a', 'a@x.io', '2024-01-10', 'Pro', 300, 'active'), ('b', 'b@x.io', '2024-01-20', 'Pro', 0, 'churned'),
                                               ('c', 'c@x.io', '2024-02-05', 'Enterprise', 1000, 'active');
            INSERT INTO day06_subscriptions VALUES ('s1', 'a', '2024-01-10', '2024-02-15', 50, 'Starter'), ('s2', 'a', '2024-02-15', NULL, 300, 'Pro'),
                                                   ('s3', 'b', '2024-01-20', '2024-02-10', 200, 'Pro'), ('s4', 'c', '2024-02-05', NULL, 1000, 'Enterprise');
            INSERT INTO day06_mrr_movements VALUES ('2024-01-01', 250, 0, 0, 0, 250), ('2024-02-01', 1000, 250, 0, 200, 1050),
                                                   ('2024-03-01', 0, 0, 0, 0, 0);
            """)
        return path
    }

    static func metric(_ report: AuditReport, _ id: String) -> Double? {
        report.measurements.metrics[id]?.value
    }

    @Test("every metric, worked by hand")
    func metrics() throws {
        let report = try Audit(inputs: [try Self.database()], profile: nil, bandsPath: nil).run()
        #expect(report.profile == "saas")
        #expect(report.measurements.asOf == "2024-03-31")
        #expect(Self.metric(report, "customers.count") == 3)
        #expect(Self.metric(report, "tiers.first.starter_share") == 1.0 / 3)
        #expect(Self.metric(report, "tiers.first.pro_share") == 1.0 / 3)
        #expect(report.measurements.metrics["tiers.first.pro_share"]?.interval != nil)
        // k = 1: January cohort (a, b) at the end of February: a active, b churned; February cohort (c) at the end of March: active.
        #expect(Self.metric(report, "retention.pooled.k1") == 2.0 / 3)
        #expect(report.measurements.metrics["retention.pooled.k1"]?.n == 3)
        #expect(report.measurements.metrics["retention.pooled.k3"]?.value == nil)
        // February: 1 of the 2 customers active at the end of January churned; March: 0 of 2.
        #expect(report.measurements.metrics["churn.monthly"]?.series == [SeriesPoint(key: "2024-02", value: 0.5), SeriesPoint(key: "2024-03", value: 0)])
        #expect(Self.metric(report, "churn.monthly.mean") == 0.25)
        #expect(Self.metric(report, "lifecycle.upgraded_share") == 1.0 / 3)
        #expect(Self.metric(report, "lifecycle.downgraded_share") == 0)
        #expect(Self.metric(report, "lifecycle.unchanged_share") == 2.0 / 3)
        #expect(Self.metric(report, "lifecycle.multi_sub_share") == 1.0 / 3)
        #expect(report.measurements.metrics["mrr.series"]?.series?.map(\.value) == [250, 1300, 1300])
        #expect(Self.metric(report, "mrr.month1") == 250)
        #expect(Self.metric(report, "movements.max_abs_error") == 0)
        // Subscriber movements: January a (50) and b (200) are new; February a expands by 250,
        // b churns 200, c is new at 1000; March nothing. The stored table says the same.
        func movements(_ kind: String) -> [Double]? { report.measurements.metrics["mrr.movements.\(kind)"]?.series?.map(\.value) }
        #expect(movements("new") == [250, 1000, 0])
        #expect(movements("expansion") == [0, 250, 0])
        #expect(movements("contraction") == [0, 0, 0])
        #expect(movements("churn") == [0, 200, 0])
        #expect(movements("reactivation") == [0, 0, 0])
        #expect(Self.metric(report, "movements.components_max_abs_error") == 0)
        #expect(report.measurements.metrics["revenue.nrr.trailing12"] == nil, "three months hold no twelve-month retention")
        #expect(Self.metric(report, "edge_cases.churn_period1") == 1)
        #expect(Self.metric(report, "edge_cases.two_upgrades") == 0)
        // The three customers are consistent: every data test passes.
        #expect(report.integrityFailures == 0, "\(report.measurements.integrity.filter { $0.failures > 0 })")
        // 32 of the first version, plus valid_date of the movements month, no_future_dates of the
        // signups, and valid_number of the subscriptions' MRR and the five movements columns.
        #expect(report.measurements.integrity.count == 40)
    }

    @Test("damage shows up as failing data tests with sample keys")
    func damage() throws {
        let path = try Self.database()
        let db = try SQLiteConnection(path: path, mode: .create)
        try db.execute("""
            UPDATE day06_mrr_movements SET net_mrr = 999 WHERE month = '2024-03-01';
            INSERT INTO day06_subscriptions VALUES ('s5', 'zz', '2024-03-01', '2024-02-01', -5, 'Gold');
            """)
        let report = try Audit(inputs: [path], profile: "saas", bandsPath: nil).run()
        let failing = Dictionary(grouping: report.measurements.integrity.filter { $0.failures > 0 }, by: \.test)
        #expect(failing["relationships"]?.first?.sampleKeys == ["s5"])
        #expect(failing["logical_order"]?.first?.sampleKeys == ["s5"])
        #expect(failing["accepted_values"]?.first?.sampleKeys == ["s5"])
        #expect(failing["net_formula"]?.first?.sampleKeys == ["2024-03-01"])
        #expect(failing["movements_balance"]?.first?.sampleKeys.contains("2024-03-01") == true)
        #expect(Self.metric(report, "movements.max_abs_error") == 999)
    }

    @Test("the built-in bands are exactly the files in bands/")
    func builtInBands() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        for profile in ["saas", "creators"] {
            let file = try String(contentsOf: root.appendingPathComponent("bands/\(profile).yaml"), encoding: .utf8)
            #expect(BuiltInBands.text(for: profile)?.yaml == String(file.dropLast()), "run scripts/embed-bands.sh")
        }
    }
}

@Suite("subscriber movements and revenue retention")
struct SubscriberMovementsTests {
    /// A subscriber churning and coming back is a reactivation, not new; the movements add up to
    /// the change of MRR in every month; NRR and GRR follow the subscribers of a year before.
    @Test("reactivation, the balance identity, NRR and GRR")
    func reactivationAndRetention() throws {
        let folder = NSTemporaryDirectory() + "movements-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // x: 100 from 2023-01, leaves 2023-04-10, back at 100 from 2023-07-01, up to 150 from 2024-01-15.
        // y: 200 from 2023-01 to the end. z: 50 from 2023-01, leaves 2023-11-20.
        try Data("""
            customer,start,end,amount
            x,2023-01-05,2023-04-10,100
            x,2023-07-01,2024-01-15,100
            x,2024-01-15,,150
            y,2023-01-02,,200
            z,2023-01-03,2023-11-20,50

            """.utf8).write(to: URL(fileURLWithPath: folder + "/subscriptions.csv"))
        let mapping = folder + "/m.yaml"
        try Data("""
            name: m
            window: [2023-01, 2024-03]
            roles:
              subscriptions:
                from: subscriptions
                fields: {subscriber: customer, start: start, end: end, amount: amount}

            """.utf8).write(to: URL(fileURLWithPath: mapping))
        let report = try Audit(inputs: [folder], profile: mapping, bandsPath: nil).run()
        let metrics = report.measurements.metrics
        func series(_ id: String) -> [Double] { metrics[id]?.series?.map(\.value) ?? [] }
        let mrr = series("mrr.series")
        #expect(mrr == [350, 350, 350, 250, 250, 250, 350, 350, 350, 350, 300, 300, 350, 350, 350])
        #expect(series("mrr.movements.new") == [350] + Array(repeating: 0, count: 14))
        #expect(series("mrr.movements.reactivation")[6] == 100)
        #expect(series("mrr.movements.churn")[3] == 100 && series("mrr.movements.churn")[10] == 50)
        #expect(series("mrr.movements.expansion")[12] == 50)
        for month in 1..<mrr.count {
            let net = series("mrr.movements.new")[month] + series("mrr.movements.reactivation")[month] + series("mrr.movements.expansion")[month]
                - series("mrr.movements.contraction")[month] - series("mrr.movements.churn")[month]
            #expect(abs(net - (mrr[month] - mrr[month - 1])) < 1e-9, "month \(month)")
        }
        // The end of 2023-03 (twelve months before 2024-03): x 100, y 200, z 50 = 350. At the end
        // of 2024-03: x 150, y 200, z 0 = 350 (NRR 1); capped: 100 + 200 + 0 = 300 (GRR 6/7).
        #expect(metrics["revenue.nrr.trailing12"]?.value == 1)
        #expect(metrics["revenue.grr.trailing12"]?.value == 300.0 / 350)
        #expect(metrics["revenue.nrr.trailing12"]?.n == 3)
        // A life ends at a gap: x churns in April (lives that began before April), z in November.
        #expect(metrics["churn.monthly"]?.series?.first { $0.key == "2023-04" }?.value == 1.0 / 3)
    }
}

@Suite("edge cases of a mapping's data")
struct MappingEdgeCaseTests {
    static func audit(_ csv: String, _ yaml: String) throws -> AuditReport {
        let folder = NSTemporaryDirectory() + "edge-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/subscriptions.csv"))
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: folder + "/m.yaml"))
        return try Audit(inputs: [folder], profile: folder + "/m.yaml", bandsPath: nil).run()
    }

    static let mapping = """
        name: edge
        plans: [Basic, {name: Pro, price: [10, 50]}]
        roles:
          subscriptions:
            from: subscriptions
            fields: {id: id, subscriber: customer, start: start, end: end, amount: amount, plan: plan}

        """

    @Test("every end before the first start: the window still holds the starts, the rows fail logical_order, and make no life")
    func endsBeforeStarts() throws {
        let report = try Self.audit("id,customer,start,end,amount,plan\ns1,a,2024-05-01,2024-01-01,20,Pro\ns2,b,2024-06-01,2024-02-01,20,Pro\n",
                                    Self.mapping)
        #expect(report.measurements.asOf == "2024-06-30")
        #expect(report.measurements.integrity.first { $0.test == "logical_order" }?.failures == 2)
        #expect(report.measurements.metrics["retention.km.m1"]?.n ?? 0 == 0, "no life starts from a subscription that ends before it starts")
    }

    @Test("an as-of moment before the window's end: later months are censored and later ends are not yet known")
    func asOfInsideTheWindow() throws {
        let mapping = Self.mapping.replacingOccurrences(of: "name: edge", with: "name: edge\nwindow: [2024-01, 2024-06]\nas_of: 2024-03-31")
        let report = try Self.audit("id,customer,start,end,amount,plan\ns1,a,2024-01-05,2024-05-10,20,Pro\ns2,b,2024-01-06,2024-02-20,20,Pro\ns3,c,2024-01-07,,20,Pro\n",
                                    mapping)
        let churn = report.measurements.metrics["churn.monthly"]?.series ?? []
        #expect(churn.map(\.key) == ["2024-02", "2024-03"], "no churn measured after the as-of month")
        #expect(churn.first?.value == 1.0 / 3, "b ends in February")
        let january = report.measurements.metrics["retention.cohorts"]?.matrix?.rows.first
        #expect(january?.retained == [3, 2, 2], "a's end in May is not known at the end of March: retained; no cell after March")
    }

    @Test("a plan listed without a price range is not checked against one; a listed range still is")
    func plansWithoutRanges() throws {
        let report = try Self.audit("id,customer,start,end,amount,plan\ns1,a,2024-01-05,,500,Basic\ns2,b,2024-01-06,,20,Pro\ns3,c,2024-01-07,,99,Pro\n",
                                    Self.mapping)
        let range = report.measurements.integrity.first { $0.test == "range" && $0.column == "amount_in_tier_range" }
        #expect(range?.failures == 1 && range?.sampleKeys == ["s3"])
        #expect(report.measurements.metrics["prices.first.out_of_range"]?.value == 1)
        #expect(report.measurements.metrics["prices.first.out_of_range"]?.n == 2)
    }
}

@Suite("SaaS audit of a partial schema")
struct SaaSPartialSchemaTests {
    @Test("a missing column skips only what reads it, and the report says so")
    func missingColumns() throws {
        let path = NSTemporaryDirectory() + "partial-\(UUID().uuidString).db"
        let db = try SQLiteConnection(path: path, mode: .create)
        try db.execute("""
            CREATE TABLE day06_customers (customer_id TEXT, signup_date TEXT, plan_tier TEXT, status TEXT);
            CREATE TABLE day06_subscriptions (subscription_id TEXT, customer_id TEXT, start_date TEXT, end_date TEXT, mrr REAL);
            INSERT INTO day06_customers VALUES ('a', '2024-01-10', 'Pro', 'active');
            INSERT INTO day06_subscriptions VALUES ('s1', 'a', '2024-01-10', NULL, 300);
            """)
        let report = try Audit(inputs: [path], profile: "saas", bandsPath: nil).run()
        let skipped = report.measurements.skipped.map(\.measure)
        #expect(skipped.contains("every measure reading day06_mrr_movements"))
        #expect(skipped.contains("tiers.first.*, prices.first.out_of_range"))
        #expect(skipped.contains("lifecycle.*"))
        #expect(skipped.contains { $0.hasPrefix("data test current_mrr") })
        #expect(report.measurements.skipped.allSatisfy { !$0.reason.isEmpty })
        // What does not need the missing columns is still measured.
        #expect(report.measurements.metrics["customers.count"]?.value == 1)
        #expect(report.measurements.metrics["retention.pooled.k1"] != nil || report.measurements.metrics["mrr.month1"] != nil)
        #expect(report.measurements.integrity.contains { $0.test == "column_exists" && $0.column == "email" && $0.failures == 1 })
    }
}
