import TableIO

/// One subscription: a customer on one tier from `start` until `end` (exclusive) or still active.
public struct SaaSSubscription: Sendable, Equatable {
    public var id: String
    public var customerIndex: Int
    public var start: CivilDate
    /// The day the subscription stopped (a tier change or churn); `nil` while active.
    public var end: CivilDate?
    public var mrrCents: Int
    public var tier: SaaSTier

    /// Whether the subscription counts toward MRR at the end of `day`.
    public func isActive(atEndOf day: CivilDate) -> Bool {
        start <= day && (end.map { $0 > day } ?? true)
    }
}

/// One customer and the chain of its subscriptions (each starting the day the previous ended).
public struct SaaSCustomer: Sendable, Equatable {
    public var id: String
    public var email: String
    public var signup: CivilDate
    public var subscriptions: [SaaSSubscription]

    /// The tier of the latest subscription.
    public var currentTier: SaaSTier { subscriptions[subscriptions.count - 1].tier }
    /// The tier of the first subscription.
    public var firstTier: SaaSTier { subscriptions[0].tier }
    /// The day the last subscription ended with no successor, if the customer churned.
    public var churnDate: CivilDate? { subscriptions[subscriptions.count - 1].end }
    public var isChurned: Bool { churnDate != nil }
    /// The MRR of the active subscription; 0 for a churned customer.
    public var currentMRRCents: Int { isChurned ? 0 : subscriptions[subscriptions.count - 1].mrrCents }
    /// Tier changes to a higher tier.
    public var upgradeCount: Int { zip(subscriptions, subscriptions.dropFirst()).filter { $0.tier < $1.tier }.count }
    /// Tier changes to a lower tier.
    public var downgradeCount: Int { zip(subscriptions, subscriptions.dropFirst()).filter { $0.tier > $1.tier }.count }

    /// Whether the customer has an active subscription at the end of `day`.
    public func isActive(atEndOf day: CivilDate) -> Bool {
        signup <= day && (churnDate.map { $0 > day } ?? true)
    }
}

/// The MRR movements of one month, in cents (SPEC section 2).
public struct SaaSMovement: Sendable, Equatable {
    public var month: YearMonth
    /// MRR of first subscriptions starting in the month.
    public var newCents = 0
    /// Sum of the positive MRR deltas of tier changes in the month.
    public var expansionCents = 0
    /// Sum of the negative MRR deltas of tier changes in the month, stored positive.
    public var contractionCents = 0
    /// MRR of last subscriptions ending (churning) in the month.
    public var churnCents = 0

    /// `new + expansion - contraction - churn`.
    public var netCents: Int { newCents + expansionCents - contractionCents - churnCents }
}

/// A generated SaaS dataset: customers with their subscriptions, and the derived movements.
public struct SaaSDataset: Sendable {
    public let parameters: SaaSParameters
    public let customers: [SaaSCustomer]

    public init(parameters: SaaSParameters, customers: [SaaSCustomer]) {
        self.parameters = parameters
        self.customers = customers
    }

    /// All subscriptions, customer by customer, each customer's in order.
    public var subscriptions: [SaaSSubscription] { customers.flatMap(\.subscriptions) }

    /// MRR at the end of `day`, in cents: the sum of subscriptions active then.
    public func mrrCents(atEndOf day: CivilDate) -> Int {
        var total = 0
        for customer in customers {
            for subscription in customer.subscriptions where subscription.isActive(atEndOf: day) {
                total += subscription.mrrCents
            }
        }
        return total
    }

    /// MRR at the end of each window month, in cents.
    public var mrrSeriesCents: [Int] {
        parameters.months.map { mrrCents(atEndOf: $0.lastDay) }
    }

    /// The movements of every window month, computed from the subscriptions.
    ///
    /// By construction `MRR(m) - MRR(m-1) = net(m)` for every month with `MRR(0) = 0`: each
    /// subscription enters MRR once (as new or as the upper side of a tier change) and leaves
    /// once (as churn or as the lower side of a change).
    public var movements: [SaaSMovement] {
        let months = parameters.months
        var byMonth = Dictionary(uniqueKeysWithValues: months.map { ($0, SaaSMovement(month: $0)) })
        for customer in customers {
            let chain = customer.subscriptions
            byMonth[chain[0].start.yearMonth]?.newCents += chain[0].mrrCents
            for (old, new) in zip(chain, chain.dropFirst()) {
                let delta = new.mrrCents - old.mrrCents
                if delta >= 0 {
                    byMonth[new.start.yearMonth]?.expansionCents += delta
                } else {
                    byMonth[new.start.yearMonth]?.contractionCents -= delta
                }
            }
            if let churn = customer.churnDate {
                byMonth[churn.yearMonth]?.churnCents += chain[chain.count - 1].mrrCents
            }
        }
        return months.map { byMonth[$0]! }
    }
}
