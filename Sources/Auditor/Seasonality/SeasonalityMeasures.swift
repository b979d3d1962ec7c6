import Datasets
import TableIO

/// Seasonality (SPEC sections 3.2 and 9): lifts of monthly series by least squares on
/// log y = a + b t + c_Q4 [Oct-Dec] + c_Jan [Jan] + c_Sum [Jun-Aug], lift = exp(c) - 1, and the
/// strength of the day-of-month pattern of daily collected revenue.
///
/// - `seasonality.q4_lift`: Q4 lift of new units (subscriptions or subscribers, the churn unit) by start month;
/// - `seasonality.jan_lift`: January lift of new subscribers by the month of their first subscription;
/// - `seasonality.summer_lift`: summer lift of events per unit active at the month's end;
/// - `seasonality.strength_daily`: r_d = succeeded payments on day d / the mean day of d's month;
///   s(j) = mean of r over the days with day-of-month j; strength = 1 - Var(r - s(dom(d))) / Var(r).
///
/// The creators engine feeds the same functions from its streamed files.
enum SeasonalityMeasures {
    struct Series {
        var name: String
        var values: [Double]
    }

    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let months = context.months
        let first = months[0]
        func index(_ day: Int?) -> Int? {
            guard let day, case let position = first.months(to: CivilDate(dayNumber: day).yearMonth), position >= 0, position < months.count else { return nil }
            return position
        }
        var newUnits = Array(repeating: 0.0, count: months.count)
        for unit in 0..<ledger.unitCount { if let position = index(ledger.since[unit]) { newUnits[position] += 1 } }
        var newSubscribers: [Double]?
        if ledger.unitIsSubscription {
            var counts = Array(repeating: 0.0, count: months.count)
            for subscriber in 0..<ledger.subscriberCount {
                if let position = index(ledger.bySubscriber[subscriber].first.flatMap { ledger.subscriptions[$0].start }) { counts[position] += 1 }
            }
            newSubscribers = counts
        }
        var engagement: [Double]?
        if let events = context[.events], let times = events.times["time"] {
            var counts = Array(repeating: 0.0, count: months.count)
            for row in 0..<events.rows where times[row] <= context.asOf {
                if let position = index(SubscriptionLedger.day(times[row])) { counts[position] += 1 }
            }
            var active = MonthEndSums(first: first, count: months.count)
            for unit in ledger.followedUnits {
                for run in ledger.lives[unit] {
                    active.add(start: CivilDate(dayNumber: run.start), end: run.end.map(CivilDate.init(dayNumber:)), value: 1)
                }
            }
            let totals = Array(active.totals.dropFirst())
            engagement = zip(counts, totals).map { $1 > 0 ? $0 / $1 : 0 }
        }
        let noun = context.mapping.subjectNoun
        lifts(months: months, newUnits: Series(name: "new \(noun)", values: newUnits),
              newSubscribers: newSubscribers.map { Series(name: "new subscribers", values: $0) },
              engagement: engagement.map { Series(name: "engagement per active \(noun.hasSuffix("s") ? String(noun.dropLast()) : noun)", values: $0) },
              into: &result)
        if let gross = dailyCollected(context) { dailyStrength(gross, months: months, into: &result) }
    }

    /// Succeeded payments (type `payment` where typed) in whole cents by window day.
    static func dailyCollected(_ context: AuditContext) -> [Int]? {
        guard let payments = context[.payments], let status = payments.texts["status"], let times = payments.times["time"],
              let amounts = payments.amounts["amount"] else { return nil }
        let firstDay = context.months[0].firstDay.dayNumber
        var gross = Array(repeating: 0, count: context.lastMonth.lastDay.dayNumber - firstDay + 1)
        let succeeded = status.values.map { $0 == "succeeded" }
        let types = payments.texts["type"]
        let isPayment = types.map { column in column.values.map { $0 == "payment" } }
        for row in 0..<payments.rows {
            guard status.codes[row] >= 0, succeeded[Int(status.codes[row])], times[row] <= context.asOf,
                  let day = SubscriptionLedger.day(times[row]), day >= firstDay, day - firstDay < gross.count else { continue }
            if let types, let isPayment { guard types.codes[row] >= 0, isPayment[Int(types.codes[row])] else { continue } }
            let cents = (amounts[row] * 100).rounded()
            if cents.isFinite, abs(cents) < 1e15 { gross[day - firstDay] += Int(cents) }
        }
        return gross
    }

    /// The lifts of the monthly series; with no `newSubscribers` (the units are the subscribers),
    /// the January lift comes from the new units' model too.
    static func lifts(months: [YearMonth], newUnits: Series, newSubscribers: Series?, engagement: Series?, into result: inout Measurements) {
        let monthNumbers = months.map(\.month)
        let keys = months.map(\.description)
        if let model = SeasonalLifts.model(newUnits.values, months: monthNumbers) {
            result.metrics["seasonality.q4_lift"] = measurement(model.q4, n: months.count)
            if newSubscribers == nil { result.metrics["seasonality.jan_lift"] = measurement(model.january, n: months.count) }
            result.charts.seasonal.append(SeasonalSeries(name: newUnits.name, keys: keys, observed: newUnits.values, fitted: model.fitted))
        }
        if let newSubscribers, let model = SeasonalLifts.model(newSubscribers.values, months: monthNumbers) {
            result.metrics["seasonality.jan_lift"] = measurement(model.january, n: months.count)
            result.charts.seasonal.append(SeasonalSeries(name: newSubscribers.name, keys: keys, observed: newSubscribers.values, fitted: model.fitted))
        }
        if let engagement, let model = SeasonalLifts.model(engagement.values, months: monthNumbers) {
            result.metrics["seasonality.summer_lift"] = measurement(model.summer, n: months.count)
            result.charts.seasonal.append(SeasonalSeries(name: engagement.name, keys: keys, observed: engagement.values, fitted: model.fitted))
        }
    }

    /// `seasonality.strength_daily` from the window's daily collected amounts (index 0 = its
    /// first day). Near 1: the day of the month explains the daily series (billing on the
    /// subscription's anniversary day); near 0: it does not.
    static func dailyStrength(_ gross: [Int], months: [YearMonth], into result: inout Measurements) {
        guard !gross.isEmpty else { return }
        var ratios: [Double] = []
        var dayOfMonth: [Int] = []
        var day = 0
        for month in months {
            let days = month.dayCount
            guard day + days <= gross.count else { break }
            let mean = Double(gross[day..<(day + days)].reduce(0, +)) / Double(days)
            for offset in 0..<days {
                ratios.append(mean > 0 ? Double(gross[day + offset]) / mean : 0)
                dayOfMonth.append(offset + 1)
            }
            day += days
        }
        var sums = Array(repeating: 0.0, count: 32)
        var counts = Array(repeating: 0, count: 32)
        for (ratio, dom) in zip(ratios, dayOfMonth) {
            sums[dom] += ratio
            counts[dom] += 1
        }
        let residuals = zip(ratios, dayOfMonth).map { $0 - sums[$1] / Double(counts[$1]) }
        let total = variance(ratios)
        guard total > 0 else { return }
        result.metrics["seasonality.strength_daily"] = Measurement(value: 1 - variance(residuals) / total, n: ratios.count)
    }

    /// A seasonal lift with its 95% interval and log-scale standard error.
    static func measurement(_ lift: SeasonalLifts.Lift, n: Int) -> Measurement {
        var measurement = Measurement(value: lift.value, n: n, interval: lift.interval)
        measurement.standardError = lift.logStandardError
        return measurement
    }

    /// Population variance.
    static func variance(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    }
}
