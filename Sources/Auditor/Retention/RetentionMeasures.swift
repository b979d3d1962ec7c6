import TableIO

/// Retention of the churn unit, subscribers or subscriptions (SPEC sections 4 and 9): the cohort
/// matrix, pooled retention at k months and Kaplan-Meier survival on tenure, all from the
/// ledger's lives.
///
/// A unit of cohort c (its signup or start month) is retained at k when it is active at the end
/// of month c + k. Cohorts are the window's months: one that began before the window is seen
/// only through the units that lived into it. Linear in the subscriptions: each life adds to a difference array of its cohort.
enum RetentionMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        // Cells after the as-of month are censored; an end after the as-of moment is not known yet.
        let lastMonth = context.observedLastMonth
        // Per cohort: its size and, by month offset, the lives starting and ending.
        var cohorts: [YearMonth: (size: Int, deltas: [Int])] = [:]
        for unit in ledger.followedUnits {
            let cohort = CivilDate(dayNumber: ledger.since[unit]!).yearMonth
            // A cohort before the window is seen only through its survivors: not measured.
            guard cohort >= context.months[0] else { continue }
            let observed = cohort.months(to: lastMonth) + 1
            guard observed > 0, observed <= AuditWindow.maximumMonths else { continue }
            var entry = cohorts[cohort] ?? (0, Array(repeating: 0, count: observed + 1))
            entry.size += 1
            for run in ledger.lives[unit] {
                // Active at the end of month c + k for start month <= c + k < end month.
                let from = max(0, cohort.months(to: CivilDate(dayNumber: run.start).yearMonth))
                let until = min(observed, context.knownEnd(run.end).map { cohort.months(to: CivilDate(dayNumber: $0).yearMonth) } ?? observed)
                guard from < until else { continue }
                entry.deltas[from] += 1
                entry.deltas[until] -= 1
            }
            cohorts[cohort] = entry
        }
        guard let first = cohorts.keys.min() else { return }
        let width = first.months(to: lastMonth) + 1
        var pooled: [Int: (retained: Int, size: Int)] = [:]
        let rows = cohorts.sorted { $0.key < $1.key }.map { cohort, entry in
            var running = 0
            let retained = (0..<(entry.deltas.count - 1)).map { k -> Int? in
                running += entry.deltas[k]
                return running
            }
            for (k, value) in retained.enumerated() {
                pooled[k, default: (0, 0)].retained += value ?? 0
                pooled[k, default: (0, 0)].size += entry.size
            }
            return CohortMatrix.Row(key: cohort.description, size: entry.size,
                                    retained: retained + Array(repeating: nil, count: width - retained.count))
        }
        for k in [1, 3, 6, 12, 23] {
            let cell = pooled[k] ?? (0, 0)
            result.metrics["retention.pooled.k\(k)"] = .share(cell.retained, of: cell.size)
        }
        var matrix = Measurement(value: nil, n: rows.reduce(0) { $0 + $1.size })
        matrix.matrix = CohortMatrix(rows: rows)
        result.metrics["retention.cohorts"] = matrix
        survival(context, into: &result)
    }

    /// Kaplan-Meier survival of the units on tenure (seconds since signup or start over a tenure
    /// month of 30.4375 days): the end of the first life observed, censored at the end of the
    /// as-of moment. A unit that began before the window enters the risk set at its tenure on the
    /// window's first second (left truncation, as lifelines' `entry`); one whose first life ended
    /// before the window is not observed at all. The series runs to the longest tenure observed,
    /// at most the window's length in months.
    static func survival(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let asOf = context.asOf
        let windowStart = Int64(context.months[0].firstDay.dayNumber) * 86_400
        let tenure = Double(TenureLifeTable.tenure)
        var durations: [Double] = []
        var observed: [Bool] = []
        var entries: [Double] = []
        for unit in ledger.followedUnits {
            let signup = ledger.sinceTime[unit]
            guard signup != noTime, signup <= asOf else { continue }
            var exit = asOf + 1
            var ended = false
            if let churn = ledger.lives[unit].first?.endTime, churn <= asOf {
                exit = churn
                ended = true
            }
            let entry = max(0, windowStart - signup)
            guard exit > signup + entry || entry == 0 else { continue }
            durations.append(Double(max(0, exit - signup)) / tenure)
            observed.append(ended)
            entries.append(Double(entry) / tenure)
        }
        let truncated = entries.contains { $0 > 0 }
        let longest = Int((durations.max() ?? 0).rounded(.down))
        KaplanMeier(durations: durations, observed: observed, entry: truncated ? entries : nil)
            .record(into: &result, lastMonth: min(context.months.count, longest), subject: context.mapping.subjectNoun)
    }
}
