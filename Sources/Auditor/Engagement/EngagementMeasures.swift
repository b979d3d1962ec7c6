import Datasets
import TableIO

/// Engagement on the events role, by subscriber and month: a subscriber active at the end of
/// month m is engaged in m when it has at least one event in m.
///
/// - `engagement.engaged_share`: engaged subscriber-months / active subscriber-months;
/// - `engagement.events_per_active_month`: events of active subscribers in their active months /
///   active subscriber-months;
/// - `engagement.no_engagement_churn_ratio`: the churn in m + 1 of the subscribers not engaged in m
///   over that of the engaged (lives ending in m + 1 over those active at the end of m, each group).
///
/// - Complexity: O(events log events + active subscriber-months).
enum EngagementMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        guard let events = context[.events] else { return }
        guard let who = events.texts["subscriber"], let times = events.times["time"] else {
            result.skipped.append(SkippedMeasure(measure: "engagement.*", reason: "\(events.source) maps no events.subscriber"))
            return
        }
        let ledger = context.ledger
        let months = context.months
        let first = months[0]
        let subscriberOf = ledger.subscribers(of: who)
        // (subscriber, month) of every event in the window, sorted: counts per pair.
        var pairs: [Int64] = []
        pairs.reserveCapacity(events.rows)
        for row in 0..<events.rows {
            let code = who.codes[row]
            guard code >= 0, case let subscriber = Int(subscriberOf[Int(code)]), subscriber >= 0,
                  let day = SubscriptionLedger.day(times[row]), times[row] <= context.asOf else { continue }
            let index = first.months(to: CivilDate(dayNumber: day).yearMonth)
            guard index >= 0 && index < months.count else { continue }
            pairs.append(Int64(subscriber) * Int64(months.count) + Int64(index))
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
        let monthEnds = months.map { $0.lastDay.dayNumber }
        var activeMonths = 0, engagedMonths = 0, activeEvents = 0
        // Churn in m + 1 by engagement in m: (churned, exposed) for not engaged, engaged.
        var churned = [0, 0], exposed = [0, 0]
        for subscriber in 0..<ledger.subscriberCount {
            for run in ledger.runs[subscriber] {
                for (index, monthEnd) in monthEnds.enumerated() where run.start <= monthEnd && (run.end.map { $0 > monthEnd } ?? true) {
                    activeMonths += 1
                    let count = eventCounts[Int64(subscriber) * Int64(months.count) + Int64(index)] ?? 0
                    activeEvents += count
                    let engaged = count > 0 ? 1 : 0
                    engagedMonths += engaged
                    guard index + 1 < months.count else { continue }
                    exposed[engaged] += 1
                    if let end = run.end, end <= monthEnds[index + 1] { churned[engaged] += 1 }
                }
            }
        }
        guard activeMonths > 0 else { return }
        result.metrics["engagement.engaged_share"] = .share(engagedMonths, of: activeMonths)
        result.metrics["engagement.events_per_active_month"] = Measurement(value: Double(activeEvents) / Double(activeMonths), n: activeMonths)
        if exposed[0] > 0, exposed[1] > 0, churned[1] > 0 {
            let ratio = (Double(churned[0]) / Double(exposed[0])) / (Double(churned[1]) / Double(exposed[1]))
            result.metrics["engagement.no_engagement_churn_ratio"] = Measurement(value: ratio, n: exposed[0] + exposed[1])
        }
    }
}
