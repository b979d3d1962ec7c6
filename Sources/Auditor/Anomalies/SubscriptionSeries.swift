import Datasets
import TableIO

/// The surface series of a subscription dataset for the anomaly analysis (Documentation/anomalies.md):
/// MRR month over month, new subscribers and the monthly churn rate, each split by plan and by
/// every mapped attribute of the subscribers and subscriptions with at most 50 values.
/// Built from the ledger in one pass over the subscriptions and one over the lives.
enum SubscriptionSeries {
    /// Attributes with more distinct values than this are not split on (an email, an amount).
    static let maximumSliceValues = 50

    /// One way to split the series: by plan, or by an attribute of the subscribers or the subscriptions.
    struct Slicing {
        var name: String
        var values: [String]
        /// The slot of subscription i and of subscriber j (values.count - 1 is "(other)").
        var subscription: (Int) -> Int
        var subscriber: (Int) -> Int

        /// The slot of unit u of the ledger (a subscriber, or a subscription).
        func unit(_ ledger: SubscriptionLedger) -> (Int) -> Int {
            ledger.unitIsSubscription ? { self.subscription(ledger.unitSubscription[$0]) } : subscriber
        }
    }

    /// The plan, then every attribute with few enough values, subscribers' first.
    static func slicings(_ context: AuditContext) -> [Slicing] {
        let ledger = context.ledger
        let plans = ledger.plans + ["(other)"]
        var result = [Slicing(name: context[.subscriptions]?.columnName("plan") ?? "plan", values: plans,
                              subscription: { ledger.subscriptions[$0].plan >= 0 ? ledger.subscriptions[$0].plan : plans.count - 1 },
                              subscriber: { ledger.subscriberPlan[$0] >= 0 ? ledger.subscriberPlan[$0] : plans.count - 1 })]
        if let subscribers = context[.subscribers] {
            for (name, _) in subscribers.mapping.attributes {
                guard let column = subscribers.texts[name], column.dictionary.count <= maximumSliceValues, column.dictionary.count > 1 else { continue }
                let other = column.dictionary.count
                let slot: (Int) -> Int = { subscriber in
                    let row = ledger.subscriberRow[subscriber]
                    return row >= 0 && column.codes[row] >= 0 ? Int(column.codes[row]) : other
                }
                result.append(Slicing(name: name, values: column.values + ["(other)"],
                                      subscription: { ledger.subscriptions[$0].subscriber >= 0 ? slot(ledger.subscriptions[$0].subscriber) : other },
                                      subscriber: slot))
            }
        }
        // The attributes of a dimension table a subscription field or attribute refers to ("tiers.category").
        if let subscriptions = context[.subscriptions] {
            let referring = Role.subscriptions.fields.compactMap { field in subscriptions.mapping.fields[field.name].map { (field.name, $0) } }
                + subscriptions.mapping.attributes.map { ($0.name, $0.field) }
            for (name, field) in referring {
                guard let dimensionName = field.dimension, let dimension = context.dimensions[dimensionName],
                      let keys = dimension.texts["id"], let column = subscriptions.texts[name] else { continue }
                var rowOfKey = Array(repeating: -1, count: keys.dictionary.count)
                for row in 0..<dimension.rows where keys.codes[row] >= 0 && rowOfKey[Int(keys.codes[row])] < 0 { rowOfKey[Int(keys.codes[row])] = row }
                let keyOfCode = column.translation(to: keys.dictionary)
                for (attribute, _) in dimension.mapping.attributes {
                    guard let values = dimension.texts[attribute], values.dictionary.count <= maximumSliceValues, values.dictionary.count > 1 else { continue }
                    let other = values.dictionary.count
                    let slot: (Int) -> Int = { index in
                        let code = column.codes[ledger.subscriptions[index].row]
                        guard code >= 0, case let key = keyOfCode[Int(code)], key >= 0, case let row = rowOfKey[Int(key)], row >= 0,
                              values.codes[row] >= 0 else { return other }
                        return Int(values.codes[row])
                    }
                    result.append(Slicing(name: "\(dimensionName).\(attribute)", values: values.values + ["(other)"], subscription: slot,
                                          subscriber: { ledger.bySubscriber[$0].first.map(slot) ?? other }))
                }
            }
        }
        if let subscriptions = context[.subscriptions] {
            for (name, _) in subscriptions.mapping.attributes {
                guard let column = subscriptions.texts[name], column.dictionary.count <= maximumSliceValues, column.dictionary.count > 1 else { continue }
                let other = column.dictionary.count
                let slot: (Int) -> Int = { index in
                    let row = ledger.subscriptions[index].row
                    return column.codes[row] >= 0 ? Int(column.codes[row]) : other
                }
                result.append(Slicing(name: name, values: column.values + ["(other)"], subscription: slot,
                                      subscriber: { ledger.bySubscriber[$0].first.map(slot) ?? other }))
            }
        }
        return result
    }

    static func build(_ context: AuditContext) -> [SurfaceSeries] {
        let months = context.months
        let ledger = context.ledger
        let first = months[0]
        let keys = months.map(\.description)
        let days = months.map(\.firstDay)
        let levels = months.count + 1
        var mrrDimensions: [SurfaceSeries.Dimension] = []
        var newDimensions: [SurfaceSeries.Dimension] = []
        var churnDimensions: [SurfaceSeries.Dimension] = []
        var totalMRR: [Double] = [], totalNew: [Double] = [], totalChurned: [Double] = [], totalActive: [Double] = []
        for (position, slicing) in slicings(context).enumerated() {
            let count = slicing.values.count
            // MRR at the end of the month before the window and of every window month, by slice.
            var sums = Array(repeating: MonthEndSums(first: first, count: months.count), count: count)
            for (index, subscription) in ledger.subscriptions.enumerated() {
                guard let start = subscription.start else { continue }
                sums[slicing.subscription(index)].add(start: CivilDate(dayNumber: start), end: subscription.payingEnd.map(CivilDate.init(dayNumber:)),
                                                      value: subscription.amount)
            }
            let mrr = sums.flatMap(\.totals)
            // Units: signups (or starts) by month, churn over those active at the end of the month before.
            let slot = slicing.unit(ledger)
            var signups = Array(repeating: 0.0, count: count * months.count)
            for unit in ledger.followedUnits {
                let index = first.months(to: CivilDate(dayNumber: ledger.since[unit]!).yearMonth)
                if index >= 0 && index < months.count { signups[slot(unit) * months.count + index] += 1 }
            }
            let (ended, exposed) = ChurnMeasures.monthlyRates(context, slice: slot, slices: count)
            let churned = ended.flatMap { row in row.enumerated().map { $0 == 0 ? 0.0 : Double($1) } }
            let active = exposed.flatMap { $0.map(Double.init) }
            func totals(_ table: [Double], _ length: Int) -> [Double] {
                (0..<length).map { index in (0..<count).reduce(0.0) { $0 + table[$1 * length + index] } }
            }
            func dimension(_ table: [Double], _ length: Int, denominator: [Double]? = nil) -> SurfaceSeries.Dimension {
                var dimension = SurfaceSeries.Dimension(name: slicing.name, values: slicing.values, numerator: { table[$0 * length + $1] })
                if let denominator { dimension.denominator = { denominator[$0 * length + $1] } }
                return dimension
            }
            if position == 0 {
                totalMRR = totals(mrr, levels)
                totalNew = totals(signups, months.count)
                totalChurned = totals(churned, months.count)
                totalActive = totals(active, months.count)
            }
            mrrDimensions.append(dimension(mrr, levels))
            newDimensions.append(dimension(signups, months.count))
            churnDimensions.append(dimension(churned, months.count, denominator: active))
        }
        let noun = context.mapping.subjectNoun
        return [
            SurfaceSeries(id: "platform_mrr_monthly", title: "MRR, month-over-month change", form: .change, unit: .dollars,
                          daily: false, keys: keys, days: days, numerator: totalMRR, dimensions: mrrDimensions),
            SurfaceSeries(id: "new_\(noun)_monthly", title: "New \(noun) per month", form: .total, unit: .count,
                          daily: false, keys: keys, days: days, numerator: totalNew, dimensions: newDimensions),
            SurfaceSeries(id: "monthly_churn_rate", title: "Monthly \(noun.hasSuffix("s") ? String(noun.dropLast()) : noun) churn rate",
                          form: .rate, unit: .share, daily: false, keys: keys, days: days, numerator: totalChurned,
                          denominator: totalActive, dimensions: churnDimensions),
        ]
    }

    /// The daily series only the slice scan reads: new units per day (a count) and the daily
    /// churn rate (units whose life ends on a day over the units alive during it), each split by
    /// every slicing of ``slicings(_:)``. None when the window has fewer than 56 days.
    static func daily(_ context: AuditContext) -> [SurfaceSeries] {
        let ledger = context.ledger
        let firstDay = context.months[0].firstDay
        let lastDay = min(context.asOfDay, context.months[context.months.count - 1].lastDay.dayNumber)
        let count = lastDay - firstDay.dayNumber + 1
        guard count >= 56 else { return [] }
        let days = (0..<count).map { firstDay.adding(days: $0) }
        let keys = days.map(\.description)
        var newDimensions: [SurfaceSeries.Dimension] = []
        var churnDimensions: [SurfaceSeries.Dimension] = []
        var totalNew: [Double] = [], totalEnded: [Double] = [], totalOpen: [Double] = []
        for (position, slicing) in slicings(context).enumerated() {
            let slices = slicing.values.count
            let slot = slicing.unit(ledger)
            var signups = Array(repeating: 0.0, count: slices * count)
            var ended = Array(repeating: 0.0, count: slices * count)
            var alive = OpenByDay(rows: slices, days: count)
            for unit in ledger.followedUnits {
                let row = slot(unit)
                if let since = ledger.since[unit], case let day = since - firstDay.dayNumber, day >= 0 && day < count {
                    signups[row * count + day] += 1
                }
                for run in ledger.lives[unit] {
                    let end = context.knownEnd(run.end)
                    let from = max(0, run.start - firstDay.dayNumber)
                    let to = min(count - 1, (end ?? lastDay) - firstDay.dayNumber)
                    guard from <= to else { continue }
                    alive.add(row: row, from: from, through: to)
                    if let end, end - firstDay.dayNumber < count, end - firstDay.dayNumber >= 0 { ended[row * count + end - firstDay.dayNumber] += 1 }
                }
            }
            let open = alive.counts()
            func totals(_ table: [Double]) -> [Double] {
                (0..<count).map { day in (0..<slices).reduce(0.0) { $0 + table[$1 * count + day] } }
            }
            if position == 0 {
                totalNew = totals(signups)
                totalEnded = totals(ended)
                totalOpen = totals(open)
            }
            let (newTable, endedTable, openTable) = (signups, ended, open)
            newDimensions.append(SurfaceSeries.Dimension(name: slicing.name, values: slicing.values, numerator: { newTable[$0 * count + $1] }))
            churnDimensions.append(SurfaceSeries.Dimension(name: slicing.name, values: slicing.values, numerator: { endedTable[$0 * count + $1] },
                                                           denominator: { openTable[$0 * count + $1] }))
        }
        let noun = context.mapping.subjectNoun
        let singular = noun.hasSuffix("s") ? String(noun.dropLast()) : noun
        return [
            SurfaceSeries(id: "daily_new_\(noun)", title: "New \(noun) per day", form: .total, unit: .count, daily: true, keys: keys,
                          days: days, numerator: totalNew, dimensions: newDimensions, cycle: .fitted),
            SurfaceSeries(id: "daily_\(singular)_churn_rate", title: "Daily \(singular) churn rate", form: .rate, unit: .share, daily: true,
                          keys: keys, days: days, numerator: totalEnded, denominator: totalOpen, dimensions: churnDimensions),
        ]
    }
}
