import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TableIO

/// A pledge of the dataset: its seed, its simulated outcome and its patron.
public struct PlannedPledge: Sendable {
    public var seed: PledgeSeed
    public var outcome: PledgeOutcome
    /// 0-based patron number, assigned after all pledges are known.
    public var patron: Int32 = -1
    public var isFirstPledge = false
}

/// Phase 2 of the creator-economy model: arrivals per creator, each simulated to its end.
///
/// Arrivals follow each creator's level, growth, ramp-up and the platform's seasonality from the
/// creator's creation (back to 2020) on; pledges that ended before the window are dropped, as an
/// export of the window would not contain them. Creators are simulated in parallel; the result is
/// independent of the thread count because every creator and pledge has its own random stream.
struct PledgePlanner {
    let parameters: CreatorParameters
    let streams: RandomStreams
    let simulator: PledgeSimulator

    /// The dataset's pledges in output order: by start, then creator, then arrival number.
    func plan(_ creators: [CreatorPlan], threads: Int) -> [PlannedPledge] {
        var perCreator = Array(repeating: [PlannedPledge](), count: creators.count)
        perCreator.withUnsafeMutableBufferPointer { results in
            let output = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: max(1, threads)) { worker in
                var index = worker
                while index < creators.count {
                    output.value[index] = self.pledges(of: creators[index])
                    index += max(1, threads)
                }
            }
        }
        var planned = perCreator.flatMap { $0 }
        planned.sort {
            ($0.seed.start.seconds, $0.seed.creator, $0.seed.ordinal) < ($1.seed.start.seconds, $1.seed.creator, $1.seed.ordinal)
        }
        return planned
    }

    /// The arrival intensity of `creator` in `month` (pledges per month). Before the window it is
    /// normalized so that a creator created before the window has about its level of active
    /// pledges when the window opens, however long it has existed (pledges accumulate for years:
    /// the 13+ month hazard is only a few percent); inside the window it is the turnover that
    /// keeps the level growing at the creator's rate.
    func arrivalRate(_ creator: CreatorPlan, month: YearMonth) -> Double {
        baseArrivalRate(creator, month: month) * (month < parameters.windowStart.yearMonth ? historyNormalization(creator) : 1)
    }

    /// The expected active pledges at the window's start under ``baseArrivalRate(_:month:)``,
    /// divided into the creator's level; 1 for creators created inside the window.
    func historyNormalization(_ creator: CreatorPlan) -> Double {
        let windowMonth = parameters.windowStart.yearMonth
        guard creator.createdAt < parameters.windowStartMoment else { return 1 }
        let hazards = parameters.nominalHazard.map { min(0.95, $0 * parameters.levelHazardFactor[creator.postingClass]) }
        var expected = 0.0
        var month = max(creator.createdAt.yearMonth, parameters.platformStart.yearMonth)
        while month < windowMonth {
            // Arrivals of `month` are on average half a month old at its end.
            let age = month.months(to: windowMonth)
            var survival = 1.0
            for tenure in 1...age {
                let band = PledgeSimulator.band(tenureMonth: tenure)
                survival *= 1 - hazards[band] * (tenure == age ? 0.5 : 1)
            }
            expected += baseArrivalRate(creator, month: month) * survival
            month = month.adding(months: 1)
        }
        let level = creator.sizeWeight * parameters.activePledgesAtWindowStart * parameters.scale
        return expected > 0 ? level / expected : 1
    }

    func baseArrivalRate(_ creator: CreatorPlan, month: YearMonth) -> Double {
        let monthsFromWindow = Double(parameters.windowStart.yearMonth.months(to: month)) + 0.5
        let created = creator.createdAt
        let monthsSinceCreated = Double(month.firstDay.dayNumber - created.date.dayNumber) / 30.4375 + 0.5
        let ramp = 1 - exp(-max(monthsSinceCreated, 0.05) / parameters.rampMonths)
        let level = creator.sizeWeight * parameters.activePledgesAtWindowStart * parameters.scale
        let growth = exp(creator.growth * monthsFromWindow)
        var rate = level * growth * (parameters.levelHazard[creator.postingClass] + max(creator.growth, 0)) * ramp
        if month.month >= 10 { rate *= parameters.q4ArrivalLift }
        if creator.category == CreatorCatalog.gamesCategory && month >= YearMonth(year: 2024, month: 9) { rate *= 0.5 }
        return rate
    }

    func pledges(of creator: CreatorPlan) -> [PlannedPledge] {
        let normalization = historyNormalization(creator)
        var rng = streams.stream("creators.arrivals", creator.index)
        var result: [PlannedPledge] = []
        var ordinal: Int32 = 0
        var sink = DiscardingSink()
        let windowStart = parameters.windowStartMoment
        let firstMoment = creator.createdAt.adding(seconds: 3 * 86_400)
        let lastMoment = min(creator.departure ?? parameters.asOf, parameters.asOf)
        var month = max(firstMoment.yearMonth, parameters.platformStart.yearMonth)
        func add(_ start: Timestamp, viral: Bool) {
            let seed = PledgeSeed(creator: Int32(creator.index), ordinal: ordinal, start: start, isViral: viral)
            ordinal += 1
            let outcome = simulator.run(seed, creator: creator, sink: &sink)
            if outcome.end.map({ $0 >= windowStart }) ?? true {
                result.append(PlannedPledge(seed: seed, outcome: outcome))
            }
        }
        while month <= lastMoment.yearMonth {
            let from = max(Timestamp(month.firstDay), firstMoment)
            let to = min(Timestamp(month.lastDay.adding(days: 1)), lastMoment)
            if to > from {
                let share = Double(to.seconds - from.seconds) / Double(month.dayCount * 86_400)
                // Randomized rounding, not Poisson: the month's count is within one of its
                // expectation, so the seasonal series carry the model's lifts and little noise.
                let before = month < parameters.windowStart.yearMonth
                let expected = baseArrivalRate(creator, month: month) * (before ? normalization : 1) * share
                let count = Int(expected) + (rng.nextUnit() < expected - expected.rounded(.down) ? 1 : 0)
                var moments = (0..<count).map { _ in Timestamp(seconds: from.seconds + Int64(rng.nextUnit() * Double(to.seconds - from.seconds))) }
                moments.sort()
                for moment in moments { add(moment, viral: false) }
            }
            if creator.isViral && month == YearMonth(year: 2023, month: 8) {
                let viralStart = Timestamp(CivilDate(year: 2023, month: 8, day: 10))
                let count = Int((parameters.viralPledgesPerScale * parameters.scale).rounded())
                var moments = (0..<count).map { _ in viralStart.adding(seconds: Int64(rng.nextUnit() * 14 * 86_400)) }
                moments.sort()
                for moment in moments { add(moment, viral: true) }
            }
            month = month.adding(months: 1)
        }
        return result
    }
}

/// Wraps a value that is shared across threads with disjoint access (each worker its own slots).
struct UnsafeSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
