import Testing
import TableIO
@testable import Generator

/// Records what a simulated pledge emits.
struct RecordingSink: PledgeSink {
    var transactions: [(moment: Timestamp, type: Int, status: Int, gross: Int, failure: Int)] = []
    var events: [(moment: Timestamp, post: Int, type: Int)] = []

    mutating func transaction(at moment: Timestamp, type: Int, status: Int, grossCents: Int, failure: Int) {
        transactions.append((moment, type, status, grossCents, failure))
    }

    mutating func event(at moment: Timestamp, post: Int, type: Int) {
        events.append((moment, post, type))
    }
}

@Suite("pledge simulation")
struct PledgeSimulationTests {
    static let parameters = CreatorParameters()
    static let streams = RandomStreams(seed: 42)
    static let creators = CreatorPlanner(parameters: parameters, streams: streams).plan()
    static let simulator = PledgeSimulator(parameters: parameters, streams: streams)

    /// A sample of seeds across creators and start dates, before and inside the window.
    static func seeds() -> [(PledgeSeed, CreatorPlan)] {
        var rng = Xoshiro256StarStar(seed: 5)
        return (0..<20_000).map { ordinal in
            let creator = creators[rng.nextInt(below: creators.count)]
            let from = max(creator.createdAt.seconds, Timestamp(CivilDate(year: 2021, month: 1, day: 1)).seconds)
            let start = Timestamp(seconds: from + Int64(rng.nextUnit() * Double(parameters.asOf.seconds - from)))
            return (PledgeSeed(creator: Int32(creator.index), ordinal: Int32(10_000 + ordinal), start: start, isViral: false), creator)
        }
    }

    @Test("the planning pass and the writing pass agree, draw for draw")
    func determinism() {
        for (seed, creator) in Self.seeds().prefix(300) {
            var discard = DiscardingSink()
            var first = RecordingSink()
            var second = RecordingSink()
            let planned = Self.simulator.run(seed, creator: creator, sink: &discard)
            let written = Self.simulator.run(seed, creator: creator, sink: &first)
            _ = Self.simulator.run(seed, creator: creator, sink: &second)
            #expect(planned.end == written.end && planned.reason == written.reason && planned.pausedAt == written.pausedAt)
            #expect(planned.amountCents == written.amountCents)
            #expect(first.transactions.map(\.moment) == second.transactions.map(\.moment))
            #expect(first.events.map(\.moment) == second.events.map(\.moment))
        }
    }

    @Test("outcomes and rows respect the window, the pledge's life and the creator's posts")
    func invariants() {
        let window = Self.parameters.windowStartMoment
        let asOf = Self.parameters.asOf
        for (seed, creator) in Self.seeds() {
            var sink = RecordingSink()
            let outcome = Self.simulator.run(seed, creator: creator, sink: &sink)
            #expect((outcome.end == nil) == (outcome.reason == nil))
            if let end = outcome.end {
                #expect(end > seed.start && end <= asOf)
                if outcome.reason == .creatorRemoved, let departure = creator.departure, end == departure {
                    #expect(creator.departure != nil)
                }
            }
            if let paused = outcome.pausedAt {
                #expect(paused >= seed.start && paused >= window)
                if let end = outcome.end { #expect(paused < end) }
            }
            let stop = outcome.end ?? asOf.adding(seconds: 1)
            var previous = Timestamp(seconds: 0)
            var refundable: [Int] = []
            for row in sink.transactions {
                // A refund or chargeback returns an earlier succeeded payment of the same amount.
                if row.type == 0 && row.status == 1 { refundable.append(row.gross) }
                if row.type != 0 {
                    let match = refundable.firstIndex(of: row.gross)
                    #expect(match != nil, "a refund without a payment before it")
                    if let match { refundable.remove(at: match) }
                }
                #expect(row.moment >= window && row.moment <= asOf)
                #expect(row.moment >= previous)
                previous = row.moment
                if row.type == 0 {
                    #expect(row.moment <= stop)
                    #expect((row.failure >= 0) == (row.status == 2))
                    #expect(creator.tiers.contains { $0.priceCents == row.gross })
                }
                if let paused = outcome.pausedAt, row.type == 0 { #expect(row.moment < paused) }
            }
            for event in sink.events {
                #expect(event.moment >= window && event.moment >= seed.start && event.moment < stop)
                let post = creator.posts[event.post]
                #expect(post.publishedAt <= event.moment)
                #expect(post.minimumRank <= 4)
            }
        }
    }

    @Test("a departing creator ends every open pledge at its departure, as creator_removed")
    func departure() throws {
        let creator = try #require(Self.creators.first { $0.departure != nil })
        let departure = try #require(creator.departure)
        let start = Timestamp(CivilDate(year: 2024, month: 1, day: 10))
        var ended = 0
        for ordinal in 0..<400 {
            var sink = DiscardingSink()
            let outcome = Self.simulator.run(PledgeSeed(creator: Int32(creator.index), ordinal: Int32(50_000 + ordinal), start: start, isViral: false),
                                             creator: creator, sink: &sink)
            let end = try #require(outcome.end)
            #expect(end <= departure)
            if end == departure {
                #expect(outcome.reason == .creatorRemoved)
                ended += 1
            }
        }
        #expect(ended > 200)
    }

    @Test("tenure bands: month 1, months 2-3, 4-12, 13 and later")
    func bands() {
        #expect([1, 2, 3, 4, 12, 13, 40].map { PledgeSimulator.band(tenureMonth: $0) } == [0, 1, 1, 2, 2, 3, 3])
    }

    @Test("fees: 2.9% + $0.30 and the plan's platform fee, rounded half up to the cent")
    func fees() {
        #expect(processingFeeCents(200) == 36)   // 5.8 cents + 30
        #expect(processingFeeCents(1_000) == 59) // 29 + 30
        #expect(processingFeeCents(1_500) == 74) // 43.5 -> 44, + 30
        #expect(platformFeeCents(1_000, basisPoints: 500) == 50)
        #expect(platformFeeCents(250, basisPoints: 500) == 13)  // 12.5 -> 13
        #expect(platformFeeCents(1_250, basisPoints: 1_200) == 150)
    }
}

@Suite("pending rows at a pledge's end")
struct PendingRowTests {
    @Test("a retry after the end is dropped with its refund; the refund of an earlier payment stays")
    func dropsRetriesAndTheirRefunds() {
        let day = Timestamp(CivilDate(year: 2024, month: 3, day: 1))
        let exit = day.adding(seconds: 86_400)
        var pending = [
            PledgeSimulator.PendingRow(moment: day, type: 0, status: 1, gross: 500, failure: -1, refundOf: nil),
            PledgeSimulator.PendingRow(moment: day.adding(seconds: 5 * 86_400), type: 1, status: 3, gross: 500, failure: -1, refundOf: day),
            PledgeSimulator.PendingRow(moment: exit.adding(seconds: 3_600), type: 0, status: 1, gross: 500, failure: -1, refundOf: nil),
            PledgeSimulator.PendingRow(moment: exit.adding(seconds: 9 * 86_400), type: 2, status: 3, gross: 500, failure: -1,
                                       refundOf: exit.adding(seconds: 3_600)),
        ]
        PledgeSimulator.dropPayments(after: exit, from: &pending)
        #expect(pending.map(\.type) == [0, 1])
        #expect(pending.map(\.moment) == [day, day.adding(seconds: 5 * 86_400)])
    }
}
