import Datasets
import TableIO

/// Engagement on the events role, by churn unit and month: a unit active at the end of month m
/// is engaged in m when it has at least one event in m. A subscriber's events are its own; a
/// subscription's are those naming it (events.subscription), else those of its subscriber in its
/// group (events.group = subscriptions.group: a patron's events on the creator of the pledge),
/// else those of its subscriber.
///
/// - `engagement.engaged_share`: engaged unit-months / active unit-months;
/// - `engagement.events_per_active_month`: events of active units in their active months /
///   active unit-months;
/// - `engagement.no_engagement_churn_ratio`: the churn in m + 1 of the units not engaged in m over
///   that of the engaged (lives ending in m + 1 over those active at the end of m, each group);
///   only voluntary endings count when the mapping names voluntary churn reasons.
///
/// - Complexity: O(events log events + active unit-months).
enum EngagementMeasures {
    /// How events find their unit: the key of each event row, and of each unit (-1: none).
    struct Keys {
        var ofEvent: (Int) -> Int64
        var ofUnit: [Int64]
    }

    static func keys(_ context: AuditContext, _ events: RoleTable) -> Keys? {
        let ledger = context.ledger
        if ledger.unitIsSubscription, let named = events.texts["subscription"], let ids = context[.subscriptions]?.texts["id"] {
            let subscriptionOfCode = named.translation(to: ids.dictionary)
            // Subscription id code -> unit.
            var unitOfCode = Array(repeating: Int64(-1), count: ids.dictionary.count)
            for unit in 0..<ledger.unitCount {
                let code = ids.codes[ledger.subscriptions[ledger.unitSubscription[unit]].row]
                if code >= 0 && unitOfCode[Int(code)] < 0 { unitOfCode[Int(code)] = Int64(unit) }
            }
            return Keys(ofEvent: { row in
                let code = named.codes[row]
                guard code >= 0, case let id = subscriptionOfCode[Int(code)], id >= 0 else { return -1 }
                return unitOfCode[Int(id)]
            }, ofUnit: (0..<ledger.unitCount).map(Int64.init))
        }
        guard let who = events.texts["subscriber"] else { return nil }
        let subscriberOf = ledger.subscribers(of: who)
        if ledger.unitIsSubscription, let eventGroups = events.texts["group"], let groups = context[.subscriptions]?.texts["group"] {
            let groupOf = eventGroups.translation(to: groups.dictionary)
            let width = Int64(groups.dictionary.count)
            return Keys(ofEvent: { row in
                let code = who.codes[row], group = eventGroups.codes[row]
                guard code >= 0, group >= 0, case let subscriber = Int64(subscriberOf[Int(code)]), subscriber >= 0,
                      case let translated = Int64(groupOf[Int(group)]), translated >= 0 else { return -1 }
                return subscriber * width + translated
            }, ofUnit: (0..<ledger.unitCount).map { unit in
                let subscription = ledger.subscriptions[ledger.unitSubscription[unit]]
                guard subscription.subscriber >= 0, subscription.group >= 0 else { return -1 }
                return Int64(subscription.subscriber) * width + Int64(subscription.group)
            })
        }
        return Keys(ofEvent: { row in
            let code = who.codes[row]
            return code >= 0 ? Int64(subscriberOf[Int(code)]) : -1
        }, ofUnit: ledger.unitSubscriber.map(Int64.init))
    }

    static func measure(_ context: AuditContext, into result: inout Measurements) {
        guard let events = context[.events] else { return }
        guard let times = events.times["time"], let keys = keys(context, events) else {
            result.skipped.append(SkippedMeasure(measure: "engagement.*", reason: "\(events.source) maps no events.subscriber"))
            return
        }
        let months = context.months
        let first = months[0]
        let width = Int64(months.count)
        // (key, month) of every event in the window, sorted: counts per pair.
        var pairs: [Int64] = []
        pairs.reserveCapacity(events.rows)
        for row in 0..<events.rows {
            let key = keys.ofEvent(row)
            guard key >= 0, let day = SubscriptionLedger.day(times[row]), times[row] <= context.asOf else { continue }
            let index = first.months(to: CivilDate(dayNumber: day).yearMonth)
            guard index >= 0 && index < months.count else { continue }
            pairs.append(key * width + Int64(index))
        }
        pairs.sort()
        var eventCounts: [Int64: Int] = [:]
        var position = 0
        while position < pairs.count {
            var next = position
            while next < pairs.count && pairs[next] == pairs[position] { next += 1 }
            eventCounts[pairs[position]] = next - position
            position = next
        }
        record(context, eventsOf: { unit, month in
            let key = keys.ofUnit[unit]
            return key < 0 ? 0 : eventCounts[key * width + Int64(month)] ?? 0
        }, countsEvents: true, into: &result)
    }

    /// The engagement figures from the events of each (unit, window month): a count, or 1 for
    /// engaged and 0 for not when only that is known (`countsEvents` false: no events per month).
    static func record(_ context: AuditContext, eventsOf: (Int, Int) -> Int, countsEvents: Bool, into result: inout Measurements) {
        let ledger = context.ledger
        let months = context.months
        let monthEnds = months.map { $0.lastDay.dayNumber }
        let voluntaryOnly = !context.mapping.churn.voluntary.isEmpty
        var activeMonths = 0, engagedMonths = 0, activeEvents = 0
        // Churn in m + 1 by engagement in m: (churned, exposed) for not engaged, engaged.
        var churned = [0, 0], exposed = [0, 0]
        for unit in ledger.followedUnits {
            for run in ledger.lives[unit] {
                for (index, monthEnd) in monthEnds.enumerated() where run.start <= monthEnd && (run.end.map { $0 > monthEnd } ?? true) {
                    activeMonths += 1
                    let count = eventsOf(unit, index)
                    activeEvents += count
                    let engaged = count > 0 ? 1 : 0
                    engagedMonths += engaged
                    guard index + 1 < months.count else { continue }
                    exposed[engaged] += 1
                    if let end = context.knownEnd(run.end), end <= monthEnds[index + 1], !voluntaryOnly || run.voluntary { churned[engaged] += 1 }
                }
            }
        }
        guard activeMonths > 0 else { return }
        result.metrics["engagement.engaged_share"] = .share(engagedMonths, of: activeMonths)
        if countsEvents {
            result.metrics["engagement.events_per_active_month"] = Measurement(value: Double(activeEvents) / Double(activeMonths), n: activeMonths)
        }
        if exposed[0] > 0, exposed[1] > 0, churned[1] > 0 {
            let ratio = (Double(churned[0]) / Double(exposed[0])) / (Double(churned[1]) / Double(exposed[1]))
            result.metrics["engagement.no_engagement_churn_ratio"] = Measurement(value: ratio, n: exposed[0] + exposed[1])
        }
    }
}
