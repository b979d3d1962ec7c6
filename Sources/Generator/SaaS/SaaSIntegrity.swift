import TableIO

/// One integrity check of a written SaaS database.
public struct IntegrityCheck: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed
        /// Known to conflict with another target (SPEC section 2): reported, never failing.
        case conflict
    }

    public var name: String
    public var outcome: Outcome
    /// What was measured, in words ("0 orphaned subscriptions", "mean 3.4% over months 2-24").
    public var detail: String
}

/// The integrity checks of seed section 7, run with SQL on the written database.
///
/// They read the file back rather than trusting the generator's own structures, so a bug in
/// the writer or the schema shows up here.
public enum SaaSIntegrity {
    /// Runs every check on the database at `path`.
    public static func check(databaseAt path: String, asOf: CivilDate) throws -> [IntegrityCheck] {
        let db = try SQLiteConnection(path: path, mode: .readOnly)
        let asOfText = SQLiteValue.text(asOf.description)
        func count(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
            Int(try db.scalar(sql, values).integer ?? 0)
        }
        var checks: [IntegrityCheck] = []
        func add(_ name: String, _ failures: Int, _ what: String) {
            checks.append(IntegrityCheck(name: name, outcome: failures == 0 ? .passed : .failed,
                                         detail: "\(failures) \(what)"))
        }

        let brokenKeys = try db.query("PRAGMA foreign_key_check").count
        let orphans = try count("""
            SELECT COUNT(*) FROM day06_subscriptions s
            LEFT JOIN day06_customers c ON c.customer_id = s.customer_id WHERE c.customer_id IS NULL
            """)
        add("All foreign keys valid", brokenKeys + orphans, "broken references")

        let outOfRange = try count("""
            SELECT (SELECT COUNT(*) FROM day06_customers WHERE signup_date NOT BETWEEN '2023-01-01' AND ?1)
                 + (SELECT COUNT(*) FROM day06_subscriptions WHERE start_date NOT BETWEEN '2023-01-01' AND ?1
                        OR (end_date IS NOT NULL AND end_date NOT BETWEEN '2023-01-01' AND ?1))
                 + (SELECT COUNT(*) FROM day06_subscriptions WHERE date(start_date) IS NOT start_date
                        OR (end_date IS NOT NULL AND date(end_date) IS NOT end_date))
            """, [asOfText])
        add("All dates within valid range", outOfRange, "dates outside 2023-01-01..\(asOf) or not real dates")

        let nonPositive = try count("""
            SELECT (SELECT COUNT(*) FROM day06_subscriptions WHERE mrr <= 0)
                 + (SELECT COUNT(*) FROM day06_customers WHERE mrr_current < 0)
                 + (SELECT COUNT(*) FROM day06_mrr_movements
                    WHERE new_mrr < 0 OR expansion_mrr < 0 OR contraction_mrr < 0 OR churn_mrr < 0)
            """)
        add("All MRR values positive", nonPositive, "negative or zero amounts")

        let lifetime = try count("""
            WITH chain AS (
                SELECT s.*, c.signup_date,
                       ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS position,
                       LAG(s.end_date) OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS previous_end
                FROM day06_subscriptions s JOIN day06_customers c ON c.customer_id = s.customer_id
            )
            SELECT COUNT(*) FROM chain
            WHERE start_date < signup_date
               OR (position = 1 AND start_date <> signup_date)
               OR (position > 1 AND (previous_end IS NULL OR previous_end <> start_date))
               OR (end_date IS NOT NULL AND end_date <= start_date)
            """)
        add("Subscriptions within customer lifetime", lifetime, "subscriptions outside their customer's life or chain")

        let unbalanced = try count("""
            SELECT COUNT(*) FROM day06_mrr_movements
            WHERE abs(net_mrr - (new_mrr + expansion_mrr - contraction_mrr - churn_mrr)) >= 0.005
            """)
        let drift = try count("""
            SELECT COUNT(*) FROM day06_mrr_summary WHERE abs(closing_mrr - opening_mrr - net_mrr) >= 0.005
            """)
        add("MRR movements balance correctly", unbalanced + drift, "months off by a cent or more")

        let withoutSubscription = try count("""
            SELECT COUNT(*) FROM day06_customers c
            WHERE NOT EXISTS (SELECT 1 FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
            """)
        add("No orphaned subscriptions or customers", orphans + withoutSubscription,
            "orphans or customers without a subscription")

        let currentMismatch = try count("""
            WITH latest AS (
                SELECT customer_id, plan_tier, mrr, end_date,
                       ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY start_date DESC, subscription_id DESC) AS position
                FROM day06_subscriptions
            )
            SELECT COUNT(*) FROM day06_customers c JOIN latest l ON l.customer_id = c.customer_id AND l.position = 1
            WHERE c.plan_tier <> l.plan_tier
               OR (l.end_date IS NULL AND (c.status <> 'active' OR abs(c.mrr_current - l.mrr) >= 0.005))
               OR (l.end_date IS NOT NULL AND (c.status <> 'churned' OR c.mrr_current <> 0))
            """)
        add("Current MRR matches active subscriptions", currentMismatch, "customers whose current tier, MRR or status disagree")

        let subscriptionCounts = try db.query("""
            SELECT SUM(n = 1), SUM(n >= 2), COUNT(*) FROM
                (SELECT COUNT(s.subscription_id) AS n FROM day06_customers c
                 LEFT JOIN day06_subscriptions s ON s.customer_id = c.customer_id GROUP BY c.customer_id)
            """)[0].map { Int($0.integer ?? 0) }
        let total = max(1, subscriptionCounts[2])
        let single = Double(subscriptionCounts[0]) / Double(total)
        let multiple = Double(subscriptionCounts[1]) / Double(total)
        checks.append(IntegrityCheck(name: "At least 50% of customers have one subscription",
                                     outcome: single >= 0.5 ? .passed : .failed,
                                     detail: "\(subscriptionCounts[0]) of \(total) (\(Format.percent(single)))"))
        checks.append(IntegrityCheck(name: "At least 15% of customers have 2+ subscriptions",
                                     outcome: multiple >= 0.15 ? .passed : .failed,
                                     detail: "\(subscriptionCounts[1]) of \(total) (\(Format.percent(multiple)))"))

        let churn = try monthlyLogoChurn(db)
        let mean = churn.isEmpty ? 0 : churn.reduce(0, +) / Double(churn.count)
        checks.append(IntegrityCheck(
            name: "Monthly churn within 5-8%",
            outcome: (0.05...0.08).contains(mean) ? .passed : .conflict,
            detail: "mean \(Format.percent(mean)) over months 2-\(churn.count + 1); the retention targets"
                + " (50-55% after two years) imply about 3%/month, so the two seed targets cannot both hold"))
        return checks
    }

    /// Logo churn of months 2...n: customers whose last subscription ended in m over customers
    /// active at the end of m - 1.
    static func monthlyLogoChurn(_ db: SQLiteConnection) throws -> [Double] {
        try db.query("""
            WITH ends AS (
                SELECT c.customer_id, c.signup_date,
                       CASE WHEN c.status = 'churned'
                            THEN (SELECT MAX(end_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
                       END AS churn_date
                FROM day06_customers c
            ),
            months AS (
                SELECT month, date(month, '-1 day') AS previous_end, date(month, '+1 month', '-1 day') AS month_end
                FROM day06_mrr_movements WHERE month > (SELECT MIN(month) FROM day06_mrr_movements)
            )
            SELECT 1.0 * SUM(e.churn_date > m.previous_end AND e.churn_date <= m.month_end) / COUNT(*)
            FROM months m JOIN ends e
              ON e.signup_date <= m.previous_end AND (e.churn_date IS NULL OR e.churn_date > m.previous_end)
            GROUP BY m.month ORDER BY m.month
            """).compactMap { $0[0].double }
    }
}
