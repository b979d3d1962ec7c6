import TableIO

/// Monthly churn of the churn unit (SPEC sections 2 and 9): lives ending in month m over the
/// units active at the end of m - 1, for months 2 ... n, and its mean. The numerator counts the
/// lives active at the end of m - 1 (`monthly_numerator: at_risk`, the default) or every life
/// that ended in m (`all_endings`).
enum ChurnMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let months = context.months
        let (rates, exposed) = monthlyRates(context, slice: { _ in 0 }, slices: 1)
        var points: [SeriesPoint] = []
        var endedByMonth: [Int] = [], exposedByMonth: [Int] = []
        // Months after the as-of month are not observed.
        let observed = months[0].months(to: context.observedLastMonth) + 1
        for index in 1..<max(1, min(months.count, observed)) where exposed[0][index] > 0 {
            points.append(SeriesPoint(key: months[index].description, value: Double(rates[0][index]) / Double(exposed[0][index])))
            endedByMonth.append(rates[0][index])
            exposedByMonth.append(exposed[0][index])
        }
        result.metrics["churn.monthly"] = Measurement(series: points)
        if !points.isEmpty {
            result.metrics["churn.monthly.mean"] = meanOfMonthlyRates(ended: endedByMonth, exposed: exposedByMonth)
        }
        reasons(context, into: &result)
        hazards(context, into: &result)
    }

    /// `churn.monthly.mean`: the mean of the monthly rates r_m = d_m / n_m, n the unit-months at
    /// risk behind them (the sum of n_m), and a 95% interval from the rates' binomial sampling
    /// variance, mean ± 1.96 √(Σ r_m (1 - r_m) / n_m) / k over the k months. The spread between
    /// months (seasonality, an incident) is what the data says, not sampling noise: it is not in
    /// the interval.
    static func meanOfMonthlyRates(ended: [Int], exposed: [Int]) -> Measurement {
        let months = zip(ended, exposed).filter { $0.1 > 0 }
        let k = Double(months.count)
        let rates = months.map { Double($0.0) / Double($0.1) }
        let mean = rates.reduce(0, +) / k
        let variance = zip(rates, months).reduce(0.0) { $0 + $1.0 * (1 - $1.0) / Double($1.1.1) } / (k * k)
        let half = 1.959963984540054 * variance.squareRoot()
        return Measurement(value: mean, n: months.reduce(0) { $0 + $1.1 }, interval: (mean - half)...(mean + half))
    }

    /// Churn hazard by tenure on the lives (``TenureLifeTable``).
    static func hazards(_ context: AuditContext, into result: inout Measurements) {
        var table = TenureLifeTable(windowStart: Int64(context.months[0].firstDay.dayNumber) * 86_400, asOf: context.asOf)
        for unit in context.ledger.followedUnits {
            for run in context.ledger.lives[unit] { table.add(start: run.startTime, end: run.endTime ?? Int64.max) }
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

    /// Per slice of units and month: the lives ending in the month (those active at the end of the
    /// month before, or all, as the mapping says), and the lives active at the end of the month
    /// before (month 0 has none).
    static func monthlyRates(_ context: AuditContext, slice: (Int) -> Int, slices: Int) -> (ended: [[Int]], exposed: [[Int]]) {
        let months = context.months
        let ledger = context.ledger
        var ended = Array(repeating: Array(repeating: 0, count: months.count), count: slices)
        var active = Array(repeating: MonthEndSums(first: months[0], count: months.count), count: slices)
        let allEndings = context.mapping.churn.monthlyNumerator == .allEndings
        for unit in ledger.followedUnits {
            let group = slice(unit)
            for run in ledger.lives[unit] {
                let end = context.knownEnd(run.end)
                active[group].add(start: CivilDate(dayNumber: run.start), end: end.map(CivilDate.init(dayNumber:)), value: 1)
                guard let end else { continue }
                let endMonth = CivilDate(dayNumber: end).yearMonth
                guard allEndings || endMonth > CivilDate(dayNumber: run.start).yearMonth else { continue }
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
