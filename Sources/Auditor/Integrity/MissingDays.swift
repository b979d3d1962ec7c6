import TableIO

/// The `no_missing_days` data test, one kernel for every dated role: a day with no rows at all
/// between the first and the last day that has rows, where the same weekday of the four weeks
/// before and the four weeks after holds a median of at least ``minimumExpected`` rows. With
/// that many expected, no rows at all has a chance under e^-10 (Poisson), below 0.05 over the
/// days of ten years: the day was not loaded, not merely quiet. Comparing a weekday with its
/// own kind keeps weekends of business-day data from counting; a quiet period longer than four
/// weeks sets its own median.
enum MissingDays {
    static let minimumExpected = 10
    /// Same-weekday neighbours on each side, and how many the median needs.
    static let weeks = 4
    static let minimumNeighbours = 4

    /// The indices of the missing days of `counts` (rows per consecutive day).
    static func find(_ counts: [Int]) -> [Int] {
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else { return [] }
        var missing: [Int] = []
        for day in first...last where counts[day] == 0 {
            var neighbours: [Int] = []
            for step in 1...weeks {
                for other in [day - 7 * step, day + 7 * step] where other >= first && other <= last { neighbours.append(counts[other]) }
            }
            guard neighbours.count >= minimumNeighbours else { continue }
            neighbours.sort()
            let middle = neighbours.count / 2
            let median = neighbours.count % 2 == 1 ? Double(neighbours[middle]) : Double(neighbours[middle - 1] + neighbours[middle]) / 2
            if median >= Double(minimumExpected) { missing.append(day) }
        }
        return missing
    }

    /// Rows per day from the first to the last dated row (at or before `asOf`), and the first day.
    static func counts(_ times: [Int64], asOf: Int64) -> (counts: [Int], firstDay: Int)? {
        var low = Int.max, high = Int.min
        for time in times where time != noTime && time <= asOf {
            guard let day = SubscriptionLedger.day(time) else { continue }
            low = min(low, day)
            high = max(high, day)
        }
        guard low <= high else { return nil }
        var counts = Array(repeating: 0, count: high - low + 1)
        for time in times where time != noTime && time <= asOf {
            if let day = SubscriptionLedger.day(time) { counts[day - low] += 1 }
        }
        return (counts, low)
    }

    /// The finding of a table whose rows per day from `firstDay` are `counts`.
    static func finding(table: String, column: String, counts: [Int], firstDay: Int, warnOnly: Bool = false) -> IntegrityFinding {
        var keys = SampleKeys()
        let missing = find(counts)
        for day in missing { keys.add(CivilDate(dayNumber: firstDay + day).description) }
        let examined = (counts.firstIndex { $0 > 0 }).map { first in counts.lastIndex { $0 > 0 }! - first + 1 } ?? 0
        return IntegrityFinding(test: "no_missing_days", table: table, column: column, failures: keys.count, sampleKeys: keys.keys,
                                checked: examined, warnOnly: warnOnly)
    }
}
