import Foundation
import TableIO

/// The descriptive metrics of the SaaS profile (SPEC section 7), computed with SQL on the
/// database exactly as SPEC section 2 defines them, so that anyone can recompute them.
///
/// Tables: `day06_customers`, `day06_subscriptions`, `day06_mrr_movements`. A missing table
/// skips the measures that need it. The window is the months of `day06_mrr_movements` (or of the
/// subscriptions when it is missing); the as-of date is the end of its last month.
struct SaaSMeasures {
    let db: SQLiteConnection
    let path: String

    static let customers = "day06_customers"
    static let subscriptions = "day06_subscriptions"
    static let movements = "day06_mrr_movements"

    /// A customer's churn date: none while a subscription is open, else its last end date.
    /// One grouping of the subscriptions joined to the customers (linear, with no index needed).
    static let customerLife = """
        SELECT c.customer_id, c.signup_date, c.plan_tier, c.status,
               date(c.signup_date, 'start of month') AS cohort,
               CASE WHEN s.open THEN NULL ELSE s.last_end END AS churn_date
        FROM day06_customers c
        JOIN (SELECT customer_id, MAX(NULLIF(end_date, '') IS NULL) AS open, MAX(NULLIF(end_date, '')) AS last_end
              FROM day06_subscriptions GROUP BY customer_id) s ON s.customer_id = c.customer_id
        """

    /// Consecutive subscriptions of a customer (ordered by start date, then id), with the tier
    /// change between them: positive for an upgrade, negative for a downgrade. Consecutive, not
    /// contiguous: a gap between two subscriptions still makes the second a change of tier.
    static let tierSteps = """
        SELECT customer_id, position, rank - previous_rank AS change FROM (
            SELECT s.customer_id,
                   ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS position,
                   \(rank("s")) AS rank,
                   LAG(\(rank("s"))) OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS previous_rank
            FROM day06_subscriptions s)
        WHERE previous_rank IS NOT NULL
        """

    /// The derived tables the measures read several times, each computed once per audit into a
    /// temporary table (a read-only database still has its own temporary schema), so that no
    /// measure re-sorts or re-groups the subscriptions.
    enum Derived: String {
        case customerLives = "audit_customer_lives"
        case firstSubscriptions = "audit_first_subscriptions"
        case tierSteps = "audit_tier_steps"

        var definition: String {
            switch self {
            case .customerLives: return SaaSMeasures.customerLife
            case .firstSubscriptions: return SaaSMeasures.firstSubscriptions
            case .tierSteps: return SaaSMeasures.tierSteps
            }
        }
    }

    /// The name of `table`, created on first use.
    static func derived(_ table: Derived, _ db: SQLiteConnection) throws -> String {
        let name = "temp.\(table.rawValue)"
        if try db.scalar("SELECT COUNT(*) FROM temp.sqlite_master WHERE name = ?1", [.text(table.rawValue)]).integer == 0 {
            try db.execute("CREATE TEMP TABLE \(table.rawValue) AS \(table.definition)")
            if table == .tierSteps { try db.execute("CREATE INDEX temp.\(table.rawValue)_key ON \(table.rawValue) (customer_id, position)") }
        }
        return name
    }

    /// Tier order for upgrades and downgrades.
    static func rank(_ alias: String) -> String {
        "(CASE \(alias).plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 WHEN 'Enterprise' THEN 3 END)"
    }

    /// What the saas profile cannot do without: a table missing, empty, or a column missing or
    /// holding only NULLs is malformed input (exit 65), never a pass with every check
    /// inconclusive. The movements table is optional; present, it must hold months.
    static let requirements: [(table: String, optional: Bool, columns: [String], values: [String])] = [
        (customers, false, ["customer_id", "signup_date"], ["customer_id", "signup_date"]),
        (subscriptions, false, ["subscription_id", "customer_id", "start_date", "end_date", "mrr"],
         ["subscription_id", "customer_id", "start_date", "mrr"]),
        (movements, true, ["month", "net_mrr"], ["month"]),
    ]

    /// Throws ``AuditError/invalidData(_:)`` naming everything the database lacks.
    static func checkRequirements(_ db: SQLiteConnection, path: String) throws {
        let tables = Set(try db.tableNames())
        var lacking: [String] = []
        for requirement in requirements {
            guard tables.contains(requirement.table) else {
                if !requirement.optional { lacking.append("table \(requirement.table)") }
                continue
            }
            let columns = Set(try db.columnNames(of: requirement.table))
            let absent = requirement.columns.filter { !columns.contains($0) }
            lacking += absent.map { "column \(requirement.table).\($0)" }
            guard absent.isEmpty else { continue }
            guard try db.scalar("SELECT EXISTS (SELECT 1 FROM \(SQLiteConnection.quoted(requirement.table)))").integer == 1 else {
                lacking.append("rows in \(requirement.table) (it is empty)")
                continue
            }
            for column in requirement.values
            where try db.scalar("SELECT EXISTS (SELECT 1 FROM \(SQLiteConnection.quoted(requirement.table)) WHERE \(SQLiteConnection.quoted(column)) IS NOT NULL)").integer != 1 {
                lacking.append("values in \(requirement.table).\(column) (every row is NULL)")
            }
        }
        guard lacking.isEmpty else {
            throw AuditError.invalidData("'\(path)' lacks what the saas profile requires: \(lacking.joined(separator: "; "))")
        }
    }

    func measure(into result: inout Measurements) throws {
        let tables = Set(try db.tableNames())
        let hasCustomers = tables.contains(Self.customers)
        let hasSubscriptions = tables.contains(Self.subscriptions)
        let hasMovements = tables.contains(Self.movements)
        for (table, present) in [(Self.customers, hasCustomers), (Self.subscriptions, hasSubscriptions), (Self.movements, hasMovements)]
        where !present {
            result.skipped.append(SkippedMeasure(measure: "every measure reading \(table)", reason: "table \(table) is missing"))
        }
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int {
            result.metrics["database.size_bytes"] = Measurement(value: Double(size), n: 1)
        }
        if hasCustomers {
            result.metrics["customers.count"] = Measurement(value: try number("SELECT COUNT(*) FROM day06_customers"), n: 1)
        }
        guard hasCustomers && hasSubscriptions else { return }

        // The window: the months of the movements table, else of the subscriptions.
        var bounds: [[SQLiteValue]] = []
        try guarded("every measure over the window", &result) { _ in bounds = try db.query(hasMovements
            ? "SELECT MIN(month), MAX(month) FROM day06_mrr_movements"
            : "SELECT date(MIN(start_date), 'start of month'), date(MAX(COALESCE(end_date, start_date)), 'start of month') FROM day06_subscriptions") }
        guard let first = bounds.first?[0].text, let last = bounds.first?[1].text,
              let firstMonth = CivilDate(String(first.prefix(10)))?.yearMonth,
              let lastMonth = CivilDate(String(last.prefix(10)))?.yearMonth else {
            result.skipped.append(SkippedMeasure(measure: "window measures", reason: "no months to measure"))
            return
        }
        guard firstMonth.months(to: lastMonth) < AuditWindow.maximumMonths else {
            throw AuditError.invalidData(AuditWindow.tooLong(first: firstMonth, last: lastMonth,
                                                             source: "'\(path)': \(hasMovements ? "day06_mrr_movements.month" : "day06_subscriptions dates")"))
        }
        let months = Array(firstMonth...lastMonth)
        result.asOf = lastMonth.lastDay.description

        try guarded("tiers.first.*, prices.first.out_of_range", &result) { try firstTiers(into: &$0) }
        try guarded("retention.pooled.*", &result) { try retention(lastMonth: lastMonth, into: &$0) }
        // One read of the customer lives for the cohorts, Kaplan-Meier and the churn series.
        try guarded("retention.cohorts, retention.km.*, churn.monthly, churn.monthly.mean", &result) {
            let lives = try customerLives()
            cohortMatrix(lives, lastMonth: lastMonth, into: &$0)
            survival(lives, asOf: lastMonth.lastDay, months: months.count, into: &$0)
            churn(lives, months: months, into: &$0)
        }
        try guarded("lifecycle.*", &result) { try lifecycle(into: &$0) }
        try guarded("mrr.*, movements.max_abs_error", &result) { try mrr(months: months, hasMovements: hasMovements, into: &$0) }
        try guarded("edge_cases.*", &result) { try edgeCases(firstDay: firstMonth.firstDay, asOf: lastMonth.lastDay, into: &$0) }
        try guarded("anomalies", &result) {
            var anomalies = AnomalyAnalysis.analyze(try SaaSSeries(db: db, months: months).build(), groundTruth: nil)
            anomalies.notes.append("a SaaS database carries no ground truth: anomalies are found, not scored")
            $0.anomalies = anomalies
        }
    }

    /// Runs one group of measures; a column the database lacks skips the group (and says which
    /// column), any other SQLite error stops the audit.
    private func guarded(_ measures: String, _ result: inout Measurements, _ body: (inout Measurements) throws -> Void) throws {
        do {
            try body(&result)
        } catch let error as SQLiteError where error.message.hasPrefix("no such column") {
            result.skipped.append(SkippedMeasure(measure: measures, reason: "\(error.message) in the database"))
        }
    }

    private func number(_ sql: String, _ values: [SQLiteValue] = []) throws -> Double {
        try db.scalar(sql, values).double ?? 0
    }

    private func count(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
        Int(try db.scalar(sql, values).integer ?? 0)
    }

    /// Each customer's first subscription (earliest start, then id).
    static let firstSubscriptions = """
        SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS position
                       FROM day06_subscriptions s) WHERE position = 1
        """

    private func firstTiers(into result: inout Measurements) throws {
        let total = try count("SELECT COUNT(*) FROM \(try Self.derived(.firstSubscriptions, db))")
        for (tier, id) in [("Starter", "starter"), ("Pro", "pro"), ("Enterprise", "enterprise")] {
            let matching = try count("SELECT COUNT(*) FROM \(try Self.derived(.firstSubscriptions, db)) WHERE plan_tier = ?1", [.text(tier)])
            result.metrics["tiers.first.\(id)_share"] = .share(matching, of: total)
        }
        let outside = try count("""
            SELECT COUNT(*) FROM \(try Self.derived(.firstSubscriptions, db)) WHERE NOT (
                (plan_tier = 'Starter' AND mrr BETWEEN 29 AND 99) OR (plan_tier = 'Pro' AND mrr BETWEEN 199 AND 499)
                OR (plan_tier = 'Enterprise' AND mrr BETWEEN 999 AND 2999))
            """)
        result.metrics["prices.first.out_of_range"] = Measurement(value: Double(outside), n: total)
    }

    /// Pooled retention at k (SPEC section 2): active at the end of calendar month cohort + k,
    /// pooled over the cohorts with cohort + k inside the window.
    private func retention(lastMonth: YearMonth, into result: inout Measurements) throws {
        for k in [1, 3, 6, 12, 23] {
            let row = try db.query("""
                WITH life AS (SELECT * FROM \(try Self.derived(.customerLives, db)))
                SELECT SUM(churn_date IS NULL OR churn_date > date(cohort, '+' || (?1 + 1) || ' months', '-1 day')), COUNT(*)
                FROM life WHERE date(cohort, '+' || (?1 + 1) || ' months', '-1 day') <= ?2
                """, [.integer(Int64(k)), .text(lastMonth.lastDay.description)])[0]
            result.metrics["retention.pooled.k\(k)"] = .share(Int(row[0].integer ?? 0), of: Int(row[1].integer ?? 0))
        }
    }

    /// Each customer with a subscription: signup date and churn date (nil while a subscription
    /// is open); rows whose signup is not a date are left out.
    private func customerLives() throws -> [(signup: CivilDate, churn: CivilDate?)] {
        try db.query("WITH life AS (SELECT * FROM \(try Self.derived(.customerLives, db))) SELECT signup_date, churn_date FROM life").compactMap { row in
            guard let signup = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { return nil }
            return (signup, row[1].text.flatMap { CivilDate(String($0.prefix(10))) })
        }
    }

    /// `retention.cohorts`: per signup month c, the customers active at the end of c + k for
    /// every k up to the as-of month; later cells are censored (nil), not zero.
    private func cohortMatrix(_ lives: [(signup: CivilDate, churn: CivilDate?)], lastMonth: YearMonth, into result: inout Measurements) {
        // Per cohort, its size and its endings by month offset (a customer is retained at k while
        // its churn month is later than c + k): linear in the customers. Cohorts that began more
        // than an audit window before the as-of month are left out (a stray signup date cannot
        // make the matrix as wide as the centuries back to it).
        var cohorts: [YearMonth: (size: Int, ended: [Int])] = [:]
        for (signup, churn) in lives {
            let cohort = signup.yearMonth
            let observed = cohort.months(to: lastMonth) + 1
            guard observed > 0, observed <= AuditWindow.maximumMonths else { continue }
            cohorts[cohort, default: (0, Array(repeating: 0, count: observed))].size += 1
            if let churn, case let offset = cohort.months(to: churn.yearMonth), offset < observed {
                cohorts[cohort]?.ended[max(0, offset)] += 1
            }
        }
        guard let first = cohorts.keys.min() else { return }
        let width = first.months(to: lastMonth) + 1
        let rows = cohorts.sorted { $0.key < $1.key }.map { cohort, entry in
            var remaining = entry.size
            let retained = entry.ended.map { ended -> Int? in
                remaining -= ended
                return remaining
            }
            return CohortMatrix.Row(key: cohort.description, size: entry.size,
                                    retained: retained + Array(repeating: nil, count: width - retained.count))
        }
        var measurement = Measurement(value: nil, n: rows.reduce(0) { $0 + $1.size })
        measurement.matrix = CohortMatrix(rows: rows)
        result.metrics["retention.cohorts"] = measurement
    }

    /// Kaplan-Meier survival of customers on tenure (days since signup over 30.4375), a churn
    /// observed at the customer's last end date, censored at the end of the as-of day.
    private func survival(_ lives: [(signup: CivilDate, churn: CivilDate?)], asOf: CivilDate, months: Int, into result: inout Measurements) {
        var durations: [Double] = []
        var observed: [Bool] = []
        for (signup, churn) in lives where signup <= asOf {
            var exit = asOf.dayNumber + 1
            var ended = false
            if let churn, churn <= asOf {
                exit = churn.dayNumber
                ended = true
            }
            durations.append(Double(max(0, exit - signup.dayNumber)) / 30.4375)
            observed.append(ended)
        }
        KaplanMeier(durations: durations, observed: observed).record(into: &result, lastMonth: months - 1, subject: "customers")
    }

    /// Logo churn of months 2 ... n: customers whose life ended in m over customers active at
    /// the end of m - 1 (one pass over the customer lives).
    private func churn(_ lives: [(signup: CivilDate, churn: CivilDate?)], months: [YearMonth], into result: inout Measurements) {
        guard let first = months.first else { return }
        var active = MonthEndSums(first: first, count: months.count)
        var endings = Array(repeating: 0, count: months.count)
        for (signup, churn) in lives {
            active.add(start: signup, end: churn, value: 1)
            if let churn, churn.yearMonth > signup.yearMonth {
                let index = first.months(to: churn.yearMonth)
                if index >= 0 && index < months.count { endings[index] += 1 }
            }
        }
        let exposedAtEnd = active.totals
        var points: [SeriesPoint] = []
        var churned = 0
        var exposed = 0
        for index in 1..<max(1, months.count) {
            // Active at the end of month index - 1: position index of the month-end sums.
            let base = Int(exposedAtEnd[index])
            let ended = endings[index]
            if base > 0 { points.append(SeriesPoint(key: months[index].description, value: Double(ended) / Double(base))) }
            churned += ended
            exposed += base
        }
        result.metrics["churn.monthly"] = Measurement(series: points)
        if !points.isEmpty {
            let mean = points.map(\.value).reduce(0, +) / Double(points.count)
            result.metrics["churn.monthly.mean"] = Measurement(value: mean, n: exposed)
        }
    }

    private func lifecycle(into result: inout Measurements) throws {
        let row = try db.query("""
            WITH steps AS (SELECT * FROM \(try Self.derived(.tierSteps, db))),
            per_customer AS (
                SELECT c.customer_id, COALESCE(t.ups, 0) AS ups, COALESCE(t.downs, 0) AS downs, COALESCE(n.subs, 0) AS subs
                FROM day06_customers c
                LEFT JOIN (SELECT customer_id, SUM(change > 0) AS ups, SUM(change < 0) AS downs FROM steps GROUP BY customer_id) t
                       ON t.customer_id = c.customer_id
                LEFT JOIN (SELECT customer_id, COUNT(*) AS subs FROM day06_subscriptions GROUP BY customer_id) n
                       ON n.customer_id = c.customer_id
            )
            SELECT SUM(ups > 0), SUM(downs > 0), SUM(ups + downs = 0), SUM(subs = 1), SUM(subs >= 2), COUNT(*) FROM per_customer
            """)[0].map { Int($0.integer ?? 0) }
        let total = row[5]
        result.metrics["lifecycle.upgraded_share"] = .share(row[0], of: total)
        result.metrics["lifecycle.downgraded_share"] = .share(row[1], of: total)
        result.metrics["lifecycle.unchanged_share"] = .share(row[2], of: total)
        result.metrics["lifecycle.single_sub_share"] = .share(row[3], of: total)
        result.metrics["lifecycle.multi_sub_share"] = .share(row[4], of: total)
    }

    /// MRR at the end of the month before the window and of every window month, from one read of
    /// the subscriptions (a subscription whose start is not a date is left out).
    /// Also the number of subscriptions whose amount could not be summed (``MonthEndSums/unsummable``).
    static func mrrLevels(_ db: SQLiteConnection, months: [YearMonth]) throws -> (levels: [Double], unsummable: Int) {
        guard let first = months.first else { return ([], 0) }
        var sums = MonthEndSums(first: first, count: months.count)
        // CAST: an amount stored as text ('29.50', as an untyped import leaves it) counts as SQL's SUM counts it.
        for row in try db.query("SELECT start_date, NULLIF(end_date, ''), CAST(mrr AS REAL) FROM day06_subscriptions") {
            guard let start = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { continue }
            sums.add(start: start, end: row[1].text.flatMap { CivilDate(String($0.prefix(10))) }, value: row[2].double ?? 0)
        }
        return (sums.totals, sums.unsummable)
    }

    /// MRR at each month end from the subscriptions, its linear fit, and the movements' balance.
    private func mrr(months: [YearMonth], hasMovements: Bool, into result: inout Measurements) throws {
        let (allLevels, unsummable) = try Self.mrrLevels(db, months: months)
        if unsummable > 0 {
            result.skipped.append(SkippedMeasure(measure: "\(unsummable) subscriptions in mrr.* and movements.max_abs_error",
                                                 reason: "their mrr is not a number or beyond 10^26"))
        }
        let levels = Array(allLevels.dropFirst())
        let subscriptionCount = try count("SELECT COUNT(*) FROM day06_subscriptions")
        result.metrics["mrr.series"] = Measurement(series: zip(months, levels).map { SeriesPoint(key: $0.description, value: $1) })
        if let first = levels.first, let last = levels.last {
            result.metrics["mrr.month1"] = Measurement(value: first, n: subscriptionCount)
            result.metrics["mrr.month\(levels.count)"] = Measurement(value: last, n: subscriptionCount)
        }
        if levels.count >= 3 {
            result.metrics["mrr.linear_r2"] = Measurement(value: LinearFit(levels).rSquared, n: levels.count)
        }
        guard hasMovements else { return }
        let nets = try db.query("""
            SELECT month, CAST(net_mrr AS REAL), CAST(new_mrr AS REAL), CAST(expansion_mrr AS REAL), CAST(contraction_mrr AS REAL),
                   CAST(churn_mrr AS REAL) FROM day06_mrr_movements ORDER BY month
            """)
        let names = ["net", "new", "expansion", "contraction", "churn"]
        result.charts.lines.append((title: "MRR movements", yLabel: "MRR, $", series: names.enumerated().map { column, name in
            (name: name, points: nets.map { SeriesPoint(key: String(($0[0].text ?? "").prefix(7)), value: $0[column + 1].double ?? 0) })
        }))
        var previous = allLevels[0]
        var worst = 0.0
        for (index, row) in nets.enumerated() where index < levels.count {
            worst = max(worst, abs(levels[index] - previous - (row[1].double ?? 0)))
            previous = levels[index]
        }
        result.metrics["movements.max_abs_error"] = Measurement(value: (worst * 100).rounded() / 100, n: nets.count)
    }

    private func edgeCases(firstDay: CivilDate, asOf: CivilDate, into result: inout Measurements) throws {
        let customers = try count("SELECT COUNT(*) FROM day06_customers")
        // Two consecutive steps: the second step follows the first.
        let pairs = """
            FROM \(try Self.derived(.tierSteps, db)) x JOIN \(try Self.derived(.tierSteps, db)) y ON y.customer_id = x.customer_id AND y.position = x.position + 1
            """
        result.metrics["edge_cases.two_upgrades"] = Measurement(value: try number(
            "SELECT COUNT(DISTINCT x.customer_id) \(pairs) WHERE x.change > 0 AND y.change > 0"), n: customers)
        result.metrics["edge_cases.downgrade_after_upgrade"] = Measurement(value: try number(
            "SELECT COUNT(DISTINCT x.customer_id) \(pairs) WHERE x.change > 0 AND y.change < 0"), n: customers)
        result.metrics["edge_cases.churn_period1"] = Measurement(value: try number("""
            WITH life AS (SELECT * FROM \(try Self.derived(.customerLives, db)))
            SELECT COUNT(*) FROM life WHERE churn_date IS NOT NULL AND churn_date <= date(cohort, '+2 months', '-1 day')
            """), n: customers)
        result.metrics["edge_cases.active_whole_window"] = Measurement(value: try number("""
            WITH life AS (SELECT * FROM \(try Self.derived(.customerLives, db)))
            SELECT COUNT(*) FROM life WHERE signup_date <= ?1 AND (churn_date IS NULL OR churn_date > ?2)
            """, [.text(firstDay.description), .text(asOf.description)]), n: customers)
        result.metrics["edge_cases.enterprise_2000"] = Measurement(value: try number(
            "SELECT COUNT(*) FROM day06_subscriptions WHERE plan_tier = 'Enterprise' AND mrr >= 2000"), n: try subscriptionTotal())
    }

    private func subscriptionTotal() throws -> Int {
        try count("SELECT COUNT(*) FROM day06_subscriptions")
    }
}
