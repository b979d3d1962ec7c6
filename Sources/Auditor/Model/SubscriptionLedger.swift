import Datasets
import TableIO

/// The subscribers and subscriptions of a dataset in the form the measure families read: each
/// subscription's subscriber, days and amount, and each subscriber's signup and its lives (the
/// runs of days on which it had a subscription open, cut by the mapping's churn definition).
///
/// Days are days since 1970-01-01 UTC. A run covers the days `start ..< end` (`end` nil while
/// open); a subscriber is active at the end of day d when a run has start <= d < end. Runs keep
/// their moments in seconds too, for the measures on tenure (hazards, Kaplan-Meier).
///
/// Retention and churn follow the mapping's churn unit: each subscriber's lives, or each
/// subscription as a life of its own (``lives``, ``since``, ``followedUnits``).
struct SubscriptionLedger {
    /// Days and indexes are stored in 32 bits and moments in 64 (``CompactInt``, ``CompactDay``, ``CompactMoment``): a run takes 32
    /// bytes, a subscription 56, for millions of them.
    struct Run {
        @CompactInt var start: Int
        @CompactDay var end: Int?
        /// The same moments in seconds since 1970 (`endTime` nil while open).
        var startTime: Int64
        @CompactMoment var endTime: Int64?
        /// The ending's reason is one of the mapping's voluntary churn reasons.
        var voluntary = false
    }

    struct Subscription {
        /// Index into the subscribers; -1 when its subscriber is not in the subscribers role.
        @CompactInt var subscriber: Int
        @CompactDay var start: Int?
        @CompactDay var end: Int?
        /// The day its pause began (it pays nothing from then on), if it did.
        @CompactDay var pause: Int?
        /// Index into the plans; -1 when the plan is not one of them or absent.
        @CompactInt var plan: Int
        @CompactInt var row: Int
        /// Its code in the subscriptions' `group` column (-1: none).
        var group: Int32 = -1
        /// Its churn reason is one of the mapping's voluntary ones.
        var voluntary = false
        var startTime: Int64
        @CompactMoment var endTime: Int64?
        var amount: Double

        init(subscriber: Int, start: Int?, end: Int?, startTime: Int64, endTime: Int64?, amount: Double, plan: Int, row: Int, pause: Int?) {
            self.subscriber = subscriber
            self.start = start
            self.end = end
            self.pause = pause
            self.plan = plan
            self.row = row
            self.startTime = startTime
            self.endTime = endTime
            self.amount = amount
        }

        /// The day it stops paying: its end, or its pause when that comes first (never before its start).
        var payingEnd: Int? {
            guard let pause else { return end }
            let stop = min(end ?? pause, pause)
            return start.map { max($0, stop) } ?? stop
        }
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
    var bySubscriber = Jagged<Int>()
    /// Each subscriber's lives (empty for a subscriber with no subscription) when the churn unit
    /// is the subscriber: they are then the units' lives. Not built for subscription units.
    private var runs = Jagged<Run>()
    /// Whether the subscribers come from their own role (else they are the subscriptions' subscriber values).
    var hasSubscriberRole = false
    /// The plans (mapping's list, else the values met), for slices and upgrades.
    var plans: [String] = []
    /// Subscriptions whose subscriber is not in the subscribers role.
    var orphans: [Int] = []
    /// Each subscriber's signup in seconds (noTime when unknown).
    var signupTime: [Int64] = []

    /// Whether retention and churn follow subscriptions (`churn.unit: subscription`), not subscribers.
    private(set) var unitIsSubscription = false
    /// Each unit's lives: a subscriber's runs, or a subscription's one run.
    private(set) var lives = Jagged<Run>()
    /// Each unit's cohort day (a subscriber's signup, a subscription's start) and moment.
    private(set) var since: [Int?] = []
    private(set) var sinceTime: [Int64] = []
    /// Each unit's subscriber (-1 for an orphan subscription) and subscription (-1 for a subscriber).
    private(set) var unitSubscriber: [Int] = []
    private(set) var unitSubscription: [Int] = []
    /// The units with at least one life and a cohort (those retention and churn follow).
    private(set) var followedUnits: [Int] = []
    var unitCount: Int { lives.count }

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
            do {
                let count = subscribers.rows
                keyCode.reserveCapacity(count)
                subscriberRow.reserveCapacity(count)
                signup.reserveCapacity(count)
                signupTime.reserveCapacity(count)
                subscriberPlan.reserveCapacity(count)
            }
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
                    signupTime.append(signups?[row] ?? noTime)
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
            signupTime = Array(repeating: noTime, count: subscriberCount)
            subscriberPlan = Array(repeating: -1, count: subscriberCount)
        }
        let subscriberOfReference = hasSubscriberRole ? self.subscribers(of: references) : subscriberOfKeyCode
        let starts = table.times["start"]!
        let ends = table.times["end"]
        let amounts = table.amounts["amount"]!
        let pauses = table.times["pause_start"]
        let groups = table.texts["group"]
        let voluntaryReasons = Set(mapping.churn.voluntary)
        let reasons = table.texts["churn_reason"]
        let voluntaryCode = reasons.map { column in column.values.map { voluntaryReasons.contains($0) } }
        subscriptions.reserveCapacity(table.rows)
        // The columns as plain arrays (binding an optional column per row would copy it).
        let referenceCodes = references.codes
        let planCodes = subscriptionPlans?.codes
        let groupCodes = groups?.codes
        let reasonCodes = reasons?.codes
        let endTimes = ends
        let pauseTimes = pauses
        for row in 0..<table.rows {
            let code = referenceCodes[row]
            let subscriber = code >= 0 ? Int(subscriberOfReference[Int(code)]) : -1
            if subscriber < 0 { orphans.append(row) }
            let amount = amounts[row]
            let planCode = planCodes?[row] ?? -1
            let endTime: Int64? = endTimes.flatMap { $0[row] == noTime ? nil : $0[row] }
            var subscription = Subscription(subscriber: subscriber, start: Self.day(starts[row]), end: endTime.flatMap(Self.day),
                                            startTime: starts[row], endTime: endTime,
                                            amount: amount.isNaN ? 0 : amount, plan: planCode >= 0 ? subscriptionPlanOfCode[Int(planCode)] : -1,
                                            row: row, pause: pauseTimes.flatMap { Self.day($0[row]) })
            if let groupCodes { subscription.group = groupCodes[row] }
            if let voluntaryCode, let reasonCodes, case let reason = reasonCodes[row], reason >= 0 { subscription.voluntary = voluntaryCode[Int(reason)] }
            subscriptions.append(subscription)
        }

        // Each subscriber's subscriptions by start, then id (text order, as SQL sorts them).
        let all = subscriptions
        bySubscriber = Jagged(count: subscriberCount, items: all.count,
                              owner: { all[$0].start == nil ? -1 : all[$0].subscriber }, element: { $0 })
        let ids = table.texts["id"]
        bySubscriber.sortEachList { a, b in
            let x = all[a], y = all[b]
            if x.start! != y.start! { return x.start! < y.start! }
            guard let ids else { return false }
            // Same day: by id, compared as bytes (text order), never through a String per row.
            let p = ids.codes[x.row], q = ids.codes[y.row]
            guard p >= 0, q >= 0 else { return p < 0 && q >= 0 }
            return ids.dictionary.compare(Int(p), Int(q)) < 0
        }
        let subscriberPlans = subscribers?.texts["plan"] != nil
        for subscriber in 0..<subscriberCount {
            let first = bySubscriber[subscriber].first.map { subscriptions[$0] }
            if signup[subscriber] == nil {
                signup[subscriber] = first?.start
                signupTime[subscriber] = first?.startTime ?? noTime
            } else if signupTime[subscriber] == noTime, let day = signup[subscriber] {
                signupTime[subscriber] = Int64(day) * 86_400
            }
            if subscriberPlan[subscriber] < 0 && !subscriberPlans { subscriberPlan[subscriber] = first?.plan ?? -1 }
        }

        // Lives: the union of each subscriber's subscriptions, cut by the churn definition.
        // A cut: its moment and whether its reason is a voluntary one.
        var cuts: [[(time: Int64, voluntary: Bool)]] = Array(repeating: [], count: subscriberCount)
        switch mapping.churn.rule {
        case .noOpenSubscription: break
        case .churnEvents:
            if let churnEvents, let who = churnEvents.texts["subscriber"], let when = churnEvents.times["time"] {
                let subscriberOf = self.subscribers(of: who)
                let reasons = churnEvents.texts["reason"]
                let voluntaryReason = reasons.map { column in column.values.map { voluntaryReasons.contains($0) } }
                for row in 0..<churnEvents.rows {
                    let code = who.codes[row]
                    guard code >= 0, case let subscriber = Int(subscriberOf[Int(code)]), subscriber >= 0, when[row] != noTime else { continue }
                    let reason = reasons?.codes[row] ?? -1
                    cuts[subscriber].append((when[row], reason >= 0 && voluntaryReason![Int(reason)]))
                }
            }
        case .subscriberStatus:
            if let subscribers, let status = subscribers.texts["status"] {
                let churned = Set(mapping.churn.values)
                let churnedCode = status.values.map { churned.contains($0) }
                for row in 0..<subscribers.rows {
                    let code = status.codes[row]
                    guard code >= 0, churnedCode[Int(code)], case let subscriber = Int(subscriberOfRow[row]), subscriber >= 0 else { continue }
                    if let moment = subscribers.times["churned_at"]?[row], moment != noTime {
                        cuts[subscriber].append((moment, false))
                    } else if let last = bySubscriber[subscriber].compactMap({ subscriptions[$0].endTime }).max(),
                              !bySubscriber[subscriber].contains(where: { subscriptions[$0].end == nil }) {
                        cuts[subscriber].append((last, false))
                    }
                    // Churned by status with a subscription still open and no date: nothing says when;
                    // its lives follow the subscriptions.
                }
            }
        }
        // A cut closes every subscription open at it: its MRR stops there too.
        for subscriber in 0..<subscriberCount where !cuts[subscriber].isEmpty {
            let moments = cuts[subscriber].sorted { $0.time < $1.time }
            for position in bySubscriber[subscriber] {
                let subscription = subscriptions[position]
                guard let start = subscription.start,
                      let cut = moments.first(where: { cut in
                          let day = Self.day(cut.time)!
                          return day >= start && (subscription.end.map { day < $0 } ?? true)
                      }) else { continue }
                subscriptions[position].end = Self.day(cut.time)
                subscriptions[position].endTime = max(cut.time, subscription.startTime)
                subscriptions[position].voluntary = cut.voluntary
            }
        }
        unitIsSubscription = mapping.churn.unit == .subscription
        runs.reserveCapacity(lists: subscriberCount, elements: unitIsSubscription ? 0 : subscriberCount)
        for subscriber in 0..<subscriberCount {
            runs.startList()
            guard !unitIsSubscription else { continue }
            for position in bySubscriber[subscriber] { Self.extend(&runs, with: subscriptions[position], grace: mapping.churn.graceDays) }
        }

        // The units retention and churn follow.
        if unitIsSubscription {
            lives.reserveCapacity(lists: subscriptions.count, elements: subscriptions.count)
            since.reserveCapacity(subscriptions.count)
            sinceTime.reserveCapacity(subscriptions.count)
            unitSubscriber.reserveCapacity(subscriptions.count)
            unitSubscription.reserveCapacity(subscriptions.count)
            for (position, subscription) in subscriptions.enumerated() where subscription.start != nil {
                lives.startList()
                Self.extend(&lives, with: subscription, grace: 0)
                since.append(subscription.start)
                sinceTime.append(subscription.startTime)
                unitSubscriber.append(subscription.subscriber)
                unitSubscription.append(position)
            }
        } else {
            lives = runs
            since = signup
            sinceTime = signupTime
            unitSubscriber = Array(0..<subscriberCount)
            unitSubscription = Array(repeating: -1, count: subscriberCount)
        }
        followedUnits = lives.indices.filter { lives.offsets[$0 + 1] > lives.offsets[$0] && since[$0] != nil }
    }

    /// Adds a subscription (in start order) to the last list of `runs`, a subscriber's lives: a
    /// start no more than `grace` days after the last run's end continues it (the days between
    /// count as active); a later one begins a new life.
    static func extend(_ runs: inout Jagged<Run>, with subscription: Subscription, grace: Int) {
        // One that ends before it starts is no life (logical_order reports it).
        guard let start = subscription.start, subscription.end.map({ $0 >= start }) ?? true else { return }
        let end = subscription.end
        if var last = runs.lastOfLastList, last.end.map({ start <= $0 + grace }) ?? true {
            last.startTime = min(last.startTime, subscription.startTime)
            if let previous = last.end, let previousTime = last.endTime {
                if let end, let endTime = subscription.endTime {
                    if endTime > previousTime { last.voluntary = subscription.voluntary }
                    last.end = max(previous, end)
                    last.endTime = max(previousTime, endTime)
                } else {
                    last.end = nil
                    last.endTime = nil
                    last.voluntary = false
                }
            }
            runs.replaceLast(last)
        } else {
            runs.appendToLast(Run(start: start, end: end, startTime: subscription.startTime,
                                  endTime: end == nil ? nil : subscription.endTime, voluntary: end != nil && subscription.voluntary))
        }
    }
}

/// A day number or an index kept in 32 bits (clamped).
@propertyWrapper
struct CompactInt {
    private var raw: Int32
    init(wrappedValue: Int) { raw = Int32(clamping: wrappedValue) }
    var wrappedValue: Int {
        get { Int(raw) }
        set { raw = Int32(clamping: newValue) }
    }
}

/// A day number kept in 32 bits (clamped), nil as `Int32.min`.
@propertyWrapper
struct CompactDay {
    private var raw: Int32
    init(wrappedValue: Int?) { raw = wrappedValue.map { Int32(clamping: $0) } ?? .min }
    var wrappedValue: Int? {
        get { raw == .min ? nil : Int(raw) }
        set { raw = newValue.map { Int32(clamping: $0) } ?? .min }
    }
}

/// A moment in seconds, nil kept as ``noTime`` (8 bytes, not an optional's 9 padded to 16).
@propertyWrapper
struct CompactMoment {
    private var raw: Int64
    init(wrappedValue: Int64?) { raw = wrappedValue ?? noTime }
    var wrappedValue: Int64? {
        get { raw == noTime ? nil : raw }
        set { raw = newValue ?? noTime }
    }
}
