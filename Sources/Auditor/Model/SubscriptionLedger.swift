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
    /// How many subscribers (the subscribers role's distinct ids, else the subscriptions' subscriber values).
    var subscriberCount = 0
    /// The dictionary of subscriber ids, and each subscriber's code in it.
    private(set) var keyDictionary = ByteInterner(capacity: 16)
    private(set) var keyCode: [Int32] = []
    /// Each code of ``keyDictionary``: its subscriber (-1 for none).
    private(set) var subscriberOfKeyCode: [Int32] = []
    var signup: [Int?] = []
    /// Each subscriber's row in the subscribers role (its first, for a repeated id; -1 when the
    /// subscribers come from the subscriptions).
    var subscriberRow: [Int] = []
    /// Each row of the subscribers role: its subscriber.
    var subscriberOfRow: [Int32] = []
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

    /// The identifier of subscriber `index`.
    func subscriberKey(_ index: Int) -> String { keyDictionary.string(Int(keyCode[index])) }

    /// The subscriber of each code of `column` (a reference to subscribers), -1 where none.
    func subscribers(of column: TextColumn) -> [Int32] {
        column.translation(to: keyDictionary).map { $0 < 0 ? -1 : subscriberOfKeyCode[Int($0)] }
    }

    static func day(_ seconds: Int64) -> Int? {
        seconds == noTime ? nil : Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
    }

    init(subscribers: RoleTable?, subscriptions table: RoleTable, churnEvents: RoleTable?, mapping: Mapping) {
        let planNames = mapping.plans.map(\.name)
        let subscriptionPlans = table.texts["plan"]
        plans = planNames.isEmpty ? (subscriptionPlans?.values.sorted() ?? []) : planNames
        let planIndex = Dictionary(plans.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func planCodes(_ column: TextColumn?) -> [Int] { column?.values.map { planIndex[$0] ?? -1 } ?? [] }
        let subscriptionPlanOfCode = planCodes(subscriptionPlans)
        let references = table.texts["subscriber"]!

        // Subscribers: their role's rows (a repeated id keeps its first row), else the subscriptions' values.
        if let subscribers, let ids = subscribers.texts["id"] {
            hasSubscriberRole = true
            keyDictionary = ids.dictionary
            subscriberOfKeyCode = Array(repeating: -1, count: ids.dictionary.count)
            subscriberOfRow = Array(repeating: -1, count: subscribers.rows)
            let signups = subscribers.times["signup"]
            let planColumn = subscribers.texts["plan"]
            let planOfCode = planCodes(planColumn)
            for row in 0..<subscribers.rows {
                let code = ids.codes[row]
                guard code >= 0 else { continue }
                if subscriberOfKeyCode[Int(code)] < 0 {
                    subscriberOfKeyCode[Int(code)] = Int32(subscriberCount)
                    keyCode.append(code)
                    subscriberRow.append(row)
                    signup.append(signups.flatMap { Self.day($0[row]) })
                    let plan = planColumn.map { $0.codes[row] } ?? -1
                    subscriberPlan.append(plan >= 0 ? planOfCode[Int(plan)] : -1)
                    subscriberCount += 1
                }
                subscriberOfRow[row] = subscriberOfKeyCode[Int(code)]
            }
        } else {
            keyDictionary = references.dictionary
            subscriberCount = references.dictionary.count
            subscriberOfKeyCode = (0..<subscriberCount).map(Int32.init)
            keyCode = subscriberOfKeyCode
            subscriberRow = Array(repeating: -1, count: subscriberCount)
            signup = Array(repeating: nil, count: subscriberCount)
            subscriberPlan = Array(repeating: -1, count: subscriberCount)
        }
        let subscriberOfReference = hasSubscriberRole ? self.subscribers(of: references) : subscriberOfKeyCode
        let starts = table.times["start"]!
        let ends = table.times["end"]
        let amounts = table.amounts["amount"]!
        subscriptions.reserveCapacity(table.rows)
        for row in 0..<table.rows {
            let code = references.codes[row]
            let subscriber = code >= 0 ? Int(subscriberOfReference[Int(code)]) : -1
            if subscriber < 0 { orphans.append(row) }
            let amount = amounts[row]
            let planCode = subscriptionPlans.map { $0.codes[row] } ?? -1
            subscriptions.append(Subscription(subscriber: subscriber, start: Self.day(starts[row]), end: ends.flatMap { Self.day($0[row]) },
                                              amount: amount.isNaN ? 0 : amount, plan: planCode >= 0 ? subscriptionPlanOfCode[Int(planCode)] : -1,
                                              row: row))
        }

        // Each subscriber's subscriptions by start, then id (text order, as SQL sorts them).
        bySubscriber = Array(repeating: [], count: subscriberCount)
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
        let subscriberPlans = subscribers?.texts["plan"] != nil
        for subscriber in 0..<subscriberCount {
            let first = bySubscriber[subscriber].first.map { subscriptions[$0] }
            if signup[subscriber] == nil { signup[subscriber] = first?.start }
            if subscriberPlan[subscriber] < 0 && !subscriberPlans { subscriberPlan[subscriber] = first?.plan ?? -1 }
        }

        // Lives: the union of each subscriber's subscriptions, cut by the churn definition.
        var cuts: [[Int]] = Array(repeating: [], count: subscriberCount)
        switch mapping.churn.rule {
        case .noOpenSubscription: break
        case .churnEvents:
            if let churnEvents, let who = churnEvents.texts["subscriber"], let when = churnEvents.times["time"] {
                let subscriberOf = self.subscribers(of: who)
                for row in 0..<churnEvents.rows {
                    let code = who.codes[row]
                    guard code >= 0, case let subscriber = Int(subscriberOf[Int(code)]), subscriber >= 0, let day = Self.day(when[row]) else { continue }
                    cuts[subscriber].append(day)
                }
            }
        case .subscriberStatus:
            if let subscribers, let status = subscribers.texts["status"] {
                let churned = Set(mapping.churn.values)
                let churnedCode = status.values.map { churned.contains($0) }
                for row in 0..<subscribers.rows {
                    let code = status.codes[row]
                    guard code >= 0, churnedCode[Int(code)], case let subscriber = Int(subscriberOfRow[row]), subscriber >= 0 else { continue }
                    if let day = subscribers.times["churned_at"].flatMap({ Self.day($0[row]) }) {
                        cuts[subscriber].append(day)
                    } else if let last = bySubscriber[subscriber].compactMap({ subscriptions[$0].end }).max(),
                              !bySubscriber[subscriber].contains(where: { subscriptions[$0].end == nil }) {
                        cuts[subscriber].append(last)
                    }
                    // Churned by status with a subscription still open and no date: nothing says when;
                    // its lives follow the subscriptions.
                }
            }
        }
        // A cut closes every subscription open at it: its MRR stops there too.
        for subscriber in 0..<subscriberCount where !cuts[subscriber].isEmpty {
            let days = cuts[subscriber].sorted()
            for position in bySubscriber[subscriber] {
                let subscription = subscriptions[position]
                guard let start = subscription.start,
                      let cut = days.first(where: { cut in cut >= start && (subscription.end.map { cut < $0 } ?? true) }) else { continue }
                subscriptions[position].end = cut
            }
        }
        runs = (0..<subscriberCount).map { subscriber in
            Self.lives(bySubscriber[subscriber].map { subscriptions[$0] }, grace: mapping.churn.graceDays)
        }
    }

    /// The runs of the union of `subscriptions` (sorted by start); a start no more than `grace`
    /// days after the run's end continues it (the days between count as active).
    static func lives(_ subscriptions: [Subscription], grace: Int) -> [Run] {
        var runs: [Run] = []
        for subscription in subscriptions {
            // One that ends before it starts is no life (logical_order reports it).
            guard let start = subscription.start, subscription.end.map({ $0 >= start }) ?? true else { continue }
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
