import TableIO

/// Daily tallies of payment attempts for the anomaly series, gathered in the pass over
/// `transactions.csv`: attempts, failures and succeeded gross per (day, category) split by
/// payment method and tier rank, failures by failure reason, and per (day, creator) when that
/// table fits the memory budget.
struct PaymentTallies {
    static let methods = ["card", "paypal", "apple_pay", "google_pay", "other"]
    static let ranks = ["1", "2", "3", "4", "other"]
    /// Slots per (day, category): 0 all, then the methods, then the ranks.
    static let slots = 1 + methods.count + ranks.count
    /// Distinct failure reasons kept; further values count as the last one, "(other)".
    static let maxReasons = 16
    /// Days x creators beyond which the per-creator daily table is not kept (about 128 MB).
    static let creatorCellBudget = 8_000_000

    let days: Int
    /// Categories of the creators table, plus one for pledges whose creator is unknown.
    let categories: Int
    let creators: Int
    var attempts: [Int32]
    var failures: [Int32]
    var gross: [Int]
    var reasons: [[UInt8]] = []
    var reasonFailures: [Int32]
    let byCreator: Bool
    var creatorAttempts: [Int32] = []
    var creatorFailures: [Int32] = []
    var creatorGross: [Int] = []

    init(days: Int, categories: Int, creators: Int) {
        self.days = days
        self.categories = categories + 1
        self.creators = creators
        attempts = Array(repeating: 0, count: days * self.categories * Self.slots)
        failures = attempts
        gross = Array(repeating: 0, count: days * self.categories * Self.slots)
        reasonFailures = Array(repeating: 0, count: days * self.categories * Self.maxReasons)
        byCreator = creators * days <= Self.creatorCellBudget
        if byCreator {
            creatorAttempts = Array(repeating: 0, count: creators * days)
            creatorFailures = creatorAttempts
            creatorGross = Array(repeating: 0, count: creators * days)
        }
    }

    func slot(_ day: Int, _ category: Int, _ slot: Int) -> Int { (day * categories + category) * Self.slots + slot }

    /// Records one attempt: `method` and `rank` are indices into `methods` and `ranks`.
    mutating func record(day: Int, category: Int, creator: Int, method: Int, rank: Int, failed: Bool, grossCents: Int,
                         reason: UnsafeBufferPointer<UInt8>?) {
        let base = slot(day, category, 0)
        let cells = (base, base + 1 + method, base + 1 + Self.methods.count + rank)
        attempts[cells.0] += 1
        attempts[cells.1] += 1
        attempts[cells.2] += 1
        if failed {
            failures[cells.0] += 1
            failures[cells.1] += 1
            failures[cells.2] += 1
        } else {
            gross[cells.0] += grossCents
            gross[cells.1] += grossCents
            gross[cells.2] += grossCents
        }
        if failed {
            reasonFailures[(day * categories + category) * Self.maxReasons + reasonIndex(reason)] += 1
        }
        if byCreator && creator >= 0 {
            let cell = creator * days + day
            creatorAttempts[cell] += 1
            if failed { creatorFailures[cell] += 1 } else { creatorGross[cell] += grossCents }
        }
    }

    mutating func reasonIndex(_ reason: UnsafeBufferPointer<UInt8>?) -> Int {
        let bytes = reason ?? UnsafeBufferPointer(start: nil, count: 0)
        if let index = reasons.firstIndex(where: { $0.elementsEqual(bytes) }) { return index }
        if reasons.count < Self.maxReasons - 1 {
            reasons.append(Array(bytes))
            return reasons.count - 1
        }
        return Self.maxReasons - 1
    }

    var reasonNames: [String] {
        reasons.map { $0.isEmpty ? "(empty)" : String(decoding: $0, as: UTF8.self) } + ["(other)"]
    }
}

/// The surface series of the creators profile with their drill-down dimensions
/// (Documentation/anomalies.md): platform MRR, new pledges and churn rate by month, daily
/// succeeded revenue and payment failure rate, each for the platform and for every category.
struct CreatorsSeries {
    let tables: CreatorsTables
    let window: CreatorsWindow
    let payments: PaymentTallies?

    func build() -> [SurfaceSeries] {
        var result = monthly()
        if let payments { result += daily(payments) }
        return result
    }

    var categoryNames: [String] {
        (0..<tables.categories.count).map { tables.categories.string($0).isEmpty ? "(none)" : tables.categories.string($0) }
    }

    /// The creators of each category.
    var creatorsByCategory: [[Int]] {
        var groups = Array(repeating: [Int](), count: tables.categories.count)
        for creator in 0..<tables.creators.count { groups[Int(tables.creatorCategory[creator])].append(creator) }
        return groups
    }

    // MARK: Monthly series from the pledges

    /// The creators that hold a dated pledge, in creator order, and each creator's place among
    /// them (-1 for none). Creators without pledges would only add rows of zeros to the
    /// per-creator tables, so those are sized by the creators with pledges: memory grows with
    /// the pledges, never with a creators table of millions of rows.
    var pledgedCreators: (creators: [Int], slot: [Int32]) {
        var slot = Array(repeating: Int32(-1), count: tables.creators.count)
        for p in 0..<tables.pledges.count where tables.pledgeStart[p] != noTime {
            let creator = Int(tables.pledgeCreator[p])
            if creator >= 0 { slot[creator] = 0 }
        }
        var creators: [Int] = []
        for creator in slot.indices where slot[creator] == 0 {
            slot[creator] = Int32(creators.count)
            creators.append(creator)
        }
        return (creators, slot)
    }

    func monthly() -> [SurfaceSeries] {
        let (pledged, slot) = pledgedCreators
        let creators = pledged.count
        let categories = tables.categories.count
        let months = window.months.count
        let levels = months + 1
        let ranks = PaymentTallies.ranks.count
        let reasons = 4
        var mrrCreator = Array(repeating: 0.0, count: creators * levels)
        var mrrRank = Array(repeating: 0.0, count: categories * ranks * levels)
        var newCreator = Array(repeating: 0.0, count: creators * months)
        var newRank = Array(repeating: 0.0, count: categories * ranks * months)
        var endedCreator = Array(repeating: 0.0, count: creators * months)
        var activeCreator = Array(repeating: 0.0, count: creators * months)
        var endedRank = Array(repeating: 0.0, count: categories * ranks * months)
        var activeRank = Array(repeating: 0.0, count: categories * ranks * months)
        var endedReason = Array(repeating: 0.0, count: categories * reasons * months)
        let moments = [window.start - 1] + window.ends
        for p in 0..<tables.pledges.count {
            let owner = Int(tables.pledgeCreator[p])
            guard owner >= 0, slot[owner] >= 0 else { continue }
            let creator = Int(slot[owner])
            let category = Int(tables.creatorCategory[owner])
            let tier = Int(tables.pledgeTier[p])
            let rankValue = tier >= 0 ? Int(tables.tierRank[tier]) : 0
            let rank = (1...4).contains(rankValue) ? rankValue - 1 : 4
            let start = tables.pledgeStart[p]
            let end = tables.pledgeEnd[p]
            let pause = tables.pledgePause[p]
            guard start != noTime else { continue }
            let amount = Double(tables.pledgeAmountCents[p]) / 100
            for (level, moment) in moments.enumerated() where start <= moment && end > moment && pause > moment {
                mrrCreator[creator * levels + level] += amount
                mrrRank[(category * ranks + rank) * levels + level] += amount
            }
            if let month = window.monthIndex(start) {
                newCreator[creator * months + month] += 1
                newRank[(category * ranks + rank) * months + month] += 1
            }
            for month in 0..<months {
                let before = window.starts[month] - 1
                if start <= before && end > before {
                    activeCreator[creator * months + month] += 1
                    activeRank[(category * ranks + rank) * months + month] += 1
                }
                if end >= window.starts[month] && end <= window.ends[month] {
                    endedCreator[creator * months + month] += 1
                    endedRank[(category * ranks + rank) * months + month] += 1
                    let reason = Int(tables.pledgeReason[p])
                    endedReason[(category * reasons + ((0...2).contains(reason) ? reason : 3)) * months + month] += 1
                }
            }
        }
        // Members of each category by their place among the pledged creators.
        let groups = creatorsByCategory.map { group in group.compactMap { slot[$0] >= 0 ? Int(slot[$0]) : nil } }
        let names = tables.creators
        let creatorNames = pledged.map { names.string($0) }
        let categoryNames = categoryNames
        let rankNames = PaymentTallies.ranks
        let reasonNames = ["voluntary", "payment_failed", "creator_removed", "(other)"]
        let keys = window.months.map(\.description)
        let days = window.months.map(\.firstDay)

        let creatorDimension = Self.creatorDimension
        let split = Self.split
        let categoryDimension = { (table: [Double], count: Int, denominator: [Double]?) in
            Self.categoryDimension(categoryNames, groups, table, count: count, denominator: denominator)
        }
        func total(_ table: [Double], members: [Int], count: Int) -> [Double] {
            var result = Array(repeating: 0.0, count: count)
            for creator in members { for index in 0..<count { result[index] += table[creator * count + index] } }
            return result
        }

        var series: [SurfaceSeries] = []
        let everyone = Array(0..<creators)
        let allCategories = Array(0..<categories)
        for scope in [nil] + allCategories.map({ Optional($0) }) {
            let members = scope.map { groups[$0] } ?? everyone
            let within = scope.map { [$0] } ?? allCategories
            let suffix = scope.map { ":" + categoryNames[$0] } ?? ""
            let label = scope.map { "Category \(categoryNames[$0]) " } ?? "Platform "
            func dimensions(_ table: [Double], _ rankTable: [Double], count: Int, denominator: [Double]? = nil,
                            rankDenominator: [Double]? = nil) -> [SurfaceSeries.Dimension] {
                var result = [creatorDimension(members.map { creatorNames[$0] }, members, table, count, denominator)]
                if scope == nil { result.append(categoryDimension(table, count, denominator)) }
                result.append(split("tier_rank", rankNames, rankTable, ranks, count, within, rankDenominator))
                return result
            }
            series.append(SurfaceSeries(
                id: (scope == nil ? "platform_mrr_monthly" : "category_mrr_monthly") + suffix,
                family: scope == nil ? nil : "category_mrr_monthly", parent: scope == nil ? nil : "platform_mrr_monthly",
                memberDimension: scope == nil ? nil : "category", member: scope.map { categoryNames[$0] },
                title: label + "MRR, month-over-month change", form: .change, unit: .dollars, daily: false, keys: keys, days: days,
                numerator: total(mrrCreator, members: members, count: levels),
                dimensions: dimensions(mrrCreator, mrrRank, count: levels)))
            series.append(SurfaceSeries(
                id: (scope == nil ? "new_pledges_monthly" : "category_new_pledges_monthly") + suffix,
                family: scope == nil ? nil : "category_new_pledges_monthly", parent: scope == nil ? nil : "new_pledges_monthly",
                memberDimension: scope == nil ? nil : "category", member: scope.map { categoryNames[$0] },
                title: label + "new pledges per month", form: .total, unit: .count, daily: false, keys: keys, days: days,
                numerator: total(newCreator, members: members, count: months),
                dimensions: dimensions(newCreator, newRank, count: months)))
            var churnDimensions = dimensions(endedCreator, endedRank, count: months, denominator: activeCreator, rankDenominator: activeRank)
            churnDimensions.append(split("churn_reason", reasonNames, endedReason, reasons, months, within, nil))
            series.append(SurfaceSeries(
                id: (scope == nil ? "monthly_churn_rate" : "category_monthly_churn_rate") + suffix,
                family: scope == nil ? nil : "category_monthly_churn_rate", parent: scope == nil ? nil : "monthly_churn_rate",
                memberDimension: scope == nil ? nil : "category", member: scope.map { categoryNames[$0] },
                title: label + "monthly churn rate", form: .rate, unit: .share, daily: false, keys: keys, days: days,
                numerator: total(endedCreator, members: members, count: months),
                denominator: total(activeCreator, members: members, count: months), dimensions: churnDimensions))
        }
        return series
    }

    /// Creators (a category's, or all) as a dimension of a [creator x count] table.
    static func creatorDimension(_ names: [String], _ members: [Int], _ table: [Double], _ count: Int,
                                 _ denominator: [Double]?) -> SurfaceSeries.Dimension {
        var dimension = SurfaceSeries.Dimension(name: "creator_id", values: names, numerator: { table[members[$0] * count + $1] })
        if let denominator { dimension.denominator = { denominator[members[$0] * count + $1] } }
        return dimension
    }

    /// Categories as a dimension of a [creator x count] table.
    static func categoryDimension(_ names: [String], _ groups: [[Int]], _ table: [Double], count: Int,
                                  denominator: [Double]?) -> SurfaceSeries.Dimension {
        var dimension = SurfaceSeries.Dimension(
            name: "category", values: names,
            numerator: { category, index in groups[category].reduce(0.0) { $0 + table[$1 * count + index] } })
        if let denominator {
            dimension.denominator = { category, index in groups[category].reduce(0.0) { $0 + denominator[$1 * count + index] } }
        }
        return dimension
    }

    /// A dimension of a [category x value x count] table, summed over the categories `within`.
    static func split(_ name: String, _ values: [String], _ table: [Double], _ width: Int, _ count: Int, _ within: [Int],
                      _ denominator: [Double]?) -> SurfaceSeries.Dimension {
        @Sendable func sum(_ table: [Double], _ value: Int, _ index: Int) -> Double {
            var total = 0.0
            for category in within { total += table[(category * width + value) * count + index] }
            return total
        }
        var dimension = SurfaceSeries.Dimension(name: name, values: values, numerator: { sum(table, $0, $1) })
        if let denominator { dimension.denominator = { sum(denominator, $0, $1) } }
        return dimension
    }

    /// The sum of one slot of a [day x category x slot] table over the categories `within`.
    static func slotSum(_ table: [Double], _ within: [Int], _ categories: Int, _ slot: Int, _ day: Int) -> Double {
        var total = 0.0
        for category in within { total += table[(day * categories + category) * PaymentTallies.slots + slot] }
        return total
    }

    // MARK: Daily series from the payment attempts

    func daily(_ tallies: PaymentTallies) -> [SurfaceSeries] {
        let count = tallies.days
        let first = CivilDate(dayNumber: Int(window.start / 86_400))
        let days = (0..<count).map { first.adding(days: $0) }
        let keys = days.map(\.description)
        let groups = creatorsByCategory
        // Names only when the daily series are split by creator (creators x days small enough).
        let creatorNames = tallies.byCreator ? (0..<tables.creators.count).map { tables.creators.string($0) } : []
        let categoryNames = categoryNames + ["(unknown creator)"]
        let reasonNames = tallies.reasonNames
        let methods = PaymentTallies.methods
        let ranks = PaymentTallies.ranks
        let attempts = tallies.attempts.map(Double.init)
        let failures = tallies.failures.map(Double.init)
        let gross = tallies.gross.map { Double($0) / 100 }
        let reasonFailures = tallies.reasonFailures.map(Double.init)
        let creatorAttempts = tallies.creatorAttempts
        let creatorFailures = tallies.creatorFailures
        let creatorGross = tallies.creatorGross
        let categories = tallies.categories
        let slots = PaymentTallies.slots
        let maxReasons = PaymentTallies.maxReasons

        var series: [SurfaceSeries] = []
        let allCategories = Array(0..<categories)
        for scope in [nil] + (0..<tables.categories.count).map({ Optional($0) }) {
            let within = scope.map { [$0] } ?? allCategories
            let members = scope.map { groups[$0] } ?? Array(0..<tables.creators.count)
            let suffix = scope.map { ":" + categoryNames[$0] } ?? ""
            let label = scope.map { "Category \(categoryNames[$0]) " } ?? "Platform "
            func dimensions(_ table: [Double], creatorTable: @escaping @Sendable (Int) -> Double, rate: Bool) -> [SurfaceSeries.Dimension] {
                var result: [SurfaceSeries.Dimension] = []
                if tallies.byCreator {
                    var creator = SurfaceSeries.Dimension(name: "creator_id", values: members.map { creatorNames[$0] },
                                                          numerator: { value, day in creatorTable(members[value] * count + day) })
                    if rate { creator.denominator = { value, day in Double(creatorAttempts[members[value] * count + day]) } }
                    result.append(creator)
                }
                if scope == nil {
                    var category = SurfaceSeries.Dimension(name: "category", values: categoryNames,
                                                           numerator: { table[($1 * categories + $0) * slots] })
                    if rate { category.denominator = { attempts[($1 * categories + $0) * slots] } }
                    result.append(category)
                }
                for (name, values, offset) in [("payment_method", methods, 1), ("tier_rank", ranks, 1 + methods.count)] {
                    var dimension = SurfaceSeries.Dimension(name: name, values: values,
                                                            numerator: { Self.slotSum(table, within, categories, offset + $0, $1) })
                    if rate { dimension.denominator = { Self.slotSum(attempts, within, categories, offset + $0, $1) } }
                    result.append(dimension)
                }
                return result
            }
            var failureDimensions = dimensions(failures, creatorTable: { Double(creatorFailures[$0]) }, rate: true)
            failureDimensions.append(SurfaceSeries.Dimension(
                name: "failure_reason", values: reasonNames,
                numerator: { reason, day in
                    let index = reason == reasonNames.count - 1 ? maxReasons - 1 : reason
                    return within.reduce(0.0) { $0 + reasonFailures[(day * categories + $1) * maxReasons + index] }
                }))
            series.append(SurfaceSeries(
                id: (scope == nil ? "daily_succeeded_revenue" : "category_daily_succeeded_revenue") + suffix,
                family: scope == nil ? nil : "category_daily_succeeded_revenue", parent: scope == nil ? nil : "daily_succeeded_revenue",
                memberDimension: scope == nil ? nil : "category", member: scope.map { categoryNames[$0] },
                title: label + "daily succeeded payment revenue", form: .total, unit: .dollars, daily: true, keys: keys, days: days,
                numerator: (0..<count).map { Self.slotSum(gross, within, categories, 0, $0) },
                dimensions: dimensions(gross, creatorTable: { Double(creatorGross[$0]) / 100 }, rate: false)))
            series.append(SurfaceSeries(
                id: (scope == nil ? "daily_payment_failure_rate" : "category_daily_payment_failure_rate") + suffix,
                family: scope == nil ? nil : "category_daily_payment_failure_rate", parent: scope == nil ? nil : "daily_payment_failure_rate",
                memberDimension: scope == nil ? nil : "category", member: scope.map { categoryNames[$0] },
                title: label + "daily payment failure rate", form: .rate, unit: .share, daily: true, keys: keys, days: days,
                numerator: (0..<count).map { Self.slotSum(failures, within, categories, 0, $0) },
                denominator: (0..<count).map { Self.slotSum(attempts, within, categories, 0, $0) }, dimensions: failureDimensions))
        }
        return series
    }
}
