import Datasets
import TableIO

/// Revenue concentration over the groups of the subscriptions (creators, accounts' owners,
/// categories: the `subscriptions.group` field), SPEC section 9: a group's revenue is the gross
/// of the succeeded payments (type `payment` where typed) in the window on its subscriptions.
/// When the group field refers to a dimension table, every key of that table is a group (one
/// with no revenue counts as 0); else the groups are the values the subscriptions hold.
///
/// - `revenue.top10_share`, `revenue.top1_share`, `revenue.top20_share`: the share of the top
///   ceil(n/10), ceil(n/100), ceil(n/5) groups;
/// - `revenue.gini`: over all groups, in whole cents;
/// - `revenue.powerlaw.*`: the continuous Clauset-Shalizi-Newman fit over the revenues > 0 (as
///   the `powerlaw` package's `Fit(data)`) and its comparison with a lognormal.
///
/// Each figure but the power-law fit's carries a 95% interval from its influence function
/// (``InfluenceInterval``): over a few hundred groups the top 10% share is known to about
/// +-0.03, which a band of 0.55-0.65 must allow for.
///
/// The creators engine feeds ``record(_:into:)`` from its streamed transactions.
enum GroupRevenue {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        guard let payments = context[.payments], let subscriptions = context[.subscriptions],
              let groups = subscriptions.texts["group"] else { return }
        guard let paid = payments.texts["subscription"], let ids = subscriptions.texts["id"], let status = payments.texts["status"],
              let times = payments.times["time"], let amounts = payments.amounts["amount"] else {
            result.skipped.append(SkippedMeasure(measure: "revenue.top10_share, revenue.gini, revenue.powerlaw.*",
                                                 reason: "\(payments.source) needs payments.subscription, status and amount, and \(subscriptions.source) an id"))
            return
        }
        // The group slot of each subscriptions.group code: a dimension's key, else the code itself.
        var slotOfGroupCode = Array(0..<Int32(groups.dictionary.count))
        var slots = groups.dictionary.count
        if let name = subscriptions.mapping.field("group")?.dimension, let dimension = context.dimensions[name], let keys = dimension.texts["id"] {
            slotOfGroupCode = groups.translation(to: keys.dictionary)
            slots = keys.dictionary.count
        }
        // The group slot of each subscription id code.
        var slotOfID = Array(repeating: Int32(-1), count: ids.dictionary.count)
        for row in 0..<subscriptions.rows where ids.codes[row] >= 0 && groups.codes[row] >= 0 && slotOfID[Int(ids.codes[row])] < 0 {
            slotOfID[Int(ids.codes[row])] = slotOfGroupCode[Int(groups.codes[row])]
        }
        let slotOfPaid = paid.translation(to: ids.dictionary).map { $0 < 0 ? Int32(-1) : slotOfID[Int($0)] }
        let succeeded = status.values.map { $0 == "succeeded" }
        let types = payments.texts["type"]
        let isPayment = types.map { column in column.values.map { $0 == "payment" } }
        let windowStart = Int64(context.months[0].firstDay.dayNumber) * 86_400
        var cents = Array(repeating: 0, count: slots)
        for row in 0..<payments.rows {
            guard status.codes[row] >= 0, succeeded[Int(status.codes[row])], times[row] != noTime,
                  times[row] >= windowStart, times[row] <= context.asOf, paid.codes[row] >= 0,
                  case let slot = slotOfPaid[Int(paid.codes[row])], slot >= 0 else { continue }
            if let types, let isPayment { guard types.codes[row] >= 0, isPayment[Int(types.codes[row])] else { continue } }
            let value = (amounts[row] * 100).rounded()
            if value.isFinite, abs(value) < 1e15 { cents[Int(slot)] += Int(value) }
        }
        record(cents, into: &result)
    }

    /// The concentration figures of the groups' revenues in whole cents (the Lorenz chart too).
    static func record(_ cents: [Int], into result: inout Measurements) {
        let n = cents.count
        guard n > 0 else { return }
        let total = cents.reduce(0, +)
        result.charts.revenues = cents.map { Double($0) / 100 }
        guard total > 0 else { return }
        let ranked = cents.sorted(by: >)
        let descending = ranked.map(Double.init)
        for (name, count) in [("top10", (n + 9) / 10), ("top1", (n + 99) / 100), ("top20", (n + 4) / 5)] {
            let share = Double(ranked.prefix(count).reduce(0, +)) / Double(total)
            result.metrics["revenue.\(name)_share"] = withInterval(share, n: n, InfluenceInterval.topShare(descending: descending, top: count))
        }
        if let gini = Concentration.gini(cents) {
            result.metrics["revenue.gini"] = withInterval(gini, n: n, InfluenceInterval.gini(ascending: descending.reversed()))
        }
        // Clauset-Shalizi-Newman fit over the groups with revenue, in currency units.
        if let fit = PowerLawFit(cents.filter { $0 > 0 }.map { Double($0) / 100 }) {
            var alpha = Measurement(value: fit.alpha, n: fit.tailCount,
                                    interval: (fit.alpha - 1.959963984540054 * fit.standardError)...(fit.alpha + 1.959963984540054 * fit.standardError))
            alpha.standardError = fit.standardError
            result.metrics["revenue.powerlaw.alpha"] = alpha
            result.metrics["revenue.powerlaw.xmin"] = Measurement(value: fit.xmin, n: fit.tailCount)
            result.metrics["revenue.powerlaw.n_tail"] = Measurement(value: Double(fit.tailCount), n: n)
            result.metrics["revenue.powerlaw.ks_distance"] = Measurement(value: fit.ksDistance, n: fit.tailCount)
            result.metrics["revenue.powerlaw.lr_lognormal"] = Measurement(value: fit.lognormalComparison.ratio, n: fit.tailCount)
            result.metrics["revenue.powerlaw.p_lognormal"] = Measurement(value: fit.lognormalComparison.p, n: fit.tailCount)
        }
    }
}
