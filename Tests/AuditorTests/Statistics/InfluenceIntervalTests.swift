import Foundation
import Testing
@testable import Auditor
import Generator

/// Reference standard errors: scipy.stats.bootstrap (9,999 resamples) of the Gini coefficient,
/// the top 1/10/20% shares and a ratio of sums on fixed heavy-tailed samples, computed by
/// scripts/reference/concentration_intervals.py into Fixtures/concentration_intervals.json.
@Suite("influence-function intervals")
struct InfluenceIntervalTests {
    struct Fixture: Decodable {
        struct Sample: Decodable {
            var name: String
            var cents: [Int]
            var gini: Double
            var gini_se: Double
            var top1_share: Double
            var top1_se: Double
            var top10_share: Double
            var top10_se: Double
            var top20_share: Double
            var top20_se: Double
        }
        struct Ratio: Decodable {
            var name: String
            var base: [Int]
            var now: [Int]
            var ratio: Double
            var ratio_se: Double
        }
        /// How often numpy's same interval covered a lognormal's true values.
        struct Coverage: Decodable {
            var n: Int
            var samples: Int
            var sigma: Double
            var gini: Double
            var top10: Double
        }
        /// How often numpy's interval covered a Pareto's true top 10% share.
        struct Pareto: Decodable {
            var alpha: Double
            var n: Int
            var samples: Int
            var top10_true: Double
            var top10: Double
        }
        var samples: [Sample]
        var ratios: [Ratio]
        var coverage: Coverage
        var pareto: [Pareto]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/concentration_intervals.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test("the figures equal scipy's to 1e-12 and their standard errors its bootstrap's to 8%")
    func reference() throws {
        let fixture = try Self.fixture()
        #expect(fixture.samples.count == 3 && fixture.ratios.count == 2)
        for sample in fixture.samples {
            let descending = sample.cents.sorted(by: >).map(Double.init)
            let gini = try #require(InfluenceInterval.gini(ascending: descending.reversed()))
            #expect(abs(gini.value - sample.gini) < 1e-12, "\(sample.name)")
            #expect(abs(gini.value - (Concentration.gini(sample.cents) ?? .nan)) < 1e-12, "\(sample.name)")
            #expect(abs(gini.standardError / sample.gini_se - 1) < 0.08, "\(sample.name): \(gini.standardError) against \(sample.gini_se)")
            let n = sample.cents.count
            for (top, share, se) in [((n + 99) / 100, sample.top1_share, sample.top1_se), ((n + 9) / 10, sample.top10_share, sample.top10_se),
                                     ((n + 4) / 5, sample.top20_share, sample.top20_se)] {
                let estimate = try #require(InfluenceInterval.topShare(descending: descending, top: top))
                #expect(abs(estimate.value - share) < 1e-12, "\(sample.name) top \(top)")
                #expect(abs(estimate.standardError / se - 1) < 0.08, "\(sample.name) top \(top): \(estimate.standardError) against \(se)")
            }
        }
        for ratio in fixture.ratios {
            let estimate = try #require(InfluenceInterval.ratio(now: ratio.now.map(Double.init), base: ratio.base.map(Double.init)))
            #expect(abs(estimate.value - ratio.ratio) < 1e-12, "\(ratio.name)")
            #expect(abs(estimate.standardError / ratio.ratio_se - 1) < 0.08, "\(ratio.name): \(estimate.standardError) against \(ratio.ratio_se)")
        }
    }

    /// A lognormal with sigma 1 has Gini erf(sigma / 2) and top 10% share 1 - Phi(z_0.9 - sigma).
    /// The normal interval is a little short on so heavy a tail (about 92% and 91% at n = 400 in
    /// numpy's 4,000 samples); the auditor's must cover as often, within three standard deviations
    /// of the two coverages' difference (about 3 points). A standard error off by a fifth either way
    /// moves the coverage by four points or more.
    @Test("the 95% intervals of the Gini and the top 10% share cover a lognormal's true values as often as numpy's (about 92% and 91% of samples of 400)")
    func coverage() throws {
        let reference = try Self.fixture().coverage
        let sigma = reference.sigma
        let trueGini = erf(sigma / 2)
        let trueTop10 = 1 - 0.5 * erfc(-(1.2815515655446004 - sigma) / 2.0.squareRoot())
        var random = SplitMix64(seed: 2026)
        var giniCovered = 0, topCovered = 0
        let samples = 1_000
        for _ in 0..<samples {
            let descending = (0..<reference.n).map { _ in random.lognormal(mu: 0, sigma: sigma) }.sorted(by: >)
            if let gini = InfluenceInterval.gini(ascending: descending.reversed()),
               InfluenceInterval.interval(gini.value, standardError: gini.standardError).contains(trueGini) { giniCovered += 1 }
            if let top = InfluenceInterval.topShare(descending: descending, top: reference.n / 10),
               InfluenceInterval.interval(top.value, standardError: top.standardError).contains(trueTop10) { topCovered += 1 }
        }
        for (covered, expected) in [(giniCovered, reference.gini), (topCovered, reference.top10)] {
            let share = Double(covered) / Double(samples)
            let slack = 3 * (expected * (1 - expected) * (1 / Double(samples) + 1 / Double(reference.samples))).squareRoot()
            #expect(abs(share - expected) <= slack, "covered \(covered) of \(samples) against numpy's \(expected)")
        }
    }

    /// Below shape 2 a Pareto tail has no variance, and the normal interval of a top share is
    /// far too short (numpy: 70% at shape 1.5, 83% at 2, 88% at 3, samples of 500): the limit
    /// Documentation/metrics.md states, measured here on the auditor's own interval.
    @Test("on a Pareto tail the top 10% share's interval covers as rarely as numpy's (about 70% at shape 1.5, 88% at 3)")
    func paretoCoverage() throws {
        var random = SplitMix64(seed: 2027)
        for reference in try Self.fixture().pareto {
            var covered = 0
            let samples = 1_000
            for _ in 0..<samples {
                let descending = (0..<reference.n).map { _ in random.pareto(xMin: 1, alpha: reference.alpha) }.sorted(by: >)
                if let top = InfluenceInterval.topShare(descending: descending, top: reference.n / 10),
                   InfluenceInterval.interval(top.value, standardError: top.standardError).contains(reference.top10_true) { covered += 1 }
            }
            let share = Double(covered) / Double(samples)
            let slack = 3 * (reference.top10 * (1 - reference.top10) * (1 / Double(samples) + 1 / Double(reference.samples))).squareRoot()
            #expect(abs(share - reference.top10) <= slack, "shape \(reference.alpha): covered \(covered) of \(samples) against numpy's \(reference.top10)")
        }
    }

    @Test("equal values: Gini 0 with standard error 0; a share's interval stays within 0...1; too few units: no estimate")
    func edges() throws {
        let equal = try #require(InfluenceInterval.gini(ascending: Array(repeating: 5.0, count: 10)))
        #expect(equal.value == 0 && equal.standardError == 0)
        let one = try #require(InfluenceInterval.topShare(descending: [1_000, 1, 1], top: 1))
        let interval = InfluenceInterval.interval(one.value, standardError: one.standardError)
        #expect(interval.lowerBound >= 0 && interval.upperBound <= 1 && interval.contains(one.value))
        #expect(InfluenceInterval.gini(ascending: [3]) == nil && InfluenceInterval.gini(ascending: [0, 0]) == nil)
        #expect(InfluenceInterval.ratio(now: [1, 2], base: [0, 0]) == nil)
        #expect(InfluenceInterval.topShare(descending: [3, 2], top: 3) == nil)
    }
}
