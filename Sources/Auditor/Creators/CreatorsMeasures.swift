import TableIO

/// The metrics of the creators profile (SPEC section 9), from the in-memory tables and the
/// aggregates of the two streamed files. Retention, churn, MRR and its movements, payments,
/// seasonality, revenue concentration and the engagement-churn ratio are the measure families'
/// code, fed from the engine's tables (``CreatorsTables/familyContext(window:churn:)``) and
/// streams; what only the creator economy has (size tiers, creator growth, emerging creators,
/// posting classes, engagement by tier rank and category, shape) is here.
/// `scripts/check/creators_metrics.sql` computes the same figures in DuckDB.
struct CreatorsMeasures {
    let tables: CreatorsTables
    let transactions: TransactionAggregates
    let events: EventAggregates
    let window: CreatorsWindow
    /// The patrons and pledges as the families read them.
    let context: AuditContext
    var hasTransactions = true
    var hasEvents = true
    /// Times each family when the benchmark's phase profile is on.
    var phases: Phases?

    /// The families that read the pledges and patrons only (retention, churn, MRR and its
    /// movements): the audit runs them beside the two streamed passes, before the rest.
    static func pledgeFamilies(_ context: AuditContext, phases: Phases?, into result: inout Measurements) {
        func timed(_ name: String, _ body: () -> Void) { if let phases { phases.time("  " + name, body) } else { body() } }
        timed("retention") { RetentionMeasures.measure(context, into: &result) }
        timed("churn") { ChurnMeasures.measure(context, into: &result) }
        timed("revenue") { RevenueMeasures.measure(context, into: &result) }
        timed("movements") { SubscriberMovements.measure(context, into: &result) }
    }

    /// Every other measure that does not read the engagement events (the audit runs these while
    /// the events file is still being read), after ``pledgeFamilies(_:phases:into:)``.
    func measureWithoutEvents(into result: inout Measurements) {
        result.asOf = Timestamp(seconds: window.asOf).description
        func timed(_ name: String, _ body: () -> Void) { if let phases { phases.time("  " + name, body) } else { body() } }
        timed("size by patrons") { sizeByPatrons(into: &result) }
        if hasTransactions {
            timed("payments") { payments(into: &result) }
            timed("revenue and tiers") { revenueAndTiers(active: activeAtMonthEnds(), into: &result) }
        }
        timed("posting") { posting(into: &result) }
    }

    /// The measures that read the engagement events, and the shape figures.
    func measureEvents(into result: inout Measurements) {
        if hasEvents { engagement(into: &result) }
        seasonality(into: &result)
        let creators = Double(tables.creators.count)
        if creators > 0 {
            result.metrics["shape.patrons_per_creator"] = Measurement(value: Double(tables.patrons.count) / creators, n: tables.creators.count)
            result.metrics["shape.pledges_per_creator"] = Measurement(value: Double(tables.pledges.count) / creators, n: tables.creators.count)
            if hasTransactions {
                result.metrics["shape.transactions_per_creator"] = Measurement(value: Double(transactions.rows) / creators, n: tables.creators.count)
            }
            result.metrics["shape.posts_per_creator"] = Measurement(value: Double(tables.posts.count) / creators, n: tables.creators.count)
            if hasEvents {
                result.metrics["shape.events_per_creator"] = Measurement(value: Double(events.rows) / creators, n: tables.creators.count)
            }
        }
    }

    /// Whether pledge `p` is active at moment `t`: started and not ended.
    @inline(__always)
    func isActive(_ p: Int, at t: Int64) -> Bool {
        tables.pledgeStart[p] <= t && tables.pledgeEnd[p] > t
    }

    /// Active pledges per creator at each window month end.
    func activeAtMonthEnds() -> ActivePerCreator {
        var counts = ActivePerCreator(creators: tables.creators.count, months: window.months.count, owners: tables.pledgeCreator)
        for p in 0..<tables.pledges.count {
            let creator = Int(tables.pledgeCreator[p])
            guard creator >= 0 else { continue }
            for (m, end) in window.ends.enumerated() where isActive(p, at: end) { counts.add(creator: creator, month: m) }
        }
        return counts
    }

    /// Counts per creator and window month, stored only for creators that have pledges (one flat
    /// table), so that a creators table of millions of rows costs 4 bytes a creator, not a row of
    /// months each.
    struct ActivePerCreator {
        let months: Int
        private var row: [Int32]
        private var counts: [Int32]

        init(creators: Int, months: Int, owners: [Int32]) {
            self.months = months
            var row = Array(repeating: Int32(-1), count: creators)
            var rows: Int32 = 0
            for owner in owners where owner >= 0 && row[Int(owner)] < 0 {
                row[Int(owner)] = rows
                rows += 1
            }
            self.row = row
            counts = Array(repeating: 0, count: Int(rows) * months)
        }

        mutating func add(creator: Int, month: Int) {
            counts[Int(row[creator]) * months + month] += 1
        }

        /// The creator's counts by month (zeros for a creator without pledges).
        subscript(creator: Int) -> [Int32] {
            guard row[creator] >= 0 else { return Array(repeating: 0, count: months) }
            let start = Int(row[creator]) * months
            return Array(counts[start..<start + months])
        }
    }

    /// The seed's absolute size thresholds: creators with 50+ and 500+ distinct patrons (any
    /// pledge, at any time), over all creators.
    private func sizeByPatrons(into result: inout Measurements) {
        let n = tables.creators.count
        guard n > 0 else { return }
        var pairs: [Int64] = []
        pairs.reserveCapacity(tables.pledges.count)
        for p in 0..<tables.pledges.count where tables.pledgeCreator[p] >= 0 && tables.pledgePatron[p] >= 0 {
            pairs.append(Int64(tables.pledgeCreator[p]) << 32 | Int64(tables.pledgePatron[p]))
        }
        pairs.sort()
        var patrons = Array(repeating: 0, count: n)
        var previous: Int64 = -1
        for pair in pairs where pair != previous {
            patrons[Int(pair >> 32)] += 1
            previous = pair
        }
        result.metrics["size.patrons_50plus_share"] = .share(patrons.count { $0 >= 50 }, of: n)
        result.metrics["size.patrons_500plus_share"] = .share(patrons.count { $0 >= 500 }, of: n)
    }

    /// SPEC section 9's payment figures, by the payments family's one implementation.
    /// The duplicated payments are named by pledge and moment: the pass keeps no transaction ids.
    private func payments(into result: inout Measurements) {
        let attempts = transactions.attempts
        let (duplicates, checked) = attempts.measure(into: &result)
        var keys = SampleKeys()
        for index in duplicates {
            keys.add(tables.pledges.string(Int(attempts.owner[index])) + " at " + Timestamp(seconds: attempts.time[index]).description)
        }
        result.integrity.append(IntegrityFinding(test: "duplicate_payments", table: "transactions",
                                                 column: "pledge_id, gross_amount_usd, transaction_at",
                                                 failures: keys.count, sampleKeys: keys.keys, checked: checked))
    }

    /// Revenue concentration, size tiers by revenue rank, growth and emerging creators.
    private func revenueAndTiers(active: ActivePerCreator, into result: inout Measurements) {
        let n = tables.creators.count
        guard n > 0 else { return }
        let revenue = transactions.revenueByCreator
        GroupRevenue.record(revenue, into: &result)
        // Rank 1 = highest revenue; ties by creator_id.
        let ids = (0..<n).map { tables.creators.string($0) }
        let ranked = (0..<n).sorted { revenue[$0] != revenue[$1] ? revenue[$0] > revenue[$1] : ids[$0] < ids[$1] }
        let topCount = (n + 9) / 10
        let establishedEnd = (4 * n + 9) / 10
        var tier = Array(repeating: 2, count: n)
        for (position, creator) in ranked.enumerated() { tier[creator] = position < topCount ? 0 : (position < establishedEnd ? 1 : 2) }

        // Growth of active pledges from the first window month with A > 0 to 2024-12, six months apart at least.
        var rates: [[Double]] = [[], []]
        let last = window.months.count - 1
        for creator in 0..<n where tier[creator] < 2 {
            let counts = active[creator]
            guard let first = counts.firstIndex(where: { $0 > 0 }), last - first >= 6 else { continue }
            let rate = Foundation.pow(Double(counts[last]) / Double(counts[first]), 1 / Double(last - first)) - 1
            rates[tier[creator]].append(rate)
        }
        if let median = Self.median(rates[1]) { result.metrics["growth.established_median"] = Measurement(value: median, n: rates[1].count) }
        if let median = Self.median(rates[0]) { result.metrics["growth.top_median"] = Measurement(value: median, n: rates[0].count) }

        // Emerging creators with fewer than 20 active pledges six tenure months after their first pledge.
        var pledgesOf = Array(repeating: [Int](), count: n)
        for p in 0..<tables.pledges.count where tables.pledgeCreator[p] >= 0 { pledgesOf[Int(tables.pledgeCreator[p])].append(p) }
        var eligible = 0
        var under = 0
        for creator in 0..<n where tier[creator] == 2 {
            let first = tables.creatorFirstPledge[creator]
            guard first != noTime, first + 6 * window.tenure <= window.asOf else { continue }
            let moment = first + 6 * window.tenure
            eligible += 1
            if pledgesOf[creator].filter({ isActive($0, at: moment) }).count < 20 { under += 1 }
        }
        result.metrics["creators.emerging_under20_share"] = .share(under, of: eligible)
    }

    /// Voluntary churn by posting class: posts in the window per window month of the creator.
    private func posting(into result: inout Measurements) {
        let n = tables.creators.count
        var posts = Array(repeating: 0, count: n)
        for post in 0..<tables.posts.count {
            let creator = Int(tables.postCreator[post])
            let moment = tables.postPublished[post]
            if creator >= 0 && moment >= window.start && moment <= window.asOf { posts[creator] += 1 }
        }
        var postingClass = Array(repeating: 2, count: n)
        var members = [0, 0, 0]
        for creator in 0..<n {
            let created = tables.creatorCreated[creator]
            let createdMonth = created == noTime ? window.months[0] : CivilDate(dayNumber: Int(created / 86_400)).yearMonth
            let months = window.months.count - max(0, window.months[0].months(to: createdMonth))
            let rate = months > 0 ? Double(posts[creator]) / Double(months) : 0
            postingClass[creator] = rate >= 4 ? 0 : (rate >= 1 ? 1 : 2)
            members[postingClass[creator]] += 1
        }
        var endings = [0, 0, 0]
        var atRisk = [0, 0, 0]
        for p in 0..<tables.pledges.count {
            let creator = Int(tables.pledgeCreator[p])
            guard creator >= 0 else { continue }
            let group = postingClass[creator]
            let end = tables.pledgeEnd[p]
            if tables.pledgeReason[p] == 0 && end >= window.start && end <= window.asOf { endings[group] += 1 }
            for start in window.starts where isActive(p, at: start - 1) { atRisk[group] += 1 }
        }
        let churn = (0..<3).map { atRisk[$0] > 0 ? Double(endings[$0]) / Double(atRisk[$0]) : Double.nan }
        if churn[1] > 0 && churn[0].isFinite {
            result.metrics["posting.high_churn_ratio"] = Measurement(value: churn[0] / churn[1], n: members[0])
        }
        if churn[1] > 0 && churn[2].isFinite {
            result.metrics["posting.low_churn_ratio"] = Measurement(value: churn[2] / churn[1], n: members[2])
        }
    }

    /// Engaged pledge-months by tier rank, top category; the engagement family's figures.
    private func engagement(into result: inout Measurements) {
        var engagedByRank = [0, 0, 0]
        var monthsByRank = [0, 0, 0]
        var pledgeMonthsByCategory = Array(repeating: 0, count: tables.categories.count)
        for p in 0..<tables.pledges.count {
            let creator = tables.pledgeCreator[p]
            let patron = tables.pledgePatron[p]
            let tier = tables.pledgeTier[p]
            guard creator >= 0, patron >= 0, tier >= 0 else { continue }
            let rank = min(max(Int(tables.tierRank[Int(tier)]), 1), 3) - 1
            let category = Int(tables.creatorCategory[Int(creator)])
            for (m, monthEnd) in window.ends.enumerated() where isActive(p, at: monthEnd) {
                monthsByRank[rank] += 1
                if events.engaged(pledge: p, month: m) { engagedByRank[rank] += 1 }
                pledgeMonthsByCategory[category] += 1
            }
        }
        for rank in 0..<3 {
            result.metrics["engagement.tier\(rank + 1)_rate"] = .share(engagedByRank[rank], of: monthsByRank[rank])
        }
        // Engaged share and the engagement-churn ratio: the engagement family, on the pledges.
        let ledger = context.ledger
        EngagementMeasures.record(context, eventsOf: { unit, month in events.engaged(pledge: ledger.unitSubscription[unit], month: month) ? 1 : 0 },
                                  countsEvents: false, into: &result)
        var best: (category: Int, rate: Double)?
        for category in 0..<tables.categories.count where pledgeMonthsByCategory[category] > 0 {
            let rate = Double(events.eventsByCategory[category]) / Double(pledgeMonthsByCategory[category])
            if best.map({ rate > $0.rate }) ?? true { best = (category, rate) }
        }
        if let best {
            result.metrics["engagement.top_category"] = Measurement(label: tables.categories.string(best.category),
                                                                   n: tables.categories.count)
        }
    }

    /// The seasonal series of SPEC section 9 from the tables and the streams, measured by the
    /// seasonality family.
    private func seasonality(into result: inout Measurements) {
        var newPledges = Array(repeating: 0.0, count: window.months.count)
        var newPatrons = Array(repeating: 0.0, count: window.months.count)
        var activeAtEnd = Array(repeating: 0.0, count: window.months.count)
        for p in 0..<tables.pledges.count {
            if let month = window.monthIndex(tables.pledgeStart[p]) { newPledges[month] += 1 }
            for (m, end) in window.ends.enumerated() where isActive(p, at: end) { activeAtEnd[m] += 1 }
        }
        for patron in 0..<tables.patrons.count {
            if let month = window.monthIndex(tables.patronFirstPledge[patron]) { newPatrons[month] += 1 }
        }
        let perPledge = zip(events.eventsByMonth, activeAtEnd).map { $1 > 0 ? Double($0) / $1 : 0 }
        SeasonalityMeasures.lifts(months: window.months, newUnits: .init(name: "new pledges", values: newPledges),
                                  newSubscribers: .init(name: "new patrons", values: newPatrons),
                                  engagement: hasEvents ? .init(name: "engagement per active pledge", values: perPledge) : nil,
                                  into: &result)
        if hasTransactions { SeasonalityMeasures.dailyStrength(transactions.grossByDay, months: window.months, into: &result) }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

import Foundation
