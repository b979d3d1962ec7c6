import Foundation
import Testing
@testable import Generator

/// Reference vectors come from `scripts/reference/rng_vectors.py`, an independent Python
/// implementation of the published C code, stored in `Fixtures/rng_vectors.json`.
@Suite("random generators")
struct RandomGeneratorTests {
    struct Vectors: Decodable {
        var fnv1a_saas_customer: String
        var splitmix64_seed_1234567: [String]
        var stream_42_saas_customer_7: [String]
        var xoshiro256ss_seed_42: [String]
    }

    static let vectors: Vectors? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rng_vectors.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Vectors.self, from: data)
    }()

    static func numbers(_ key: KeyPath<Vectors, [String]>) -> [UInt64] {
        (vectors?[keyPath: key] ?? []).compactMap { UInt64($0) }
    }

    @Test("SplitMix64 matches the reference implementation")
    func splitMixReference() {
        let expected = Self.numbers(\.splitmix64_seed_1234567)
        #expect(expected.count == 5)
        var rng = SplitMix64(seed: 1_234_567)
        #expect((0..<5).map { _ in rng.next() } == expected)
    }

    @Test("xoshiro256** seeded by SplitMix64 matches the reference implementation")
    func xoshiroReference() {
        let expected = Self.numbers(\.xoshiro256ss_seed_42)
        #expect(expected.count == 5)
        var rng = Xoshiro256StarStar(seed: 42)
        #expect((0..<5).map { _ in rng.next() } == expected)
    }

    @Test("stream derivation matches the reference implementation")
    func streamReference() {
        #expect(StreamTable("saas.customer").tag == UInt64(Self.vectors?.fnv1a_saas_customer ?? ""))
        let expected = Self.numbers(\.stream_42_saas_customer_7)
        #expect(expected.count == 3)
        var rng = RandomStreams(seed: 42).stream("saas.customer", 7)
        #expect((0..<3).map { _ in rng.next() } == expected)
    }

    @Test("streams are reproducible and distinct by seed, table and index")
    func streamsAreDistinct() {
        let streams = RandomStreams(seed: 7)
        func firstDraws(_ stream: Xoshiro256StarStar) -> [UInt64] {
            var copy = stream
            return (0..<4).map { _ in copy.next() }
        }
        let base = firstDraws(streams.stream("a", 0))
        #expect(base == firstDraws(streams.stream("a", 0)))
        #expect(base != firstDraws(streams.stream("a", 1)))
        #expect(base != firstDraws(streams.stream("b", 0)))
        #expect(base != firstDraws(RandomStreams(seed: 8).stream("a", 0)))
        #expect(firstDraws(streams.stream("a", 0, 0)) != firstDraws(streams.stream("a", 0, 1)))
        var seen = Set<UInt64>()
        for index in 0..<10_000 {
            var rng = streams.stream("t", index)
            seen.insert(rng.next())
        }
        #expect(seen.count == 10_000)
    }

    @Test("bounded integers are uniform (chi-square, 10 cells)")
    func boundedIntegersAreUniform() {
        var rng = Xoshiro256StarStar(seed: 1)
        var counts = Array(repeating: 0, count: 10)
        let draws = 200_000
        for _ in 0..<draws {
            counts[rng.nextInt(below: 10)] += 1
        }
        let expected = Double(draws) / 10
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
        #expect(chiSquare < 27.88)
        for _ in 0..<1_000 {
            let value = rng.nextInt(in: 3...5)
            #expect((3...5).contains(value))
        }
    }

    @Test("unit draws stay in their intervals")
    func unitIntervals() {
        var rng = Xoshiro256StarStar(seed: 3)
        for _ in 0..<100_000 {
            let closedOpen = rng.nextUnit()
            let open = rng.nextOpenUnit()
            #expect(closedOpen >= 0 && closedOpen < 1)
            #expect(open > 0 && open < 1)
        }
    }

    @Test("a permutation holds every index once", arguments: [0, 1, 2, 17, 1_000])
    func permutation(count: Int) {
        var rng = Xoshiro256StarStar(seed: UInt64(count))
        #expect(rng.permutation(count).sorted() == Array(0..<count))
    }
}
