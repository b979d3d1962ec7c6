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
        let moments = [first.firstDay.adding(days: -1)] + months.map(\.lastDay)
        var mrr = Array(repeating: 0.0, count: tierCount * moments.count)
        for row in try db.query("SELECT start_date, end_date, mrr, plan_tier FROM day06_subscriptions") {
            guard let start = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { continue }
            let end = row[1].text.flatMap { CivilDate(String($0.prefix(10))) }
            let tier = Self.tierIndex(row[3].text)
            for (index, moment) in moments.enumerated() where start <= moment && end.map({ $0 > moment }) ?? true {
                mrr[tier * moments.count + index] += row[2].double ?? 0
            }
        }
        // Customers: signups by month, churn over those active at the end of the month before.
        var signups = Array(repeating: 0.0, count: tierCount * months.count)
        var churned = Array(repeating: 0.0, count: tierCount * months.count)
        var active = Array(repeating: 0.0, count: tierCount * months.count)
        for row in try db.query("WITH life AS (\(SaaSMeasures.customerLife)) SELECT signup_date, churn_date, plan_tier FROM life") {
            guard let signup = row[0].text.flatMap({ CivilDate(String($0.prefix(10))) }) else { continue }
            let churn = row[1].text.flatMap { CivilDate(String($0.prefix(10))) }
            let tier = Self.tierIndex(row[2].text)
            for (index, month) in months.enumerated() {
                if signup.yearMonth == month { signups[tier * months.count + index] += 1 }
                let previousEnd = month.firstDay.adding(days: -1)
                guard index > 0, signup <= previousEnd, churn.map({ $0 > previousEnd }) ?? true else { continue }
                active[tier * months.count + index] += 1
                if let churn, churn <= month.lastDay { churned[tier * months.count + index] += 1 }
            }
        }
        func totals(_ table: [Double], _ count: Int) -> [Double] {
            (0..<count).map { index in (0..<tierCount).reduce(0.0) { $0 + table[$1 * count + index] } }
        }
        func tierDimension(_ table: [Double], _ count: Int, denominator: [Double]? = nil) -> SurfaceSeries.Dimension {
            var dimension = SurfaceSeries.Dimension(name: "plan_tier", values: Self.tiers, numerator: { table[$0 * count + $1] })
            if let denominator { dimension.denominator = { denominator[$0 * count + $1] } }
            return dimension
        }
        let levels = moments.count
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
