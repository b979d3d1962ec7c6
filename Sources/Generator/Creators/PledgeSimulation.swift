#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TableIO

/// The identity of a pledge before it is simulated: who, when, from which random stream.
public struct PledgeSeed: Sendable {
    public var creator: Int32
    /// The arrival's number among the creator's arrivals (its random stream).
    public var ordinal: Int32
    public var start: Timestamp
    public var isViral: Bool
}

/// How a pledge ended, or that it did not.
public enum ChurnReason: Int8, Sendable {
    case voluntary = 0
    case paymentFailed = 1
    case creatorRemoved = 2

    public var name: String { CreatorCatalog.churnReasons[Int(rawValue)] }
}

/// What the simulation of one pledge decided.
public struct PledgeOutcome: Sendable {
    public var start: Timestamp
    public var end: Timestamp?
    public var reason: ChurnReason?
    public var pausedAt: Timestamp?
    /// Tier rank (1-4) and amount at the end of the pledge (after any tier change).
    public var rank: Int
    public var amountCents: Int
    public var tierChangeAt: Timestamp?
}

/// Receives the rows a pledge produces, in time order within each kind.
protocol PledgeSink {
    /// A transaction: `type` and `status` index ``CreatorCatalog``; `failure` is -1 when none.
    mutating func transaction(at moment: Timestamp, type: Int, status: Int, grossCents: Int, failure: Int)
    /// An engagement event on the creator's post `post`.
    mutating func event(at moment: Timestamp, post: Int, type: Int)
}

/// A sink that ignores everything: the planning pass only needs the outcome.
struct DiscardingSink: PledgeSink {
    mutating func transaction(at moment: Timestamp, type: Int, status: Int, grossCents: Int, failure: Int) {}
    mutating func event(at moment: Timestamp, post: Int, type: Int) {}
}

/// Simulates one pledge month by month: engagement, billing with failures and retries,
/// voluntary churn by tenure, pauses, tier changes and the anomalies that touch it.
///
/// The simulation is a pure function of (parameters, creator, seed): the planning pass runs it
/// with a ``DiscardingSink`` to learn the outcome, the writing pass runs it again with a sink
/// that formats rows, and both see the same draws.
struct PledgeSimulator {
    let parameters: CreatorParameters
    let streams: RandomStreams
    let outage: (start: Timestamp, end: Timestamp)
    let holidayMonth: YearMonth
    let collapseMonth: YearMonth
    let eventTypes = Categorical(weights: CreatorCatalog.eventTypeWeights)
    let failureReasons = Categorical(weights: CreatorCatalog.failureReasonWeights)

    init(parameters: CreatorParameters, streams: RandomStreams) {
        self.parameters = parameters
        self.streams = streams
        outage = (Timestamp(CivilDate(year: 2024, month: 2, day: 14)), Timestamp(CivilDate(year: 2024, month: 2, day: 17)))
        holidayMonth = YearMonth(year: 2024, month: 1)
        collapseMonth = YearMonth(year: 2024, month: 9)
    }


    func run<Sink: PledgeSink>(_ seed: PledgeSeed, creator: CreatorPlan, sink: inout Sink) -> PledgeOutcome {
        var rng = streams.stream("creators.pledge", Int(seed.creator), Int(seed.ordinal))
        let start = seed.start
        let asOf = parameters.asOf
        let windowStart = parameters.windowStartMoment
        var rank = seed.isViral ? (rng.bernoulli(0.7) ? 1 : min(2, creator.tiers.count)) : creator.rankDistribution.sample(using: &rng) + 1
        let firstOfMonth = rng.bernoulli(parameters.firstOfMonthBilling)
        var tierChangeAt: Timestamp?
        var newRank = rank
        if rng.bernoulli(parameters.tierChangeShare) {
            tierChangeAt = start.adding(seconds: Int64(rng.uniform(1.5, 9)) * tenureMonthSeconds)
            newRank = rank < creator.tiers.count ? rank + 1 : rank - 1
        }
        var pausedAt: Timestamp?
        var engagedLastMonth: Bool?

        var month = start.yearMonth
        let lastMonth = asOf.yearMonth
        // Rows wait here until the simulation has passed their moment, so that a retry or refund
        // that falls into a later month is written in time order.
        var pending: [PendingRow] = []
        // Scratch arrays reused month after month.
        var billings: [Timestamp] = []
        var attempts: [(moment: Timestamp, status: Int, failure: Int, gross: Int)] = []
        var moments: [Timestamp] = []

        while month <= lastMonth {
            let monthStart = Timestamp(month.firstDay)
            let monthEnd = Timestamp(month.lastDay.adding(days: 1))  // exclusive
            let segmentStart = max(start, monthStart)
            let segmentEnd = min(monthEnd, asOf.adding(seconds: 1))
            let inWindow = segmentStart >= windowStart
            if let change = tierChangeAt, change < segmentStart { rank = newRank }

            // Candidate exits of this month; the earliest wins.
            var exit: Timestamp?
            var reason: ChurnReason?
            // A failed retry may fall a few days into the next month; other exits stay in this one.
            func propose(_ moment: Timestamp, _ why: ChurnReason) {
                let limit = why == .paymentFailed ? asOf.adding(seconds: 1) : segmentEnd
                if moment >= segmentStart, moment < limit, exit.map({ moment < $0 }) ?? true {
                    exit = moment
                    reason = why
                }
            }
            if let departure = creator.departure { propose(departure, .creatorRemoved) }

            // Pause: a rare, permanent stop of payments.
            if pausedAt == nil, inWindow, rng.bernoulli(parameters.pauseHazard) {
                pausedAt = Timestamp(seconds: segmentStart.seconds + Int64(rng.nextUnit() * Double(segmentEnd.seconds - segmentStart.seconds)))
            }

            // Voluntary churn: piecewise-constant hazard across tenure bands within the month.
            var multiplier = parameters.postingChurnMultiplier[creator.postingClass]
            switch engagedLastMonth {
            case .some(true): multiplier *= parameters.engagedChurnMultiplier
            case .some(false): multiplier *= parameters.unengagedChurnMultiplier
            case .none:
                let rate = parameters.engagementRate[rank - 1]
                multiplier *= rate * parameters.engagedChurnMultiplier + (1 - rate) * parameters.unengagedChurnMultiplier
            }
            if month == holidayMonth { multiplier *= parameters.holidayChurnLift }
            var extraRate = 0.0
            if month == collapseMonth && creator.category == CreatorCatalog.gamesCategory {
                extraRate = -log(1 - parameters.gamesCollapseShare)
            }
            if let moment = voluntaryExit(from: segmentStart, to: segmentEnd, start: start, multiplier: multiplier,
                                          extraRate: extraRate, using: &rng) {
                let removed = extraRate == 0 && rng.bernoulli(parameters.removedShare)
                propose(moment, removed ? .creatorRemoved : .voluntary)
            }

            // Billing: the upfront payment at the start, then monthly.
            billings.removeAll(keepingCapacity: true)
            if start >= monthStart && start < monthEnd { billings.append(start) }
            if month > start.yearMonth {
                if firstOfMonth {
                    let day = rng.nextUnit()
                    let offset: Int64 = day < 0.62 ? 0 : (day < 0.87 ? 1 : 2)
                    billings.append(monthStart.adding(seconds: offset * 86_400 + Int64(rng.nextInt(below: 86_400))))
                } else {
                    let startDate = start.date
                    let day = min(startDate.day, month.dayCount)
                    billings.append(Timestamp(CivilDate(year: month.year, month: month.month, day: day),
                                              seconds: Int64(start.secondOfDay)))
                }
            }
            attempts.removeAll(keepingCapacity: true)
            for billing in billings where billing >= segmentStart && billing < segmentEnd {
                if let paused = pausedAt, paused <= billing { break }
                let price = creator.tiers[(tierChangeAt.map { billing >= $0 } ?? false ? newRank : rank) - 1].priceCents
                if billing.seconds > asOf.seconds - 6 * 3_600 {
                    attempts.append((billing, 0, -1, price))
                    continue
                }
                let (failed, failure) = attemptFails(at: billing, start: start, using: &rng)
                attempts.append((billing, failed ? 2 : 1, failure, price))
                guard failed else { continue }
                let retry = billing.adding(seconds: Int64(rng.uniform(1, 6) * 86_400))
                let duringOutage = failure == 4
                let retrySucceeds = retry < asOf && rng.bernoulli(duringOutage ? 0.9 : parameters.retrySuccess)
                // No retry once the pledge is paused (payments have stopped) or past the as-of moment.
                guard retry <= asOf, pausedAt.map({ retry < $0 }) ?? true else { continue }
                if retrySucceeds {
                    attempts.append((retry, 1, -1, price))
                } else {
                    let retryFailure = retry >= outage.start && retry < outage.end ? 4 : failureReasons.sample(using: &rng)
                    attempts.append((retry, 2, retryFailure, price))
                    if rng.bernoulli(parameters.declineOnUnrecovered) { propose(retry, .paymentFailed) }
                }
            }

            // Engagement while active this month (events only inside the window).
            let activeEnd = exit.map { min($0, segmentEnd) } ?? segmentEnd
            var engaged = false
            if inWindow {
                var rate = parameters.engagementRate[rank - 1]
                if (6...8).contains(month.month) { rate *= parameters.summerEngagement }
                if rng.bernoulli(rate) && activeEnd > segmentStart {
                    var lift = creator.category == CreatorCatalog.videoCategory ? parameters.videoEventLift : 1
                    if (6...8).contains(month.month) { lift *= parameters.summerEngagement }
                    let count = 1 + rng.poisson(mean: parameters.extraEventsMean * lift)
                    let span = Double(activeEnd.seconds - segmentStart.seconds)
                    moments.removeAll(keepingCapacity: true)
                    for _ in 0..<count { moments.append(Timestamp(seconds: segmentStart.seconds + Int64(rng.nextUnit() * span))) }
                    moments.sort()
                    for moment in moments {
                        guard let latest = creator.latestAccessiblePost(before: moment, rank: rank) else { continue }
                        // Most events land on the newest post; some on one of the few before it.
                        var post = latest
                        if rng.bernoulli(0.35) {
                            let back = rng.nextInt(in: 1...4)
                            var candidate = latest
                            var steps = 0
                            while candidate > 0 && steps < back {
                                candidate -= 1
                                if creator.posts[candidate].minimumRank <= rank { steps += 1; post = candidate }
                            }
                        }
                        engaged = true
                        sink.event(at: moment, post: post, type: eventTypes.sample(using: &rng))
                    }
                }
            }
            engagedLastMonth = inWindow ? engaged : nil

            // Payments and the refunds that follow them, up to the exit.
            if inWindow {
                for attempt in attempts {
                    if let exit, attempt.moment > exit { continue }
                    pending.append(PendingRow(moment: attempt.moment, type: 0, status: attempt.status, gross: attempt.gross,
                                              failure: attempt.failure, refundOf: nil))
                    if attempt.status == 1 {
                        if rng.bernoulli(parameters.refundRate) {
                            let moment = attempt.moment.adding(seconds: Int64(rng.uniform(1, 20) * 86_400))
                            if moment <= asOf {
                                pending.append(PendingRow(moment: moment, type: 1, status: 3, gross: attempt.gross, failure: -1,
                                                          refundOf: attempt.moment))
                            }
                        } else if rng.bernoulli(parameters.chargebackRate) {
                            let moment = attempt.moment.adding(seconds: Int64(rng.uniform(10, 60) * 86_400))
                            if moment <= asOf {
                                pending.append(PendingRow(moment: moment, type: 2, status: 3, gross: attempt.gross, failure: -1,
                                                          refundOf: attempt.moment))
                            }
                        }
                    }
                }
                if let exit { Self.dropPayments(after: exit, from: &pending) }
                flush(&pending, before: segmentEnd, sink: &sink)
            }

            if let exit, let reason {
                Self.dropPayments(after: exit, from: &pending)
                flush(&pending, before: asOf.adding(seconds: 1), sink: &sink)
                let finalRank = tierChangeAt.map { $0 < exit } ?? false ? newRank : rank
                return PledgeOutcome(start: start, end: exit, reason: reason, pausedAt: pausedAt.flatMap { $0 < exit ? $0 : nil },
                                     rank: finalRank, amountCents: creator.tiers[finalRank - 1].priceCents,
                                     tierChangeAt: tierChangeAt.flatMap { $0 < exit ? $0 : nil })
            }
            month = month.adding(months: 1)
        }
        flush(&pending, before: asOf.adding(seconds: 1), sink: &sink)
        let finalRank = tierChangeAt.map { $0 <= asOf } ?? false ? newRank : rank
        return PledgeOutcome(start: start, end: nil, reason: nil, pausedAt: pausedAt, rank: finalRank,
                             amountCents: creator.tiers[finalRank - 1].priceCents,
                             tierChangeAt: tierChangeAt.flatMap { $0 <= asOf ? $0 : nil })
    }

    /// A transaction waiting for the simulation to pass its moment.
    struct PendingRow {
        var moment: Timestamp
        var type: Int
        var status: Int
        var gross: Int
        var failure: Int
        /// For a refund or chargeback, the moment of the payment it returns.
        var refundOf: Timestamp?
    }

    /// Payments (retries) scheduled after the pledge ended never happen, and neither do the
    /// refunds of those payments; refunds of earlier payments still do.
    static func dropPayments(after exit: Timestamp, from pending: inout [PendingRow]) {
        pending.removeAll { row in
            row.type == 0 ? row.moment > exit : (row.refundOf.map { $0 > exit } ?? false)
        }
    }

    /// Emits the pending rows dated before `moment`, oldest first (ties keep their order).
    private func flush<Sink: PledgeSink>(_ pending: inout [PendingRow], before moment: Timestamp, sink: inout Sink) {
        guard !pending.isEmpty else { return }
        // A handful of rows: a stable insertion sort in place, then emit the due prefix.
        for index in 1..<max(1, pending.count) {
            var position = index
            let row = pending[index]
            while position > 0 && pending[position - 1].moment > row.moment {
                pending[position] = pending[position - 1]
                position -= 1
            }
            pending[position] = row
        }
        var due = 0
        while due < pending.count && pending[due].moment < moment {
            let row = pending[due]
            sink.transaction(at: row.moment, type: row.type, status: row.status, grossCents: row.gross, failure: row.failure)
            due += 1
        }
        if due > 0 { pending.removeFirst(due) }
    }

    /// Whether an attempt fails, and its failure reason (index into ``CreatorCatalog/failureReasons``).
    private func attemptFails(at moment: Timestamp, start: Timestamp, using rng: inout Xoshiro256StarStar) -> (Bool, Int) {
        if moment >= outage.start && moment < outage.end {
            let fails = rng.bernoulli(0.4)
            return (fails, fails ? 4 : -1)
        }
        let band = Self.band(tenureMonth: Int((moment.seconds - start.seconds) / tenureMonthSeconds) + 1)
        let base = parameters.initialFailure[band]
        let month = moment.yearMonth.month
        let extra = month == 12 || month == 1 ? parameters.cardExpiryExtra : 0
        let u = rng.nextUnit()
        if u < base { return (true, failureReasons.sample(using: &rng)) }
        if u < base + extra { return (true, 2) }
        return (false, -1)
    }

    /// 0 for tenure month 1, 1 for months 2-3, 2 for 4-12, 3 for 13 and later.
    static func band(tenureMonth: Int) -> Int {
        tenureMonth <= 1 ? 0 : (tenureMonth <= 3 ? 1 : (tenureMonth <= 12 ? 2 : 3))
    }

    /// The moment of a voluntary exit inside [from, to), walking the tenure bands it crosses.
    private func voluntaryExit(from: Timestamp, to: Timestamp, start: Timestamp, multiplier: Double, extraRate: Double,
                               using rng: inout Xoshiro256StarStar) -> Timestamp? {
        var budget = -log(rng.nextOpenUnit())
        var cursor = from.seconds
        while cursor < to.seconds {
            let tenureMonth = Int((cursor - start.seconds) / tenureMonthSeconds) + 1
            let band = Self.band(tenureMonth: tenureMonth)
            let bandEnd = band == 3 ? Int64.max : start.seconds + Int64([1, 3, 12][band]) * tenureMonthSeconds
            let pieceEnd = min(to.seconds, bandEnd)
            let monthly = -log(1 - parameters.voluntaryHazard[band]) * multiplier + extraRate
            let hazard = monthly * Double(pieceEnd - cursor) / Double(tenureMonthSeconds)
            if budget < hazard {
                return Timestamp(seconds: cursor + Int64(budget / hazard * Double(pieceEnd - cursor)))
            }
            budget -= hazard
            cursor = pieceEnd
        }
        return nil
    }
}
