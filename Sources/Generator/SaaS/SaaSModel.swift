#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TableIO

/// Builds the SaaS dataset from a seed (SPEC section 2).
///
/// The model is stratified so that the targets hold for every seed rather than on average:
/// - cohort sizes follow a launch cohort and a declining exponential curve, apportioned exactly;
/// - first tiers are dealt from an interleaved 50/35/15 sequence (every cohort gets the mix to
///   within one customer), then shuffled inside each cohort;
/// - lifetimes are drawn by inversion of the survival curve from stratified uniforms (one per
///   1/n slice of each cohort: Latin hypercube sampling), so each cohort's empirical retention
///   stays within about 1/n of the curve;
/// - tier changes are dealt as fixed quotas to randomly chosen customers who live long enough.
///
/// Every random choice draws from a stream keyed by (seed, purpose, index), see ``RandomStreams``.
public struct SaaSModel: Sendable {
    public let parameters: SaaSParameters
    public let seed: UInt64

    public init(seed: UInt64, parameters: SaaSParameters = SaaSParameters()) {
        self.seed = seed
        self.parameters = parameters
    }

    /// What a customer's tier history will be.
    enum Lifecycle: Equatable {
        case stable
        case starterUpgrade
        case proUpgrade
        case proDowngrade
        case enterpriseDowngrade
        case doubleUpgrade
        case upgradeThenDowngrade

        var changeCount: Int {
            switch self {
            case .stable: return 0
            case .starterUpgrade, .proUpgrade, .proDowngrade, .enterpriseDowngrade: return 1
            case .doubleUpgrade, .upgradeThenDowngrade: return 2
            }
        }
    }

    /// The customer skeleton before tier changes: cohort, signup, first tier, lifetime.
    struct Draft {
        var cohort: Int
        var signup: CivilDate
        var tier: SaaSTier
        /// Churn day, or nil if the customer outlives the window.
        var churn: CivilDate?
    }

    /// Generates the dataset.
    public func generate() -> SaaSDataset {
        let streams = RandomStreams(seed: seed)
        let months = parameters.months
        let sizes = cohortSizes()
        let tiers = tierSequence(sizes: sizes, streams: streams)
        var drafts: [Draft] = []
        drafts.reserveCapacity(parameters.customerCount)
        let curve = parameters.survivalCurve

        for (cohort, size) in sizes.enumerated() where size > 0 {
            var rng = streams.stream("saas.cohort", cohort)
            let month = months[cohort]
            let signups = signupDays(cohort: cohort, month: month, size: size, using: &rng)
            let first = drafts.count
            let uniforms = stratifiedUniforms(tiers: Array(tiers[first..<first + size]), using: &rng)
            for position in 0..<size {
                let tenureDays = curve.inverse(uniforms[position]) * 30.4375
                let signup = signups[position]
                let churnDay = signup.adding(days: max(1, Int(tenureDays.rounded())))
                let churn: CivilDate? = churnDay <= parameters.asOf ? churnDay : nil
                drafts.append(Draft(cohort: cohort, signup: signup, tier: tiers[drafts.count], churn: churn))
            }
        }

        let lifecycles = assignLifecycles(drafts, streams: streams)
        let firstQuantiles = firstPriceQuantiles(drafts, streams: streams)
        var usedIDs = Set<String>()
        var usedEmails = Set<String>()
        var customers: [SaaSCustomer] = []
        customers.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            var rng = streams.stream("saas.customer", index)
            let id = uniqueIdentifier(prefix: "cus_", used: &usedIDs, using: &rng)
            let email = uniqueEmail(used: &usedEmails, using: &rng)
            let chain = subscriptionChain(draft: draft, lifecycle: lifecycles[index], customerIndex: index,
                                          firstQuantile: firstQuantiles[index], usedIDs: &usedIDs, using: &rng)
            customers.append(SaaSCustomer(id: id, email: email, signup: draft.signup, subscriptions: chain))
        }
        return SaaSDataset(parameters: parameters, customers: customers)
    }

    /// Uniforms in (0, 1) for the lifetimes of one cohort, stratified over the cohort and over
    /// each tier inside it: members sorted by tier (random order within a tier) take consecutive
    /// points of a shifted, jittered van der Corput sequence, and any run of consecutive points of
    /// that sequence covers (0, 1) evenly. So the cohort's retention, and each tier's, tracks the curve.
    func stratifiedUniforms(tiers: [SaaSTier], using rng: inout some RandomNumberGenerator) -> [Double] {
        let order = tiers.indices
            .map { (index: $0, tier: tiers[$0].rawValue, key: rng.next()) }
            .sorted { ($0.tier, $0.key) < ($1.tier, $1.key) }
        var strata = 1
        while strata < tiers.count { strata *= 2 }
        let offset = rng.nextUnit()
        var uniforms = Array(repeating: 0.5, count: tiers.count)
        for (rank, member) in order.enumerated() {
            let point = vanDerCorput(rank) + offset + rng.nextOpenUnit() / Double(strata)
            uniforms[member.index] = min(max(point - point.rounded(.down), 0x1p-53), 1)
        }
        return uniforms
    }

    /// Signups per window month: the launch cohort, then the rest on a declining curve.
    func cohortSizes() -> [Int] {
        let monthCount = parameters.months.count
        let rest = parameters.customerCount - parameters.launchCohort
        let weights = (1..<monthCount).map { exp(-parameters.signupDecay * Double($0 - 1)) }
        return [parameters.launchCohort] + apportion(rest, weights: weights)
    }

    /// First tiers in customer order: an interleaved sequence whose every prefix holds the
    /// target mix to within one customer, shuffled inside each cohort.
    func tierSequence(sizes: [Int], streams: RandomStreams) -> [SaaSTier] {
        let total = sizes.reduce(0, +)
        let quotas = apportion(total, weights: parameters.tierShares)
        var dealt = [0, 0, 0]
        var sequence: [SaaSTier] = []
        sequence.reserveCapacity(total)
        for position in 0..<total {
            let deficits = (0..<3).map { Double(quotas[$0]) * Double(position + 1) / Double(total) - Double(dealt[$0]) }
            let next = (0..<3).max { deficits[$0] < deficits[$1] || (deficits[$0] == deficits[$1] && $0 > $1) }!
            dealt[next] += 1
            sequence.append(SaaSTier(rawValue: next)!)
        }
        var start = 0
        for (cohort, size) in sizes.enumerated() {
            var rng = streams.stream("saas.tiers", cohort)
            var slice = Array(sequence[start..<start + size])
            rng.shuffle(&slice)
            sequence.replaceSubrange(start..<start + size, with: slice)
            start += size
        }
        return sequence
    }

    /// Signup days of one cohort, stratified over the month's days; launch-day signups first.
    func signupDays(cohort: Int, month: YearMonth, size: Int, using rng: inout some RandomNumberGenerator) -> [CivilDate] {
        var days: [CivilDate] = []
        var spread = size
        if cohort == 0 {
            let launchDay = min(parameters.launchDaySignups, size)
            days += Array(repeating: month.firstDay, count: launchDay)
            spread -= launchDay
        }
        let strata = rng.permutation(spread)
        for position in 0..<spread {
            let offset = Int((Double(strata[position]) + rng.nextUnit()) / Double(spread) * Double(month.dayCount))
            days.append(month.firstDay.adding(days: min(offset, month.dayCount - 1)))
        }
        rng.shuffle(&days)
        return days
    }

    /// Deals the lifecycle quotas to customers in a random order, to those eligible for each.
    func assignLifecycles(_ drafts: [Draft], streams: RandomStreams) -> [Lifecycle] {
        var rng = streams.stream("saas.lifecycles", 0)
        var lifecycles = Array(repeating: Lifecycle.stable, count: drafts.count)
        var remaining: [(Lifecycle, Int)] = [
            (.doubleUpgrade, parameters.doubleUpgrades),
            (.upgradeThenDowngrade, parameters.upgradeThenDowngrade),
            (.starterUpgrade, parameters.starterUpgrades),
            (.proUpgrade, parameters.proUpgrades),
            (.proDowngrade, parameters.proDowngrades),
            (.enterpriseDowngrade, parameters.enterpriseDowngrades),
        ]
        for index in rng.permutation(drafts.count) {
            let draft = drafts[index]
            let observedDays = draft.signup.days(to: draft.churn ?? parameters.asOf.adding(days: 1))
            for slot in remaining.indices where remaining[slot].1 > 0 {
                let lifecycle = remaining[slot].0
                guard observedDays > (lifecycle.changeCount + 1) * parameters.minimumDaysBeforeChange else { continue }
                let fits: Bool
                switch lifecycle {
                case .doubleUpgrade, .upgradeThenDowngrade: fits = draft.tier == .starter
                case .starterUpgrade: fits = draft.tier == .starter
                case .proUpgrade: fits = draft.tier == .pro
                case .proDowngrade: fits = draft.tier == .pro
                case .enterpriseDowngrade: fits = draft.tier == .enterprise
                case .stable: fits = true
                }
                if fits {
                    lifecycles[index] = lifecycle
                    remaining[slot].1 -= 1
                    break
                }
            }
        }
        return lifecycles
    }

    /// The subscriptions of one customer: the first on its first tier, one more per tier change.
    func subscriptionChain(draft: Draft, lifecycle: Lifecycle, customerIndex: Int, firstQuantile: Double,
                           usedIDs: inout Set<String>, using rng: inout some RandomNumberGenerator) -> [SaaSSubscription] {
        var tiers = [draft.tier]
        switch lifecycle {
        case .stable: break
        case .starterUpgrade, .proUpgrade: tiers.append(SaaSTier(rawValue: draft.tier.rawValue + 1)!)
        case .proDowngrade, .enterpriseDowngrade: tiers.append(SaaSTier(rawValue: draft.tier.rawValue - 1)!)
        case .doubleUpgrade: tiers += [.pro, .enterprise]
        case .upgradeThenDowngrade: tiers += [.pro, .starter]
        }
        // Change days: sorted, each at least `minimumDaysBeforeChange` after the previous start
        // and before the end of the observed life.
        let gap = parameters.minimumDaysBeforeChange
        let lastDay = draft.churn ?? parameters.asOf.adding(days: 1)
        var changes: [CivilDate] = []
        var earliest = draft.signup.adding(days: gap)
        for remaining in stride(from: lifecycle.changeCount, to: 0, by: -1) {
            let latest = lastDay.adding(days: -1 - (remaining - 1) * gap)
            let day = earliest.adding(days: rng.nextInt(below: max(1, earliest.days(to: latest) + 1)))
            changes.append(day)
            earliest = day.adding(days: gap)
        }
        let bounds = [draft.signup] + changes + [draft.churn]
        var chain: [SaaSSubscription] = []
        for (position, tier) in tiers.enumerated() {
            chain.append(SaaSSubscription(
                id: uniqueIdentifier(prefix: "sub_", used: &usedIDs, using: &rng),
                customerIndex: customerIndex,
                start: bounds[position]!,
                end: bounds[position + 1],
                mrrCents: price(tier: tier, quantile: position == 0 ? firstQuantile : rng.nextUnit()),
                tier: tier))
        }
        return chain
    }

    /// A monthly price in cents inside the tier's range for a uniform `quantile`, leaning toward
    /// the top of the range by `priceShape`.
    func price(tier: SaaSTier, quantile: Double) -> Int {
        let range = tier.priceRangeCents
        let position = pow(quantile, 1 / parameters.priceShape)
        return range.lowerBound + Int((position * Double(range.upperBound - range.lowerBound)).rounded())
    }

    /// Uniform quantiles for the first subscription's price, stratified along customer order:
    /// the j-th customer of a tier takes the j-th point of the van der Corput sequence, shifted by
    /// a random offset per tier and jittered inside its stratum. Any run of consecutive customers
    /// (the launch cohort, say) then covers the price range evenly, which keeps month-1 MRR on target.
    func firstPriceQuantiles(_ drafts: [Draft], streams: RandomStreams) -> [Double] {
        var quantiles = Array(repeating: 0.0, count: drafts.count)
        for tier in SaaSTier.allCases {
            var rng = streams.stream("saas.prices", tier.rawValue)
            let members = drafts.indices.filter { drafts[$0].tier == tier }
            var strata = 1
            while strata < members.count { strata *= 2 }
            let offset = rng.nextUnit()
            for (rank, index) in members.enumerated() {
                let point = vanDerCorput(rank) + offset + rng.nextUnit() / Double(strata)
                quantiles[index] = point - point.rounded(.down)
            }
        }
        return quantiles
    }

    func uniqueIdentifier(prefix: String, used: inout Set<String>, using rng: inout some RandomNumberGenerator) -> String {
        while true {
            let id = Identifiers.random(prefix: prefix, length: 16, using: &rng)
            if used.insert(id).inserted { return id }
        }
    }

    func uniqueEmail(used: inout Set<String>, using rng: inout some RandomNumberGenerator) -> String {
        let first = WordLists.emailPart(rng.element(of: WordLists.firstNames))
        let last = WordLists.emailPart(rng.element(of: WordLists.lastNames))
        let domain = rng.element(of: WordLists.companyStems) + rng.element(of: WordLists.companySuffixes)
            + "." + rng.element(of: WordLists.topLevelDomains)
        let base = "\(first).\(last)"
        var candidate = "\(base)@\(domain)"
        var suffix = 2
        while !used.insert(candidate).inserted {
            candidate = "\(base)\(suffix)@\(domain)"
            suffix += 1
        }
        return candidate
    }
}
