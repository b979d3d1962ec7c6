import TableIO

/// The surface series of the SaaS profile for the anomaly analysis (Documentation/anomalies.md):
/// MRR month over month, new customers and the monthly churn rate, each split by plan tier.
/// Read once from the database into memory (a SaaS database holds one row per subscription).
struct SaaSSeries {
    let db: SQLiteConnection
    let months: [YearMonth]

    static let tiers = ["Starter", "Pro", "Enterprise", "(other)"]

    static func tierIndex(_ text: String?) -> Int { tiers.firstIndex(of: text ?? "") ?? tiers.count - 1 }

    func build() throws -> [SurfaceSeries] {
        guard let first = months.first else { return [] }
        let tierCount = Self.tiers.count
        let keys = months.map(\.description)
        let days = months.map(\.firstDay)

        // MRR at the end of the month before the window and of every window month, by tier.
        let levels = months.count + 1
        var tierSums = Array(repeating: MonthEndSums(first: first, count: months.count), count: tierCount)
        for row in try db.query("SELECT start_date, NULLIF(end_date, ''), CAST(mrr AS REAL), plan_tier FROM day06_subscriptions") {
            guard let start = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { continue }
            tierSums[Self.tierIndex(row[3].text)].add(start: start, end: row[1].text.flatMap { CivilDate(String($0.prefix(10))) },
                                                      value: row[2].double ?? 0)
        }
        let mrr = tierSums.flatMap(\.totals)
        // Customers: signups by month, churn over those active at the end of the month before.
        var signups = Array(repeating: 0.0, count: tierCount * months.count)
        var churned = Array(repeating: 0.0, count: tierCount * months.count)
        var activeSums = Array(repeating: MonthEndSums(first: first, count: months.count), count: tierCount)
        for row in try db.query("WITH life AS (SELECT * FROM \(try SaaSMeasures.derived(.customerLives, db))) SELECT signup_date, churn_date, plan_tier FROM life") {
            guard let signup = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { continue }
            let churn = row[1].text.flatMap { CivilDate(String($0.prefix(10))) }
            let tier = Self.tierIndex(row[2].text)
            let signupIndex = first.months(to: signup.yearMonth)
            if signupIndex >= 0 && signupIndex < months.count { signups[tier * months.count + signupIndex] += 1 }
            activeSums[tier].add(start: signup, end: churn, value: 1)
            if let churn, churn.yearMonth > signup.yearMonth {
                let index = first.months(to: churn.yearMonth)
                if index >= 1 && index < months.count { churned[tier * months.count + index] += 1 }
            }
        }
        // Active at the end of month m - 1 is position m of the month-end sums; month 0 has none.
        let active = activeSums.flatMap { sums in [0.0] + sums.totals[1..<months.count] }
        func totals(_ table: [Double], _ count: Int) -> [Double] {
            (0..<count).map { index in (0..<tierCount).reduce(0.0) { $0 + table[$1 * count + index] } }
        }
        func tierDimension(_ table: [Double], _ count: Int, denominator: [Double]? = nil) -> SurfaceSeries.Dimension {
            var dimension = SurfaceSeries.Dimension(name: "plan_tier", values: Self.tiers, numerator: { table[$0 * count + $1] })
            if let denominator { dimension.denominator = { denominator[$0 * count + $1] } }
            return dimension
        }
        return [
            SurfaceSeries(id: "platform_mrr_monthly", title: "MRR, month-over-month change", form: .change, unit: .dollars,
                          daily: false, keys: keys, days: days, numerator: totals(mrr, levels),
                          dimensions: [tierDimension(mrr, levels)]),
            SurfaceSeries(id: "new_customers_monthly", title: "New customers per month", form: .total, unit: .count,
                          daily: false, keys: keys, days: days, numerator: totals(signups, months.count),
                          dimensions: [tierDimension(signups, months.count)]),
            SurfaceSeries(id: "monthly_churn_rate", title: "Monthly customer churn rate", form: .rate, unit: .share,
                          daily: false, keys: keys, days: days, numerator: totals(churned, months.count),
                          denominator: totals(active, months.count),
                          dimensions: [tierDimension(churned, months.count, denominator: active)]),
        ]
    }
}
