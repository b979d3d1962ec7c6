import TableIO

/// The daily series only the slice scan reads (``SliceScan``): counts and rates whose every day
/// of every slice is tested, beside the detector's series of ``CreatorsSeries/build()``.
extension CreatorsSeries {
    /// The days of the window, first to the as-of day.
    var windowDays: [CivilDate] {
        let first = CivilDate(dayNumber: Int(window.start / 86_400))
        return (0..<(Int((window.asOf - window.start) / 86_400) + 1)).map { first.adding(days: $0) }
    }

    /// Whether a [creator x day] table of `creators` rows fits the budget of the payment tallies.
    static func perCreatorFits(_ creators: Int, days: Int) -> Bool { creators * days <= PaymentTallies.creatorCellBudget }

    /// The scan's series from the pledges and the payment attempts: the daily pledge churn rate
    /// and, when the transactions were read, the count of succeeded payments per day.
    func scanSeries() -> [SurfaceSeries] {
        var result = [dailyChurn()]
        if let payments { result.append(succeededPayments(payments)) }
        return result
    }

    /// Pledges ending each day over the pledges open during it (started before its end, not
    /// ended before its start), by category, tier rank and (within the memory budget) creator:
    /// a wave of endings in one creator's or one category's pledges, at the scale of its own
    /// population rather than of the platform's month.
    func dailyChurn() -> SurfaceSeries {
        let days = windowDays
        let count = days.count
        let (pledged, slot) = pledgedCreators
        let byCreator = Self.perCreatorFits(pledged.count, days: count)
        let categories = tables.categories.count
        let ranks = PaymentTallies.ranks.count
        var endedRank = Array(repeating: 0.0, count: categories * ranks * count)
        var openRank = OpenByDay(rows: categories * ranks, days: count)
        var endedCreator = Array(repeating: 0.0, count: byCreator ? pledged.count * count : 0)
        var openCreator = OpenByDay(rows: byCreator ? pledged.count : 0, days: count)
        for p in 0..<tables.pledges.count {
            let owner = Int(tables.pledgeCreator[p])
            let start = tables.pledgeStart[p], end = tables.pledgeEnd[p]
            guard owner >= 0, slot[owner] >= 0, start != noTime, start <= window.asOf else { continue }
            guard end == noTime || end >= window.start else { continue }
            let tier = Int(tables.pledgeTier[p])
            let rankValue = tier >= 0 ? Int(tables.tierRank[tier]) : 0
            let cell = Int(tables.creatorCategory[owner]) * ranks + ((1...4).contains(rankValue) ? rankValue - 1 : 4)
            let first = max(0, Int((start - window.start) / 86_400))
            let endDay = end == noTime ? count : Int((end - window.start) / 86_400)
            let last = min(count - 1, endDay)
            guard first <= last else { continue }
            // Open from its first day to the day it ends, both included.
            openRank.add(row: cell, from: first, through: last)
            if endDay < count { endedRank[cell * count + endDay] += 1 }
            if byCreator {
                let creator = Int(slot[owner])
                openCreator.add(row: creator, from: first, through: last)
                if endDay < count { endedCreator[creator * count + endDay] += 1 }
            }
        }
        let openByRank = openRank.counts()
        let openByCreator = openCreator.counts()
        let ended = endedRank
        @Sendable func sum(_ table: [Double], _ cells: [Int], _ day: Int) -> Double { cells.reduce(0.0) { $0 + table[$1 * count + day] } }
        let everyCell = Array(0..<(categories * ranks))
        let byCategory = (0..<categories).map { category in (0..<ranks).map { category * ranks + $0 } }
        let byRank = (0..<ranks).map { rank in (0..<categories).map { $0 * ranks + rank } }
        var dimensions = [
            SurfaceSeries.Dimension(name: "category", values: categoryNames, numerator: { sum(ended, byCategory[$0], $1) },
                                    denominator: { sum(openByRank, byCategory[$0], $1) }),
            SurfaceSeries.Dimension(name: "tier_rank", values: PaymentTallies.ranks, numerator: { sum(ended, byRank[$0], $1) },
                                    denominator: { sum(openByRank, byRank[$0], $1) }),
        ]
        if byCreator {
            let names = pledged.map { tables.creators.string($0) }
            let endedByCreator = endedCreator
            dimensions.insert(SurfaceSeries.Dimension(name: "creator_id", values: names, numerator: { endedByCreator[$0 * count + $1] },
                                                      denominator: { openByCreator[$0 * count + $1] }), at: 0)
        }
        return SurfaceSeries(id: "daily_pledge_churn_rate", title: "Platform daily pledge churn rate", form: .rate, unit: .share,
                             daily: true, keys: days.map(\.description), days: days,
                             numerator: (0..<count).map { sum(ended, everyCell, $0) },
                             denominator: (0..<count).map { sum(openByRank, everyCell, $0) }, dimensions: dimensions)
    }

    /// Succeeded payments per day, by category, payment method, tier rank and (when the tallies
    /// keep them) creator: payments that vanish from one slice (a month of one category not
    /// loaded) without failing.
    func succeededPayments(_ tallies: PaymentTallies) -> SurfaceSeries {
        let count = tallies.days
        let first = CivilDate(dayNumber: Int(window.start / 86_400))
        let days = (0..<count).map { first.adding(days: $0) }
        let categories = tallies.categories
        let slots = PaymentTallies.slots
        let succeeded = zip(tallies.attempts, tallies.failures).map { Double($0 - $1) }
        let all = Array(0..<categories)
        var dimensions: [SurfaceSeries.Dimension] = []
        if tallies.byCreator {
            let creatorAttempts = tallies.creatorAttempts, creatorFailures = tallies.creatorFailures
            dimensions.append(SurfaceSeries.Dimension(
                name: "creator_id", values: (0..<tables.creators.count).map { tables.creators.string($0) },
                numerator: { Double(creatorAttempts[$0 * count + $1] - creatorFailures[$0 * count + $1]) }))
        }
        dimensions.append(SurfaceSeries.Dimension(name: "category", values: categoryNames + ["(unknown creator)"],
                                                  numerator: { succeeded[($1 * categories + $0) * slots] }))
        for (name, values, offset) in [("payment_method", PaymentTallies.methods, 1), ("tier_rank", PaymentTallies.ranks, 1 + PaymentTallies.methods.count)] {
            dimensions.append(SurfaceSeries.Dimension(name: name, values: values,
                                                      numerator: { Self.slotSum(succeeded, all, categories, offset + $0, $1) }))
        }
        return SurfaceSeries(id: "daily_succeeded_payments", title: "Platform daily succeeded payments", form: .total, unit: .count,
                             daily: true, keys: days.map(\.description), days: days,
                             numerator: (0..<count).map { Self.slotSum(succeeded, all, categories, 0, $0) }, dimensions: dimensions)
    }

    /// Engagement events per day, by category and event type, compared with the same days of
    /// other months or with the weeks around through weekday and turn-of-month factors,
    /// whichever the platform's events follow: a category whose events stop. (Not by creator: one
    /// creator's events come in bursts around their posts, which a count model of days does not
    /// tell from an incident.)
    static func engagement(_ events: EventAggregates, days: [CivilDate], categoryNames: [String]) -> SurfaceSeries? {
        let count = days.count
        guard events.eventsByDay.count == count, count > 0 else { return nil }
        let categories = categoryNames.count
        let byCategory = events.eventsByDayCategory, byType = events.eventsByDayType
        let types = EventAggregates.eventTypes.count
        var dimensions = [SurfaceSeries.Dimension(name: "category", values: categoryNames,
                                                  numerator: { Double(byCategory[$1 * categories + $0]) })]
        if events.typed {
            dimensions.append(SurfaceSeries.Dimension(name: "event_type", values: EventAggregates.eventTypes,
                                                      numerator: { Double(byType[$1 * types + $0]) }))
        }
        return SurfaceSeries(id: "daily_engagement_events", title: "Platform daily engagement events", form: .total, unit: .count,
                             daily: true, keys: days.map(\.description), days: days, numerator: events.eventsByDay.map(Double.init),
                             dimensions: dimensions, cycle: .fitted)
    }
}
