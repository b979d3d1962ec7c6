#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TableIO

/// One tier of a creator.
public struct TierPlan: Sendable {
    /// Global tier number (1-based, the `ti_` id).
    public var number: Int
    /// 1 (entry) ... 4 (whale).
    public var rank: Int
    public var priceCents: Int
    public var name: String
    public var description: String
    public var createdAt: Timestamp
}

/// One post of a creator.
public struct PostPlan: Sendable {
    public var number: Int
    public var publishedAt: Timestamp
    /// 0 for public posts, else the lowest tier rank that may see it.
    public var minimumRank: Int
    public var type: Int
    public var title: String
    public var isPinned: Bool
}

/// A creator with everything decided before any pledge is simulated.
///
/// A reference type: the simulation of millions of pledges reads it without copying its
/// arrays. It is mutated only while the planner builds it, on one thread.
public final class CreatorPlan: @unchecked Sendable {
    public let index: Int
    /// 0 = the largest creator by intended size.
    public let sizeRank: Int
    /// Intended size tier: 0 top, 1 established, 2 emerging.
    public let intendedTier: Int
    public var sizeWeight: Double
    public let growth: Double
    public let category: Int
    public let subcategory: String
    public let name: String
    public let email: String
    public let country: Int
    public let plan: Int
    public let isNSFW: Bool
    public let isVerified: Bool
    public let createdAt: Timestamp
    /// 0 high (>= 4 posts a month), 1 mid, 2 low (< 1).
    public let postingClass: Int
    public let tiers: [TierPlan]
    /// The tier rank a new pledge takes: the seed's shares 50/35/12/3 over the creator's tiers.
    public let rankDistribution: Categorical
    /// Posts sorted by publication time.
    public var posts: [PostPlan]
    /// When the creator leaves the platform (the exodus anomaly).
    public var departure: Timestamp?
    public var isViral = false

    init(index: Int, sizeRank: Int, intendedTier: Int, sizeWeight: Double, growth: Double, category: Int,
         subcategory: String, name: String, email: String, country: Int, plan: Int, isNSFW: Bool, isVerified: Bool,
         createdAt: Timestamp, postingClass: Int, tiers: [TierPlan], posts: [PostPlan]) {
        self.index = index
        self.sizeRank = sizeRank
        self.intendedTier = intendedTier
        self.sizeWeight = sizeWeight
        self.growth = growth
        self.category = category
        self.subcategory = subcategory
        self.name = name
        self.email = email
        self.country = country
        self.plan = plan
        self.isNSFW = isNSFW
        self.isVerified = isVerified
        self.createdAt = createdAt
        self.postingClass = postingClass
        self.tiers = tiers
        self.rankDistribution = Categorical(weights: Array(CreatorCatalog.tierShares.prefix(tiers.count)))
        self.posts = posts
    }

    /// The last post before `moment` that a pledge of tier `rank` may see, searched backward
    /// from the newest; `nil` if there is none.
    public func latestAccessiblePost(before moment: Timestamp, rank: Int) -> Int? {
        var low = 0
        var high = posts.count
        while low < high {
            let mid = (low + high) / 2
            if posts[mid].publishedAt <= moment { low = mid + 1 } else { high = mid }
        }
        var index = low - 1
        while index >= 0 {
            if posts[index].minimumRank <= rank { return index }
            index -= 1
        }
        return nil
    }
}

/// Builds the creators, their tiers and their posts (phase 1 of the creator-economy model).
struct CreatorPlanner {
    let parameters: CreatorParameters
    let streams: RandomStreams

    func plan() -> [CreatorPlan] {
        let count = parameters.creatorCount
        var rng = streams.stream("creators.layout", 0)
        // Sizes are stratified: rank r takes the Pareto quantile (r + 0.5) / n, so every seed has
        // the same size distribution; which creator gets which rank is random.
        let ranks = rng.permutation(count)
        let categoryCounts = apportion(count, weights: CreatorCatalog.categories.map(\.weight))
        var categories = categoryCounts.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        rng.shuffle(&categories)
        let topCount = (count + 9) / 10
        let establishedCount = (4 * count + 9) / 10 - topCount
        let countries = Categorical(weights: CreatorCatalog.countries.map(\.weight))

        let growthScores = stratifiedUnits(ranks: ranks, topCount: topCount, establishedCount: establishedCount, using: &rng)
            .map { normalQuantile(min(max($0, 1e-6), 1 - 1e-6)) }
        let postingUnits = stratifiedUnits(ranks: ranks, topCount: topCount, establishedCount: establishedCount, using: &rng)
        let creationUnits = stratifiedUnits(ranks: ranks, topCount: topCount, establishedCount: establishedCount, using: &rng)
        var creators: [CreatorPlan] = []
        creators.reserveCapacity(count)
        var tierNumber = 0
        var usedNames = Set<String>()
        for index in 0..<count {
            var rng = streams.stream("creators.creator", index)
            let sizeRank = ranks[index]
            let intendedTier = sizeRank < topCount ? 0 : (sizeRank < topCount + establishedCount ? 1 : 2)
            let quantile = (Double(sizeRank) + 0.5) / Double(count)
            // The Pareto tail is capped at the size of the largest non-exodus creator of a
            // scale-1 platform: a larger platform has more creators of each size, not a few
            // giants ten times larger (which would also make the posting classes' churn hang on
            // a couple of creators).
            let capQuantile = (Double(parameters.exodusWeightShares.count) + 0.5) / Double(parameters.creatorsPerScale)
            let weight = pow(max(quantile, capQuantile), -1 / parameters.sizeAlpha)
            let growth = parameters.growthMean[intendedTier] + parameters.growthSpread[intendedTier] * growthScores[index]
            let category = categories[index]
            let catalog = CreatorCatalog.categories[category]
            let subcategory = rng.element(of: catalog.subcategories)

            // Created: before the window for most; the in-window share grows toward the emerging tier.
            let createdAt: Timestamp
            if rng.bernoulli(parameters.inWindowCreatedShare[intendedTier]) {
                let span = Timestamp(parameters.windowEnd).seconds - 120 * 86_400 - parameters.windowStartMoment.seconds
                createdAt = parameters.windowStartMoment.adding(seconds: Int64(rng.nextUnit() * Double(span)))
            } else {
                let start = Timestamp(parameters.platformStart).seconds
                let latest = intendedTier == 0 ? Timestamp(CivilDate(year: 2021, month: 12, day: 31)).seconds
                    : parameters.windowStartMoment.seconds - 60 * 86_400
                createdAt = Timestamp(seconds: start + Int64(creationUnits[index] * Double(latest - start)))
            }

            var name = ""
            repeat {
                if rng.bernoulli(0.5) {
                    name = rng.element(of: CreatorCatalog.nameAdjectives) + " " + rng.element(of: CreatorCatalog.nameNouns[category])
                } else {
                    name = rng.element(of: WordLists.firstNames) + "'s " + rng.element(of: CreatorCatalog.nameNouns[category])
                }
                if usedNames.contains(name) { name += " " + String(rng.nextInt(in: 2...99)) }
            } while !usedNames.insert(name).inserted
            let handle = WordLists.emailPart(name)
            let email = "\(handle)\(index + 1)@" + rng.element(of: ["gmail.com", "outlook.com", "proton.me", "icloud.com", "fastmail.com"])
            let plan = intendedTier == 0 ? (rng.bernoulli(0.6) ? 2 : 1)
                : (intendedTier == 1 ? (rng.bernoulli(0.55) ? 1 : (rng.bernoulli(0.3) ? 2 : 0)) : (rng.bernoulli(0.7) ? 0 : 1))

            // Tiers: 2-4, the fourth only for top creators.
            let tierCount = intendedTier == 0 ? (sizeRank < 3 || rng.bernoulli(0.75) ? 4 : 3) : (intendedTier == 1 ? rng.nextInt(in: 2...3) : (rng.bernoulli(0.6) ? 2 : 3))
            var tiers: [TierPlan] = []
            for rank in 1...tierCount {
                tierNumber += 1
                let perk = rng.element(of: CreatorCatalog.tierPerks)
                tiers.append(TierPlan(
                    number: tierNumber, rank: rank,
                    priceCents: intendedTier == 0 ? CreatorCatalog.topTierPrices[rank - 1]
                        : rng.element(of: CreatorCatalog.tierPrices[rank - 1]),
                    name: rng.element(of: CreatorCatalog.tierNames[rank - 1]),
                    description: "\(CreatorCatalog.tierNames[rank - 1][0]) tier: \(perk)",
                    createdAt: createdAt.adding(seconds: Int64(rank - 1) * 86_400 * Int64(rng.nextInt(in: 0...20)))))
            }

            // Posting class: larger creators post more; none of the top 10% posts less than monthly.
            // The draw is stratified along size order (see `stratifiedUnits`), and the three
            // largest (who leave in the exodus) post monthly, so that no seed puts a dominant
            // creator in an unusual class. Creation dates are stratified the same way.
            let draw = postingUnits[index]
            let postingClass: Int
            if sizeRank < parameters.exodusWeightShares.count {
                postingClass = 1
            } else if intendedTier == 0 {
                // Two in five of the largest creators post weekly: the same sizes in every seed,
                // since a handful of them carry most of the class's pledge-months.
                postingClass = sizeRank % 5 == 0 || sizeRank % 5 == 3 ? 0 : 1
            } else if sizeRank < count / 2 {
                postingClass = draw < 0.03 ? 0 : (draw < 0.18 ? 1 : 2)
            } else {
                postingClass = draw < 0.01 ? 0 : (draw < 0.1 ? 1 : 2)
            }

            creators.append(CreatorPlan(
                index: index, sizeRank: sizeRank, intendedTier: intendedTier, sizeWeight: weight, growth: growth,
                category: category, subcategory: subcategory, name: name, email: email,
                country: countries.sample(using: &rng), plan: plan,
                isNSFW: rng.bernoulli(0.04), isVerified: rng.bernoulli(intendedTier == 2 ? 0.15 : 0.7),
                createdAt: createdAt, postingClass: postingClass, tiers: tiers, posts: []))
        }

        normalizeWeights(&creators, topCount: topCount)
        assignAnomalies(&creators)
        var postNumber = 0
        for index in creators.indices {
            creators[index].posts = posts(for: creators[index], numbering: &postNumber)
        }
        return creators
    }

    /// Uniform draws stratified within each size tier along size order: the j-th largest
    /// creator of a tier takes the j-th point of a shifted van der Corput sequence, so large and
    /// small creators of a tier both span the range and tier-level figures (growth, posting mix)
    /// vary little between seeds.
    func stratifiedUnits(ranks: [Int], topCount: Int, establishedCount: Int,
                         using rng: inout Xoshiro256StarStar) -> [Double] {
        var units = Array(repeating: 0.5, count: ranks.count)
        let bySize = ranks.indices.sorted { ranks[$0] < ranks[$1] }
        let tiers = [0..<topCount, topCount..<topCount + establishedCount, topCount + establishedCount..<ranks.count]
        for tier in tiers {
            let offset = rng.nextUnit()
            for (position, sizeRank) in tier.enumerated() {
                let point = vanDerCorput(position) + offset
                units[bySize[sizeRank]] = point - point.rounded(.down)
            }
        }
        return units
    }

    /// Rescales the Pareto weights so that they sum to 1, the three largest hold the exodus
    /// shares and the top 10% holds `topWeightShare`.
    func normalizeWeights(_ creators: inout [CreatorPlan], topCount: Int) {
        let exodus = parameters.exodusWeightShares
        let restOfTop = creators.filter { $0.sizeRank >= exodus.count && $0.sizeRank < topCount }.map(\.sizeWeight).reduce(0, +)
        let others = creators.filter { $0.sizeRank >= topCount }.map(\.sizeWeight).reduce(0, +)
        let exodusTotal = exodus.reduce(0, +)
        for index in creators.indices {
            let rank = creators[index].sizeRank
            if rank < exodus.count {
                creators[index].sizeWeight = exodus[rank]
            } else if rank < topCount {
                creators[index].sizeWeight *= (parameters.topWeightShare - exodusTotal) / max(restOfTop, 1e-12)
            } else {
                creators[index].sizeWeight *= (1 - parameters.topWeightShare) / max(others, 1e-12)
            }
        }
    }

    /// The exodus takes the three largest creators; the viral creator is an established one.
    func assignAnomalies(_ creators: inout [CreatorPlan]) {
        let bySize = creators.indices.sorted { creators[$0].sizeRank < creators[$1].sizeRank }
        // Departures staggered across Q2 2024, the last in June.
        let departures = [CivilDate(year: 2024, month: 4, day: 18), CivilDate(year: 2024, month: 5, day: 16),
                          CivilDate(year: 2024, month: 6, day: 13)]
        for (position, index) in bySize.prefix(3).enumerated() {
            creators[index].departure = Timestamp(departures[position], seconds: 15 * 3_600)
        }
        var rng = streams.stream("creators.anomalies", 0)
        // An established, pre-window creator posting 1-4 times a month (so that its burst of new,
        // fast-churning pledges always lands in the same posting class), not in games.
        let candidates = bySize.filter { creators[$0].intendedTier == 1 && creators[$0].createdAt < parameters.windowStartMoment
            && creators[$0].category != CreatorCatalog.gamesCategory && creators[$0].postingClass == 1 }
        if !candidates.isEmpty {
            let pick = candidates[candidates.count / 3 + rng.nextInt(below: max(1, candidates.count / 3))]
            creators[pick].isViral = true
        }
    }

    /// Posts inside the window at the creator's posting rate (a Poisson process), until departure.
    func posts(for creator: CreatorPlan, numbering: inout Int) -> [PostPlan] {
        var rng = streams.stream("creators.posts", creator.index)
        var rate = rng.uniform(parameters.postingRates[creator.postingClass].lowerBound,
                               parameters.postingRates[creator.postingClass].upperBound)
        // A departing creator posts often enough that its posts over the whole window still
        // put it in its class (the measure divides by every window month, even after it left).
        if let departure = creator.departure {
            let monthsPresent = Double(departure.seconds - parameters.windowStartMoment.seconds) / Double(tenureMonthSeconds)
            let windowMonths = Double(parameters.windowMonths.count)
            rate = max(rate, 1.25 * windowMonths / max(monthsPresent, 1))
        }
        let from = max(creator.createdAt.seconds + 3_600, parameters.windowStartMoment.seconds)
        let until = min(creator.departure?.seconds ?? parameters.asOf.seconds, parameters.asOf.seconds)
        guard until > from else { return [] }
        var posts: [PostPlan] = []
        var moment = Double(from)
        let perSecond = rate / Double(tenureMonthSeconds)
        let maxRank = creator.tiers.count
        while true {
            moment += -log(rng.nextOpenUnit()) / perSecond
            guard moment < Double(until) else { break }
            numbering += 1
            let access = rng.nextUnit()
            let minimumRank = access < 0.3 ? 0 : (access < 0.85 ? 1 : rng.nextInt(in: min(2, maxRank)...maxRank))
            let type = creator.category == CreatorCatalog.videoCategory ? (rng.bernoulli(0.7) ? 2 : rng.nextInt(below: 5))
                : (creator.category == 0 ? (rng.bernoulli(0.7) ? 3 : rng.nextInt(below: 5)) : rng.nextInt(below: 5))
            let topic = rng.element(of: CreatorCatalog.titleTopics[creator.category])
            let title = "\(rng.element(of: CreatorCatalog.titleQualifiers)) \(topic) #\(posts.count + 1)"
            posts.append(PostPlan(number: numbering, publishedAt: Timestamp(seconds: Int64(moment)),
                                  minimumRank: minimumRank, type: type, title: title, isPinned: rng.bernoulli(0.03)))
        }
        return posts
    }
}
