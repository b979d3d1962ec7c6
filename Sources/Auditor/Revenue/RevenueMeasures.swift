import Datasets
import TableIO

/// MRR (SPEC sections 2 and 9): the sum of the amounts of the subscriptions paying at each month
/// end (open, and not paused: a `pause_start` on or before that day stops it),
/// its linear fit, the movements at subscriber level (new, expansion, contraction, churn,
/// reactivation, the way subscription-analytics vendors define them, at month ends), net and
/// gross revenue retention, and the reconciliation with a pre-aggregated movements table.
enum RevenueMeasures {
    /// MRR at the end of the month before the window and of every window month, from one pass
    /// over the subscriptions; and the number whose amount could not be summed.
    static func levels(_ ledger: SubscriptionLedger, months: [YearMonth]) -> (levels: [Double], unsummable: Int) {
        var sums = MonthEndSums(first: months[0], count: months.count)
        for subscription in ledger.subscriptions {
            guard let start = subscription.start else { continue }
            sums.add(start: CivilDate(dayNumber: start), end: subscription.payingEnd.map(CivilDate.init(dayNumber:)), value: subscription.amount)
        }
        return (sums.totals, sums.unsummable)
    }

    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let months = context.months
        let (allLevels, unsummable) = levels(context.ledger, months: months)
        if unsummable > 0 {
            result.skipped.append(SkippedMeasure(measure: "\(unsummable) subscriptions in mrr.* and movements.max_abs_error",
                                                 reason: "their amount is not a number or beyond 10^26"))
        }
        let levels = Array(allLevels.dropFirst())
        let count = context.ledger.subscriptions.count
        result.metrics["mrr.series"] = Measurement(series: zip(months, levels).map { SeriesPoint(key: $0.description, value: $1) })
        if let first = levels.first, let last = levels.last {
            result.metrics["mrr.month1"] = Measurement(value: first, n: count)
            result.metrics["mrr.month\(levels.count)"] = Measurement(value: last, n: count)
            if first > 0 { result.metrics["mrr.growth"] = Measurement(value: last / first - 1, n: count) }
        }
        if levels.count >= 3 {
            // A constant series (every month at zero when no amount could be read) fits every line
            // and none: R² says nothing about it.
            if levels.allSatisfy({ $0 == levels[0] }) {
                result.skipped.append(SkippedMeasure(measure: "mrr.linear_r2", reason: "the MRR series is constant (\(Format.fixed(levels[0], 2)) in every month)"))
            } else {
                result.metrics["mrr.linear_r2"] = Measurement(value: LinearFit(levels).rSquared, n: levels.count)
            }
        }
        reconcile(context, levels: allLevels, into: &result)
        concentration(context, into: &result)
    }

    /// How concentrated MRR is at the end of the last month, over the subscribers paying then:
    /// `revenue.mrr_top10_share` (the top ceil(n/10) subscribers' share) and `revenue.mrr_gini`
    /// (in whole cents). Subscriptions whose subscriber is unknown count as subscribers of their own.
    static func concentration(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let lastDay = context.lastMonth.lastDay.dayNumber
        var cents = Array(repeating: 0, count: ledger.subscriberCount)
        var orphans: [Int] = []
        for subscription in ledger.subscriptions {
            guard let start = subscription.start, start <= lastDay, subscription.payingEnd.map({ $0 > lastDay }) ?? true else { continue }
            let value = (subscription.amount * 100).rounded()
            guard value.isFinite, abs(value) < 1e15 else { continue }
            if subscription.subscriber >= 0 { cents[subscription.subscriber] += Int(value) } else { orphans.append(Int(value)) }
        }
        record(cents + orphans, prefix: "revenue.mrr", into: &result)
        // By the key of each dimension a subscription refers to (`revenue.DIMENSION.mrr_top10_share`).
        guard let table = context[.subscriptions] else { return }
        let referring = Role.subscriptions.fields.compactMap { field in table.mapping.fields[field.name].map { (field.name, $0) } }
            + table.mapping.attributes.map { ($0.name, $0.field) }
        for (name, field) in referring {
            guard let dimension = field.dimension, let column = table.texts[name] else { continue }
            var byKey = Array(repeating: 0, count: column.dictionary.count)
            for subscription in ledger.subscriptions {
                guard let start = subscription.start, start <= lastDay, subscription.payingEnd.map({ $0 > lastDay }) ?? true,
                      case let code = column.codes[subscription.row], code >= 0 else { continue }
                let value = (subscription.amount * 100).rounded()
                if value.isFinite, abs(value) < 1e15 { byKey[Int(code)] += Int(value) }
            }
            record(byKey, prefix: "revenue.\(dimension).mrr", into: &result)
        }
    }

    /// `PREFIX_top10_share` and `PREFIX_gini` of the positive values (whole cents), each with the
    /// 95% interval of its influence function.
    static func record(_ values: [Int], prefix: String, into result: inout Measurements) {
        let paying = values.filter { $0 > 0 }.sorted(by: >)
        guard !paying.isEmpty else { return }
        let top = (paying.count + 9) / 10
        let total = paying.reduce(0, +)
        let descending = paying.map(Double.init)
        result.metrics["\(prefix)_top10_share"] = withInterval(Double(paying.prefix(top).reduce(0, +)) / Double(total), n: paying.count,
                                                               InfluenceInterval.topShare(descending: descending, top: top))
        if let gini = Concentration.gini(paying) {
            result.metrics["\(prefix)_gini"] = withInterval(gini, n: paying.count, InfluenceInterval.gini(ascending: descending.reversed()))
        }
    }

    /// The stored movements drawn, and the largest gap between each month's stored net movement
    /// and the change of MRR recomputed from the subscriptions.
    static func reconcile(_ context: AuditContext, levels: [Double], into result: inout Measurements) {
        guard let table = context[.movements], let monthTimes = table.times["month"] else { return }
        let order = (0..<table.rows).sorted { monthTimes[$0] < monthTimes[$1] }
        func key(_ row: Int) -> String {
            SubscriptionLedger.day(monthTimes[row]).map { String(CivilDate(dayNumber: $0).description.prefix(7)) } ?? ""
        }
        let names = ["net", "new", "expansion", "contraction", "churn"]
        result.charts.lines.append((title: "MRR movements", yLabel: "MRR, $", series: names.compactMap { name in
            guard let values = table.amounts[name] else { return nil }
            return (name: name, points: order.map { SeriesPoint(key: key($0), value: values[$0].isNaN ? 0 : values[$0]) })
        }))
        guard let nets = table.amounts["net"] else { return }
        // Each stored month against the change of MRR in that month of the window.
        var worst = 0.0
        for row in order {
            guard let day = SubscriptionLedger.day(monthTimes[row]) else { continue }
            let index = context.months[0].months(to: CivilDate(dayNumber: day).yearMonth)
            guard index >= 0 && index + 1 < levels.count else { continue }
            let net = nets[row].isNaN ? 0 : nets[row]
            worst = max(worst, abs(levels[index + 1] - levels[index] - net))
        }
        result.metrics["movements.max_abs_error"] = Measurement(value: (worst * 100).rounded() / 100, n: table.rows)
    }
}
