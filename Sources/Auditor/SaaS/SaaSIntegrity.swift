import TableIO

/// The data tests of the SaaS profile, dbt style: unique, not_null, relationships,
/// accepted_values, ranges, logical order, valid and non-future dates, and the seed's rules
/// (subscription chains, current MRR, movements balancing). Each reports its failing rows'
/// count and up to five of their keys.
struct SaaSIntegrity {
    let db: SQLiteConnection
    let asOf: String?

    func run(into result: inout Measurements) throws {
        let tables = Set(try db.tableNames())
        let customers = tables.contains(SaaSMeasures.customers)
        let subscriptions = tables.contains(SaaSMeasures.subscriptions)
        let movements = tables.contains(SaaSMeasures.movements)

        if customers {
            try unique("day06_customers", "customer_id", into: &result)
            for column in ["customer_id", "email", "signup_date", "plan_tier", "mrr_current", "status"] {
                try notNull("day06_customers", column, key: "customer_id", into: &result)
            }
            try test("accepted_values", "day06_customers", "plan_tier",
                     failing: "SELECT customer_id FROM day06_customers WHERE plan_tier NOT IN ('Starter', 'Pro', 'Enterprise')",
                     checked: "SELECT COUNT(*) FROM day06_customers", into: &result)
            try test("accepted_values", "day06_customers", "status",
                     failing: "SELECT customer_id FROM day06_customers WHERE status NOT IN ('active', 'churned')",
                     checked: "SELECT COUNT(*) FROM day06_customers", into: &result)
            try test("range", "day06_customers", "mrr_current",
                     failing: "SELECT customer_id FROM day06_customers WHERE NOT (mrr_current >= 0)",
                     checked: "SELECT COUNT(*) FROM day06_customers", into: &result)
            try validDates("day06_customers", "signup_date", key: "customer_id", into: &result)
        }
        if subscriptions {
            try unique("day06_subscriptions", "subscription_id", into: &result)
            for column in ["subscription_id", "customer_id", "start_date", "mrr", "plan_tier"] {
                try notNull("day06_subscriptions", column, key: "subscription_id", into: &result)
            }
            try test("accepted_values", "day06_subscriptions", "plan_tier",
                     failing: "SELECT subscription_id FROM day06_subscriptions WHERE plan_tier NOT IN ('Starter', 'Pro', 'Enterprise')",
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            try test("range", "day06_subscriptions", "mrr",
                     failing: "SELECT subscription_id FROM day06_subscriptions WHERE NOT (mrr > 0)",
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            try test("range", "day06_subscriptions", "mrr_in_tier_range",
                     failing: """
                        SELECT subscription_id FROM day06_subscriptions WHERE NOT (
                            (plan_tier = 'Starter' AND mrr BETWEEN 29 AND 99) OR (plan_tier = 'Pro' AND mrr BETWEEN 199 AND 499)
                            OR (plan_tier = 'Enterprise' AND mrr BETWEEN 999 AND 2999))
                        """,
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            try validDates("day06_subscriptions", "start_date", key: "subscription_id", into: &result)
            try validDates("day06_subscriptions", "end_date", key: "subscription_id", into: &result)
            try test("logical_order", "day06_subscriptions", "end_date",
                     failing: "SELECT subscription_id FROM day06_subscriptions WHERE end_date IS NOT NULL AND end_date <= start_date",
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            if let asOf {
                try test("no_future_dates", "day06_subscriptions", "start_date, end_date",
                         failing: "SELECT subscription_id FROM day06_subscriptions WHERE start_date > '\(asOf)' OR end_date > '\(asOf)'",
                         checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            }
        }
        if customers && subscriptions {
            try test("relationships", "day06_subscriptions", "customer_id",
                     failing: """
                        SELECT s.subscription_id FROM day06_subscriptions s
                        WHERE NOT EXISTS (SELECT 1 FROM day06_customers c WHERE c.customer_id = s.customer_id)
                        """,
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            try test("has_subscription", "day06_customers", "customer_id",
                     failing: """
                        SELECT c.customer_id FROM day06_customers c
                        WHERE NOT EXISTS (SELECT 1 FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
                        """,
                     checked: "SELECT COUNT(*) FROM day06_customers", into: &result)
            try test("subscription_chain", "day06_subscriptions", "start_date",
                     failing: """
                        WITH chain AS (
                            SELECT s.subscription_id, s.start_date, c.signup_date,
                                   ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS position,
                                   LAG(s.end_date) OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS previous_end
                            FROM day06_subscriptions s JOIN day06_customers c ON c.customer_id = s.customer_id
                        )
                        SELECT subscription_id FROM chain
                        WHERE start_date < signup_date OR (position = 1 AND start_date <> signup_date)
                           OR (position > 1 AND (previous_end IS NULL OR previous_end <> start_date))
                        """,
                     checked: "SELECT COUNT(*) FROM day06_subscriptions", into: &result)
            try test("current_mrr", "day06_customers", "mrr_current, plan_tier, status",
                     failing: """
                        WITH latest AS (
                            SELECT customer_id, plan_tier, mrr, end_date,
                                   ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY start_date DESC, subscription_id DESC) AS position
                            FROM day06_subscriptions
                        )
                        SELECT c.customer_id FROM day06_customers c JOIN latest l ON l.customer_id = c.customer_id AND l.position = 1
                        WHERE c.plan_tier <> l.plan_tier
                           OR (l.end_date IS NULL AND (c.status <> 'active' OR abs(c.mrr_current - l.mrr) >= 0.005))
                           OR (l.end_date IS NOT NULL AND (c.status <> 'churned' OR c.mrr_current <> 0))
                        """,
                     checked: "SELECT COUNT(*) FROM day06_customers", into: &result)
        }
        if movements {
            try unique("day06_mrr_movements", "month", into: &result)
            try test("net_formula", "day06_mrr_movements", "net_mrr",
                     failing: """
                        SELECT month FROM day06_mrr_movements
                        WHERE abs(net_mrr - (new_mrr + expansion_mrr - contraction_mrr - churn_mrr)) >= 0.005
                        """,
                     checked: "SELECT COUNT(*) FROM day06_mrr_movements", into: &result)
            try test("range", "day06_mrr_movements", "new_mrr, expansion_mrr, contraction_mrr, churn_mrr",
                     failing: """
                        SELECT month FROM day06_mrr_movements
                        WHERE NOT (new_mrr >= 0 AND expansion_mrr >= 0 AND contraction_mrr >= 0 AND churn_mrr >= 0)
                        """,
                     checked: "SELECT COUNT(*) FROM day06_mrr_movements", into: &result)
            if subscriptions { try movementsBalance(into: &result) }
        }
    }

    /// Each stored month's net movement against the change of MRR recomputed from the
    /// subscriptions (one read of each table; a month that is not a date fails).
    private func movementsBalance(into result: inout Measurements) throws {
        let rows = try db.query("SELECT month, CAST(net_mrr AS REAL) FROM day06_mrr_movements")
        let months = rows.map { $0[0].text.flatMap { CivilDate(String($0.prefix(10)))?.yearMonth } }
        var failing: [String] = []
        if let first = months.compactMap({ $0 }).min(), let last = months.compactMap({ $0 }).max(),
           first.months(to: last) < AuditWindow.maximumMonths {
            let levels = try SaaSMeasures.mrrLevels(db, months: Array(first...last)).levels
            for (row, month) in zip(rows, months) {
                guard let month else {
                    failing.append(Self.text(row[0]))
                    continue
                }
                let index = first.months(to: month)
                if let net = row[1].double, abs(levels[index + 1] - levels[index] - net) >= 0.005 { failing.append(Self.text(row[0])) }
            }
        } else {
            failing = rows.map { Self.text($0[0]) }
        }
        failing.sort()
        result.integrity.append(IntegrityFinding(test: "movements_balance", table: "day06_mrr_movements", column: "net_mrr",
                                                 failures: failing.count, sampleKeys: Array(failing.prefix(5)), checked: rows.count))
    }

    private func unique(_ table: String, _ column: String, into result: inout Measurements) throws {
        try test("unique", table, column,
                 failing: "SELECT \(column) FROM \(table) WHERE \(column) IN (SELECT \(column) FROM \(table) GROUP BY \(column) HAVING COUNT(*) > 1)",
                 checked: "SELECT COUNT(*) FROM \(table)", into: &result)
    }

    private func notNull(_ table: String, _ column: String, key: String, into result: inout Measurements) throws {
        guard try db.columnNames(of: table).contains(column) else {
            result.integrity.append(IntegrityFinding(test: "column_exists", table: table, column: column, failures: 1,
                                                     sampleKeys: [], checked: 1))
            return
        }
        try test("not_null", table, column,
                 failing: "SELECT COALESCE(\(key), '(row ' || rowid || ')') FROM \(table) WHERE \(column) IS NULL",
                 checked: "SELECT COUNT(*) FROM \(table)", into: &result)
    }

    private func validDates(_ table: String, _ column: String, key: String, into result: inout Measurements) throws {
        try test("valid_date", table, column,
                 failing: "SELECT \(key) FROM \(table) WHERE \(column) IS NOT NULL AND date(\(column)) IS NOT \(column)",
                 checked: "SELECT COUNT(*) FROM \(table)", into: &result)
    }

    /// Runs one test: `failing` selects the keys of failing rows.
    private func test(_ name: String, _ table: String, _ column: String?, failing: String, checked: String,
                      into result: inout Measurements) throws {
        let keys: [String]
        do {
            keys = try db.query("SELECT * FROM (\(failing)) ORDER BY 1").map { $0.first.map(Self.text) ?? "" }
        } catch let error as SQLiteError where error.message.hasPrefix("no such column") {
            result.skipped.append(SkippedMeasure(measure: "data test \(name) on \(table).\(column ?? "")",
                                                 reason: "\(error.message) in the database"))
            return
        }
        let total = Int(try db.scalar(checked).integer ?? 0)
        result.integrity.append(IntegrityFinding(test: name, table: table, column: column, failures: keys.count,
                                                 sampleKeys: Array(keys.prefix(5)), checked: total))
    }

    static func text(_ value: SQLiteValue) -> String {
        switch value {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .null: return "NULL"
        }
    }
}
