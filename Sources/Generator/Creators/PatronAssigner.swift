import TableIO

/// A patron: everything needed to write its row except what the transactions decide.
public struct PatronPlan: Sendable {
    public var firstPledge: Timestamp
    public var createdAt: Timestamp
    public var paymentMethod: Int8
    public var country: Int8
    public var hasOpenPledge = false
}

/// Assigns every pledge to a patron, new or existing, in order of pledge start.
///
/// A pledge comes from a new patron at rate p (higher in January, the new-year lift; always for
/// the viral spike's pledges), dealt by error diffusion along the pledges' order, else from an
/// existing patron chosen uniformly who has no open pledge to the same creator. p is solved so that the expected number of patrons is
/// 15,000 x scale.
struct PatronAssigner {
    let parameters: CreatorParameters
    let streams: RandomStreams

    func assign(_ pledges: inout [PlannedPledge]) -> [PatronPlan] {
        let target = Double(15_000) * parameters.scale
        let viral = pledges.filter(\.seed.isViral).count
        let windowStart = parameters.windowStartMoment
        let january = pledges.filter { !$0.seed.isViral && $0.seed.start >= windowStart && $0.seed.start.yearMonth.month == 1 }.count
        let regular = Double(pledges.count - viral - january)
        let lift = parameters.januaryNewPatronLift
        let base = min(1, max(0, (target - Double(viral)) / (regular + lift * Double(january))))

        var rng = streams.stream("creators.patron-assignment", 0)
        var credit = rng.nextUnit()
        let countries = Categorical(weights: CreatorCatalog.countries.map(\.weight))
        let methods = Categorical(weights: CreatorCatalog.paymentMethodWeights)
        var patrons: [PatronPlan] = []
        patrons.reserveCapacity(Int(target * 1.05))
        var lastPledge: [Int32] = []
        var previousOfPatron = Array(repeating: Int32(-1), count: pledges.count)
        for index in pledges.indices {
            let seed = pledges[index].seed
            let inJanuary = seed.start >= windowStart && seed.start.yearMonth.month == 1
            // Error diffusion instead of independent coin flips: every run of pledges gets its
            // share of new patrons to within one, so the new-patron series follows the model.
            let chance = seed.isViral ? 1 : min(1, base * (inJanuary ? lift : 1))
            credit += chance
            let isNew = seed.isViral || credit >= 1
            if isNew && !seed.isViral { credit -= 1 }
            var patron: Int = -1
            if !patrons.isEmpty && !isNew {
                for _ in 0..<8 {
                    let candidate = rng.nextInt(below: patrons.count)
                    if !hasOpenPledge(patron: candidate, creator: seed.creator, at: seed.start, pledges: pledges,
                                      last: lastPledge, previous: previousOfPatron) {
                        patron = candidate
                        break
                    }
                }
            }
            if patron < 0 {
                patron = patrons.count
                var patronRng = streams.stream("creators.patron", patron)
                let lead = Int64(patronRng.uniform(0, 45) * 86_400)
                let created = Timestamp(seconds: max(Timestamp(parameters.platformStart).seconds, seed.start.seconds - lead))
                patrons.append(PatronPlan(firstPledge: seed.start, createdAt: created,
                                          paymentMethod: Int8(methods.sample(using: &patronRng)),
                                          country: Int8(countries.sample(using: &patronRng))))
                lastPledge.append(-1)
                pledges[index].isFirstPledge = true
            }
            pledges[index].patron = Int32(patron)
            previousOfPatron[index] = lastPledge[patron]
            lastPledge[patron] = Int32(index)
            if pledges[index].outcome.end == nil { patrons[patron].hasOpenPledge = true }
        }
        return patrons
    }

    private func hasOpenPledge(patron: Int, creator: Int32, at moment: Timestamp, pledges: [PlannedPledge],
                               last: [Int32], previous: [Int32]) -> Bool {
        var cursor = last[patron]
        while cursor >= 0 {
            let other = pledges[Int(cursor)]
            if other.seed.creator == creator && (other.outcome.end.map { $0 > moment } ?? true) { return true }
            cursor = previous[Int(cursor)]
        }
        return false
    }
}
