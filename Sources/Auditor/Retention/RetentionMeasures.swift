import TableIO

/// Retention of subscribers (SPEC section 4): the cohort matrix, pooled retention at k months
/// and Kaplan-Meier survival on tenure, all from the ledger's lives.
///
/// A subscriber of cohort c (its signup month) is retained at k when it is active at the end of
/// month c + k. Linear in the subscriptions: each life adds to a difference array of its cohort.
enum RetentionMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        // Cells after the as-of month are censored; an end after the as-of moment is not known yet.
        let lastMonth = context.observedLastMonth
        // Per cohort: its size and, by month offset, the lives starting and ending.
        var cohorts: [YearMonth: (size: Int, deltas: [Int])] = [:]
        for subscriber in ledger.livingSubscribers {
            let cohort = CivilDate(dayNumber: ledger.signup[subscriber]!).yearMonth
            let observed = cohort.months(to: lastMonth) + 1
            guard observed > 0, observed <= AuditWindow.maximumMonths else { continue }
            var entry = cohorts[cohort] ?? (0, Array(repeating: 0, count: observed + 1))
            entry.size += 1
            for run in ledger.runs[subscriber] {
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

    /// Kaplan-Meier survival of subscribers on tenure (days since signup over 30.4375): the end
    /// of the first life observed, censored at the end of the as-of day. A subscriber that signed
    /// up before the window enters the risk set at its tenure on the window's first day (left
    /// truncation, as lifelines' `entry`); one whose first life ended before the window is not
    /// observed at all.
    static func survival(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let asOf = context.asOfDay
        let firstDay = context.months[0].firstDay.dayNumber
        var durations: [Double] = []
        var observed: [Bool] = []
        var entries: [Double] = []
        for subscriber in ledger.livingSubscribers {
            let signup = ledger.signup[subscriber]!
            guard signup <= asOf else { continue }
            var exit = asOf + 1
            var ended = false
            if let churn = ledger.firstChurn(subscriber), churn <= asOf {
                exit = churn
                ended = true
            }
            let entry = max(0, firstDay - signup)
            guard exit > signup + entry || entry == 0 else { continue }
            durations.append(Double(max(0, exit - signup)) / 30.4375)
            observed.append(ended)
            entries.append(Double(entry) / 30.4375)
        }
        let truncated = entries.contains { $0 > 0 }
        KaplanMeier(durations: durations, observed: observed, entry: truncated ? entries : nil)
            .record(into: &result, lastMonth: context.months.count - 1, subject: context.mapping.subjectNoun)
    }
}
