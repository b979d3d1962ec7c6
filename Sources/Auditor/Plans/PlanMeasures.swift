import Datasets
import TableIO

/// Plans (tiers) in the mapping's rank order: each subscriber's first plan, first prices outside
/// their plan's range, and the lifecycle of plan changes between consecutive subscriptions.
enum PlanMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let plans = context.mapping.plans
        guard !plans.isEmpty else { return }
        // First subscriptions: those of every subscriber value in the subscriptions, orphans included.
        // By subscriber value (its code in the subscriptions' column): the earliest start, then the smallest id.
        let table = context[.subscriptions]!
        let references = table.texts["subscriber"]!
        let ids = table.texts["id"]
        var first = Array(repeating: -1, count: references.dictionary.count)
        for (position, subscription) in ledger.subscriptions.enumerated() {
            let code = references.codes[subscription.row]
            guard let start = subscription.start, code >= 0 else { continue }
            let current = first[Int(code)]
            if current >= 0, let currentStart = ledger.subscriptions[current].start {
                if currentStart < start { continue }
                if currentStart == start && (ids?.text(ledger.subscriptions[current].row) ?? "") <= (ids?.text(subscription.row) ?? "") { continue }
            }
            first[Int(code)] = position
        }
        let firsts = first.filter { $0 >= 0 }.map { ledger.subscriptions[$0] }
        let total = firsts.count
        for (index, plan) in plans.enumerated() {
            result.metrics["tiers.first.\(plan.metricName)_share"] = .share(firsts.filter { $0.plan == index }.count, of: total)
        }
        if plans.contains(where: { $0.price != nil }) {
            // Over the first subscriptions on a plan with a price range, and those on no listed plan.
            let checked = firsts.filter { $0.plan < 0 || plans[$0.plan].price != nil }
            let outside = checked.filter { subscription in
                guard subscription.plan >= 0, let range = plans[subscription.plan].price else { return true }
                return !range.contains(subscription.amount)
            }.count
            result.metrics["prices.first.out_of_range"] = Measurement(value: Double(outside), n: checked.count)
        }

        // Lifecycle: per subscriber, the rank changes between consecutive subscriptions.
        var upgraded = 0, downgraded = 0, unchanged = 0, single = 0, multiple = 0
        for subscriber in 0..<ledger.subscriberCount {
            let steps = changes(ledger, subscriber)
            let ups = steps.filter { $0 > 0 }.count, downs = steps.filter { $0 < 0 }.count
            if ups > 0 { upgraded += 1 }
            if downs > 0 { downgraded += 1 }
            if ups + downs == 0 { unchanged += 1 }
            let count = ledger.bySubscriber[subscriber].count
            if count == 1 { single += 1 }
            if count >= 2 { multiple += 1 }
        }
        let subscribers = ledger.subscriberCount
        result.metrics["lifecycle.upgraded_share"] = .share(upgraded, of: subscribers)
        result.metrics["lifecycle.downgraded_share"] = .share(downgraded, of: subscribers)
        result.metrics["lifecycle.unchanged_share"] = .share(unchanged, of: subscribers)
        result.metrics["lifecycle.single_sub_share"] = .share(single, of: subscribers)
        result.metrics["lifecycle.multi_sub_share"] = .share(multiple, of: subscribers)
    }

    /// The rank change from each of a subscriber's subscriptions to the next (plans outside the
    /// list change nothing).
    static func changes(_ ledger: SubscriptionLedger, _ subscriber: Int) -> [Int] {
        let list = ledger.bySubscriber[subscriber]
        guard list.count > 1 else { return [] }
        return zip(list, list.dropFirst()).map { before, after in
            let previous = ledger.subscriptions[before].plan, current = ledger.subscriptions[after].plan
            return previous < 0 || current < 0 ? 0 : current - previous
        }
    }
}
