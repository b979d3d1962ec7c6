import Datasets
import TableIO

/// MRR movements at subscriber level, the way subscription-analytics vendors define them, at
/// month ends: for each subscriber, its MRR at the end of month m - 1 and of month m give one
/// movement of m: **new** (from 0, never positive before), **reactivation** (from 0, positive
/// before), **expansion** (up), **contraction** (down, not to 0), **churn** (to 0). Their sum
/// (new + reactivation + expansion - contraction - churn) is the change of MRR, exactly.
///
/// Net and gross revenue retention over the last twelve months: the subscribers with MRR at
/// the end of month L - 12; NRR = their MRR at the end of L / their MRR then, GRR = the same with
/// each subscriber's MRR capped at its earlier value.
///
/// - Complexity: O(subscriptions log subscriptions): each subscriber's MRR changes only where
///   one of its subscriptions starts or ends.
enum SubscriberMovements {
    static let kinds = ["new", "expansion", "contraction", "churn", "reactivation"]

    struct Result {
        /// By kind, by window month: the movement in whole millionths.
        var movements: [String: [Int128]]
        var retained: (base: Int128, now: Int128, capped: Int128, subscribers: Int)?
        /// Each retained-base subscriber's MRR a year before, now, and now capped at then (dollars),
        /// for the intervals of NRR and GRR.
        var perSubscriber: (base: [Double], now: [Double], capped: [Double]) = ([], [], [])
    }

    static func compute(_ context: AuditContext) -> Result {
        let ledger = context.ledger
        let months = context.months
        let first = months[0]
        let count = months.count
        // By kind (the order of `kinds`), by window month.
        var totals = Array(repeating: Array(repeating: Int128(0), count: count), count: kinds.count)
        let basePosition = count - 12
        var base: Int128 = 0, now: Int128 = 0, capped: Int128 = 0, retainedSubscribers = 0
        var perSubscriber: (base: [Double], now: [Double], capped: [Double]) = ([], [], [])
        // One subscriber's changes (position, delta), reused from one subscriber to the next.
        var list: [(position: Int, delta: Int128)] = []
        func add(_ subscription: SubscriptionLedger.Subscription) {
            guard let start = subscription.start else { return }
            let scaled = (subscription.amount * 1e6).rounded()
            guard scaled.isFinite, abs(scaled) < 9e15 else { return }
            let micros = Int128(Int64(scaled))
            let from = first.months(to: CivilDate(dayNumber: start).yearMonth) + 1
            let until = subscription.payingEnd.map { first.months(to: CivilDate(dayNumber: $0).yearMonth) + 1 }
            if let until, until <= from { return }
            list.append((from, micros))
            if let until { list.append((until, -micros)) }
        }
        func settle() {
            guard !list.isEmpty else { return }
            if list.count > 2 { list.sort { $0.position < $1.position } } else if list.count == 2 && list[1].position < list[0].position { list.swapAt(0, 1) }
            var level: Int128 = 0
            var everPositive = false
            var levelAtBase: Int128 = 0
            var final: Int128 = 0
            var index = 0
            while index < list.count {
                let position = list[index].position
                let previous = level
                while index < list.count && list[index].position == position {
                    level += list[index].delta
                    index += 1
                }
                if position <= basePosition { levelAtBase = level }
                if position <= count { final = level }
                // Position p is the end of window month p - 1.
                if position >= 1 && position <= count && level != previous {
                    let month = position - 1
                    if previous <= 0 && level > 0 {
                        totals[everPositive ? 4 : 0][month] += level
                    } else if previous > 0 && level <= 0 {
                        totals[3][month] += previous
                    } else if level > previous {
                        totals[1][month] += level - previous
                    } else {
                        totals[2][month] += previous - level
                    }
                }
                if level > 0 && position <= count { everPositive = true }
            }
            if basePosition >= 0, levelAtBase > 0 {
                base += levelAtBase
                now += max(0, final)
                capped += min(max(0, final), levelAtBase)
                retainedSubscribers += 1
                perSubscriber.base.append(Double(levelAtBase) / 1e6)
                perSubscriber.now.append(Double(max(0, final)) / 1e6)
                perSubscriber.capped.append(Double(min(max(0, final), levelAtBase)) / 1e6)
            }
            list.removeAll(keepingCapacity: true)
        }
        // Each subscriber's subscriptions; an orphan subscription is a subscriber of its own.
        for subscriber in 0..<ledger.subscriberCount {
            for position in ledger.bySubscriber[subscriber] { add(ledger.subscriptions[position]) }
            settle()
        }
        for subscription in ledger.subscriptions where subscription.subscriber < 0 {
            add(subscription)
            settle()
        }
        let movements = Dictionary(uniqueKeysWithValues: zip(kinds, totals))
        return Result(movements: movements, retained: basePosition >= 0 ? (base, now, capped, retainedSubscribers) : nil,
                      perSubscriber: perSubscriber)
    }

    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let computed = compute(context)
        let keys = context.months.map(\.description)
        for kind in kinds {
            result.metrics["mrr.movements.\(kind)"] = Measurement(series: zip(keys, computed.movements[kind]!).map {
                SeriesPoint(key: $0, value: Double($1) / 1e6)
            })
        }
        if let retained = computed.retained, retained.base > 0 {
            // Intervals from each ratio's influence function over the subscribers of the base
            // (NRR may exceed 1; GRR may not).
            let units = computed.perSubscriber
            result.metrics["revenue.nrr.trailing12"] = withInterval(Double(retained.now) / Double(retained.base), n: retained.subscribers,
                                                                     InfluenceInterval.ratio(now: units.now, base: units.base),
                                                                     within: 0...Double.infinity)
            let grr = Double(retained.capped) / Double(retained.base)
            result.metrics["revenue.grr.trailing12"] = withInterval(grr, n: retained.subscribers,
                                                                     InfluenceInterval.ratio(now: units.capped, base: units.base))
        }
        // Against a stored movements table: the largest gap of each component it has, over its months.
        guard let table = context[.movements], let monthTimes = table.times["month"] else { return }
        var worst: Double?
        for row in 0..<table.rows {
            guard let day = SubscriptionLedger.day(monthTimes[row]) else { continue }
            let index = context.months[0].months(to: CivilDate(dayNumber: day).yearMonth)
            guard index >= 0 && index < context.months.count else { continue }
            for kind in ["new", "expansion", "contraction", "churn", "reactivation"] {
                guard let stored = table.amounts[kind]?[row], !stored.isNaN else { continue }
                var ours = Double(computed.movements[kind]![index]) / 1e6
                // A table without reactivations counts them as new.
                if kind == "new" && table.amounts["reactivation"] == nil { ours += Double(computed.movements["reactivation"]![index]) / 1e6 }
                worst = max(worst ?? 0, abs(ours - stored))
            }
        }
        if let worst {
            result.metrics["movements.components_max_abs_error"] = Measurement(value: (worst * 100).rounded() / 100, n: table.rows)
        }
    }
}
