import TableIO

/// Monthly logo churn (SPEC section 2): lives ending in month m over the subscribers active at
/// the end of m - 1, for months 2 ... n, and its mean.
enum ChurnMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let months = context.months
        let (rates, exposed) = monthlyRates(context, slice: { _ in 0 }, slices: 1)
        var points: [SeriesPoint] = []
        var churned = 0
        var total = 0
        // Months after the as-of month are not observed.
        let observed = months[0].months(to: context.observedLastMonth) + 1
        for index in 1..<max(1, min(months.count, observed)) where exposed[0][index] > 0 {
            points.append(SeriesPoint(key: months[index].description, value: Double(rates[0][index]) / Double(exposed[0][index])))
            churned += rates[0][index]
            total += exposed[0][index]
        }
        result.metrics["churn.monthly"] = Measurement(series: points)
        if !points.isEmpty {
            let mean = points.map(\.value).reduce(0, +) / Double(points.count)
            result.metrics["churn.monthly.mean"] = Measurement(value: mean, n: total)
        }
        reasons(context, into: &result)
        hazards(context, into: &result)
    }

    /// Churn hazard by tenure on the lives (``TenureLifeTable``).
    static func hazards(_ context: AuditContext, into result: inout Measurements) {
        var table = TenureLifeTable(windowStart: Int64(context.months[0].firstDay.dayNumber) * 86_400, asOf: context.asOf)
        for runs in context.ledger.runs {
            for run in runs { table.add(start: Int64(run.start) * 86_400, end: run.end.map { Int64($0) * 86_400 } ?? Int64.max) }
        }
        table.record(into: &result)
    }

    /// `churn.reason.VALUE`: the share of churns in the window with each recorded reason, from
    /// the churn events, else from the ended subscriptions' churn reason.
    static func reasons(_ context: AuditContext, into result: inout Measurements) {
        let first = context.months[0].firstDay.dayNumber, last = context.asOfDay
        var counts: [String: Int] = [:]
        if let events = context[.churnEvents], let reasons = events.texts["reason"], let times = events.times["time"] {
            for row in 0..<events.rows {
                guard let day = SubscriptionLedger.day(times[row]), day >= first, day <= last, let reason = reasons.text(row), !reason.isEmpty else { continue }
                counts[reason, default: 0] += 1
            }
        } else if let subscriptions = context[.subscriptions], let reasons = subscriptions.texts["churn_reason"] {
            for subscription in context.ledger.subscriptions {
                guard let end = subscription.end, end >= first, end <= last, let reason = reasons.text(subscription.row), !reason.isEmpty else { continue }
                counts[reason, default: 0] += 1
            }
        } else {
            return
        }
        let total = counts.values.reduce(0, +)
        // Reasons that differ only in case or punctuation share one id: their counts add up.
        var byID: [String: Int] = [:]
        for (reason, count) in counts {
            byID[String(reason.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }), default: 0] += count
        }
        for (id, count) in byID {
            result.metrics["churn.reason.\(id)"] = .share(count, of: total)
        }
    }

    /// Per slice and month: the lives ending in the month that were active at the end of the month
    /// before, and the lives active at the end of the month before (month 0 has none).
    static func monthlyRates(_ context: AuditContext, slice: (Int) -> Int, slices: Int) -> (ended: [[Int]], exposed: [[Int]]) {
        let months = context.months
        let ledger = context.ledger
        var ended = Array(repeating: Array(repeating: 0, count: months.count), count: slices)
        var active = Array(repeating: MonthEndSums(first: months[0], count: months.count), count: slices)
        for subscriber in ledger.livingSubscribers {
            let group = slice(subscriber)
            for run in ledger.runs[subscriber] {
                let end = context.knownEnd(run.end)
                active[group].add(start: CivilDate(dayNumber: run.start), end: end.map(CivilDate.init(dayNumber:)), value: 1)
                guard let end else { continue }
                let endMonth = CivilDate(dayNumber: end).yearMonth
                guard endMonth > CivilDate(dayNumber: run.start).yearMonth else { continue }
                let index = months[0].months(to: endMonth)
                if index >= 0 && index < months.count { ended[group][index] += 1 }
            }
        }
        let exposed = active.map { sums -> [Int] in
            let totals = sums.totals
            return (0..<months.count).map { $0 == 0 ? 0 : Int(totals[$0]) }
        }
        return (ended, exposed)
    }
}
