import Datasets
import TableIO

/// The subscribers and subscriptions of a dataset in the form the measure families read: each
/// subscription's subscriber, days and amount, and each subscriber's signup and its lives (the
/// runs of days on which it had a subscription open, cut by the mapping's churn definition).
///
/// Days are days since 1970-01-01 UTC. A run covers the days `start ..< end` (`end` nil while
/// open); a subscriber is active at the end of day d when a run has start <= d < end.
struct SubscriptionLedger {
    struct Run {
        var start: Int
        var end: Int?
    }

    struct Subscription {
        /// Index into the subscribers; -1 when its subscriber is not in the subscribers role.
        var subscriber: Int
        var start: Int?
        var end: Int?
        var amount: Double
        /// Index into the plans; -1 when the plan is not one of them or absent.
        var plan: Int
        var row: Int
    }

    /// The subscriptions of the subscriptions role, in source order.
    var subscriptions: [Subscription] = []
    /// Each subscriber's identifier (from the subscribers role, else from the subscriptions).
    var subscriberKeys: [String] = []
    var signup: [Int?] = []
    /// Each subscriber's row in the subscribers role (-1 when the subscribers come from the subscriptions).
    var subscriberRow: [Int] = []
    /// Each subscriber's plan (the subscribers role's plan, else its first subscription's), -1 if none.
    var subscriberPlan: [Int] = []
    /// Each subscriber's subscriptions in order (start, then id).
    var bySubscriber: [[Int]] = []
    /// Each subscriber's lives; empty for a subscriber with no subscription.
    var runs: [[Run]] = []
    /// Whether the subscribers come from their own role (else they are the subscriptions' subscriber values).
    var hasSubscriberRole = false
    /// The plans (mapping's list, else the values met), for slices and upgrades.
    var plans: [String] = []
    /// Subscriptions whose subscriber is not in the subscribers role.
    var orphans: [Int] = []

    static func day(_ seconds: Int64) -> Int? {
        seconds == noTime ? nil : Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
    }

    init(subscribers: RoleTable?, subscriptions table: RoleTable, churnEvents: RoleTable?, mapping: Mapping) {
        let planNames = mapping.plans.map(\.name)
        let subscriptionPlans = table.texts["plan"]
        plans = planNames.isEmpty ? (subscriptionPlans?.values.sorted() ?? []) : planNames
        let planIndex = Dictionary(plans.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func planOf(_ column: TextColumn?, _ row: Int) -> Int {
            guard let column, let text = column.text(row) else { return -1 }
            return planIndex[text] ?? -1
        }

        // Subscribers: their role's rows (a repeated id keeps its first row), else the subscriptions' values.
        var index: [String: Int] = [:]
        if let subscribers, let ids = subscribers.texts["id"] {
            hasSubscriberRole = true
            for row in 0..<subscribers.rows {
                guard let id = ids.text(row), index[id] == nil else { continue }
                index[id] = subscriberKeys.count
                subscriberKeys.append(id)
                subscriberRow.append(row)
                signup.append(subscribers.times["signup"].flatMap { Self.day($0[row]) })
                subscriberPlan.append(planOf(subscribers.texts["plan"], row))
            }
        }
        let references = table.texts["subscriber"]!
        let starts = table.times["start"]!
        let ends = table.times["end"]
        let amounts = table.amounts["amount"]!
        for row in 0..<table.rows {
            var subscriber = -1
            if let key = references.text(row) {
                if let known = index[key] {
                    subscriber = known
                } else if !hasSubscriberRole {
                    subscriber = subscriberKeys.count
                    index[key] = subscriber
                    subscriberKeys.append(key)
                    subscriberRow.append(-1)
                    signup.append(nil)
                    subscriberPlan.append(-1)
                }
            }
            if subscriber < 0 { orphans.append(row) }
            let amount = amounts[row]
            subscriptions.append(Subscription(subscriber: subscriber, start: Self.day(starts[row]), end: ends.flatMap { Self.day($0[row]) },
                                              amount: amount.isNaN ? 0 : amount, plan: planOf(subscriptionPlans, row), row: row))
        }

        // Each subscriber's subscriptions by start, then id (text order, as SQL sorts them).
        bySubscriber = Array(repeating: [], count: subscriberKeys.count)
        for (position, subscription) in subscriptions.enumerated() where subscription.subscriber >= 0 && subscription.start != nil {
            bySubscriber[subscription.subscriber].append(position)
        }
        let ids = table.texts["id"]
        for subscriber in bySubscriber.indices where bySubscriber[subscriber].count > 1 {
            bySubscriber[subscriber].sort { a, b in
                let x = subscriptions[a], y = subscriptions[b]
                if x.start! != y.start! { return x.start! < y.start! }
                return (ids?.text(x.row) ?? "") < (ids?.text(y.row) ?? "")
            }
        }
        for subscriber in subscriberKeys.indices {
            let first = bySubscriber[subscriber].first.map { subscriptions[$0] }
            if signup[subscriber] == nil { signup[subscriber] = first?.start }
            if subscriberPlan[subscriber] < 0 && subscribers?.texts["plan"] == nil { subscriberPlan[subscriber] = first?.plan ?? -1 }
        }

        // Lives: the union of each subscriber's subscriptions, cut by the churn definition.
        var cuts: [[Int]] = Array(repeating: [], count: subscriberKeys.count)
        switch mapping.churn.rule {
        case .noOpenSubscription: break
        case .churnEvents:
            if let churnEvents, let who = churnEvents.texts["subscriber"], let when = churnEvents.times["time"] {
                for row in 0..<churnEvents.rows {
                    guard let key = who.text(row), let subscriber = index[key], let day = Self.day(when[row]) else { continue }
                    cuts[subscriber].append(day)
                }
            }
        case .subscriberStatus:
            if let subscribers, let status = subscribers.texts["status"], let ids = subscribers.texts["id"] {
                let churned = Set(mapping.churn.values)
                for row in 0..<subscribers.rows {
                    guard let text = status.text(row), churned.contains(text), let key = ids.text(row), let subscriber = index[key] else { continue }
                    if let day = subscribers.times["churned_at"].flatMap({ Self.day($0[row]) }) {
                        cuts[subscriber].append(day)
                    } else if let last = bySubscriber[subscriber].compactMap({ subscriptions[$0].end ?? subscriptions[$0].start }).max() {
                        cuts[subscriber].append(last)
                    }
                }
            }
        }
        // A cut closes every subscription open at it: its MRR stops there too.
        for subscriber in subscriberKeys.indices where !cuts[subscriber].isEmpty {
            let days = cuts[subscriber].sorted()
            for position in bySubscriber[subscriber] {
                let subscription = subscriptions[position]
                guard let start = subscription.start,
                      let cut = days.first(where: { cut in cut >= start && (subscription.end.map { cut < $0 } ?? true) }) else { continue }
                subscriptions[position].end = cut
            }
        }
        runs = (0..<subscriberKeys.count).map { subscriber in
            Self.lives(bySubscriber[subscriber].map { subscriptions[$0] }, grace: mapping.churn.graceDays)
        }
    }

    /// The runs of the union of `subscriptions` (sorted by start); a start no more than `grace`
    /// days after the run's end continues it (the days between count as active).
    static func lives(_ subscriptions: [Subscription], grace: Int) -> [Run] {
        var runs: [Run] = []
        for subscription in subscriptions {
            guard let start = subscription.start else { continue }
            let end = subscription.end
            if var last = runs.last, last.end.map({ start <= $0 + grace }) ?? true {
                if let previous = last.end { last.end = end.map { max(previous, $0) } }
                runs[runs.count - 1] = last
            } else {
                runs.append(Run(start: start, end: end))
            }
        }
        return runs
    }

    /// The subscribers that have at least one life (those the retention measures follow).
    var livingSubscribers: [Int] { runs.indices.filter { !runs[$0].isEmpty && signup[$0] != nil } }

    /// The day a subscriber's first life ended, if it did.
    func firstChurn(_ subscriber: Int) -> Int? { runs[subscriber].first?.end }

    /// Whether the subscriber is active at the end of `day`.
    func isActive(_ subscriber: Int, atEndOf day: Int) -> Bool {
        runs[subscriber].contains { $0.start <= day && ($0.end.map { day < $0 } ?? true) }
    }
}
