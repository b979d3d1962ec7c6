import TableIO

/// The surface series of a subscription dataset for the anomaly analysis (Documentation/anomalies.md):
/// MRR month over month, new subscribers and the monthly churn rate, each split by plan.
/// Built from the ledger in one pass over the subscriptions and one over the lives.
enum SubscriptionSeries {
    static func build(_ context: AuditContext) -> [SurfaceSeries] {
        let months = context.months
        let ledger = context.ledger
        let first = months[0]
        let plans = ledger.plans + ["(other)"]
        let planCount = plans.count
        func slot(_ plan: Int) -> Int { plan >= 0 ? plan : planCount - 1 }
        let keys = months.map(\.description)
        let days = months.map(\.firstDay)

        // MRR at the end of the month before the window and of every window month, by plan.
        let levels = months.count + 1
        var planSums = Array(repeating: MonthEndSums(first: first, count: months.count), count: planCount)
        for subscription in ledger.subscriptions {
            guard let start = subscription.start else { continue }
            planSums[slot(subscription.plan)].add(start: CivilDate(dayNumber: start), end: subscription.end.map(CivilDate.init(dayNumber:)),
                                                  value: subscription.amount)
        }
        let mrr = planSums.flatMap(\.totals)
        // Subscribers: signups by month, churn over those active at the end of the month before.
        var signups = Array(repeating: 0.0, count: planCount * months.count)
        for subscriber in ledger.livingSubscribers {
            let index = first.months(to: CivilDate(dayNumber: ledger.signup[subscriber]!).yearMonth)
            if index >= 0 && index < months.count { signups[slot(ledger.subscriberPlan[subscriber]) * months.count + index] += 1 }
        }
        let (ended, exposed) = ChurnMeasures.monthlyRates(context, slice: { slot(ledger.subscriberPlan[$0]) }, slices: planCount)
        let churned = ended.flatMap { row in row.enumerated().map { $0 == 0 ? 0.0 : Double($1) } }
        let active = exposed.flatMap { $0.map(Double.init) }
        func totals(_ table: [Double], _ count: Int) -> [Double] {
            (0..<count).map { index in (0..<planCount).reduce(0.0) { $0 + table[$1 * count + index] } }
        }
        func planDimension(_ table: [Double], _ count: Int, denominator: [Double]? = nil) -> SurfaceSeries.Dimension {
            var dimension = SurfaceSeries.Dimension(name: context[.subscriptions]?.columnName("plan") ?? "plan", values: plans, numerator: { table[$0 * count + $1] })
            if let denominator { dimension.denominator = { denominator[$0 * count + $1] } }
            return dimension
        }
        let noun = context.mapping.subjectNoun
        return [
            SurfaceSeries(id: "platform_mrr_monthly", title: "MRR, month-over-month change", form: .change, unit: .dollars,
                          daily: false, keys: keys, days: days, numerator: totals(mrr, levels),
                          dimensions: [planDimension(mrr, levels)]),
            SurfaceSeries(id: "new_\(noun)_monthly", title: "New \(noun) per month", form: .total, unit: .count,
                          daily: false, keys: keys, days: days, numerator: totals(signups, months.count),
                          dimensions: [planDimension(signups, months.count)]),
            SurfaceSeries(id: "monthly_churn_rate", title: "Monthly \(noun.hasSuffix("s") ? String(noun.dropLast()) : noun) churn rate",
                          form: .rate, unit: .share, daily: false, keys: keys, days: days, numerator: totals(churned, months.count),
                          denominator: totals(active, months.count),
                          dimensions: [planDimension(churned, months.count, denominator: active)]),
        ]
    }
}
