import Foundation
import Testing
@testable import Auditor
import Generator

/// Reference values: the powerlaw package's Fit and distribution_compare('power_law', 'lognormal',
/// normalized_ratio=True) (scripts/reference/power_law.py -> Fixtures/power_law.json), on a Pareto
/// sample, a lognormal one, a lognormal body with a Pareto tail, and a small heavy-tailed sample
/// with ties (α near 1.4).
@Suite("Power-law fit")
struct PowerLawTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var values: [Double]
            var xmin: Double
            var alpha: Double
            var sigma: Double
            var n_tail: Int
            var D: Double
            var R: Double
            var p: Double
        }
        var cases: [Case]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/power_law.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    static func close(_ value: Double, _ expected: Double, relative: Double = 1e-4) -> Bool {
        abs(value - expected) <= relative * abs(expected)
    }

    @Test("xmin and tail size exact; alpha, its error, D, R and p match powerlaw to 1e-4")
    func reference() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.cases.map(\.name) == ["pareto", "lognormal", "mixture", "ties"])
        for item in fixture.cases {
            let fit = try #require(PowerLawFit(item.values), "\(item.name)")
            #expect(fit.xmin == item.xmin, "\(item.name) xmin")
            #expect(fit.tailCount == item.n_tail, "\(item.name) n_tail")
            #expect(Self.close(fit.alpha, item.alpha), "\(item.name) alpha \(fit.alpha) vs \(item.alpha)")
            #expect(Self.close(fit.standardError, item.sigma), "\(item.name) sigma \(fit.standardError) vs \(item.sigma)")
            #expect(Self.close(fit.ksDistance, item.D), "\(item.name) D \(fit.ksDistance) vs \(item.D)")
            #expect(Self.close(fit.lognormalComparison.ratio, item.R), "\(item.name) R \(fit.lognormalComparison.ratio) vs \(item.R)")
            #expect(Self.close(fit.lognormalComparison.p, item.p), "\(item.name) p \(fit.lognormalComparison.p) vs \(item.p)")
        }
    }

    /// Pareto by inverse CDF: x = xmin u^(-1/(α-1)).
    static func pareto(alpha: Double, xmin: Double, count: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in xmin * pow(generator.nextOpenUnit(), -1 / (alpha - 1)) }
    }

    @Test("recovers the exponent of a Pareto sample within three standard errors", arguments: 0..<20)
    func recovery(seed: Int) throws {
        let alpha = 2.5
        let values = Self.pareto(alpha: alpha, xmin: 2, count: 1_000, seed: UInt64(seed))
        let fit = try #require(PowerLawFit(values))
        #expect(abs(fit.alpha - alpha) < 3 * fit.standardError, "alpha \(fit.alpha) ± \(fit.standardError)")
        #expect(fit.xmin >= 2 && fit.tailCount == values.filter { $0 >= fit.xmin }.count)
        #expect(abs(fit.standardError - (fit.alpha - 1) / Double(fit.tailCount).squareRoot()) < 1e-15)
        #expect(fit.ksDistance > 0 && fit.ksDistance < 0.1)
        #expect(fit.lognormalComparison.p >= 0 && fit.lognormalComparison.p <= 1)
    }

    @Test("the order of the values does not matter; non-positive ones are dropped")
    func invariance() throws {
        let values = Self.pareto(alpha: 2.2, xmin: 1, count: 300, seed: 99)
        let fit = try #require(PowerLawFit(values))
        let shuffled = try #require(PowerLawFit(values.reversed() + [0, -3, .nan]))
        #expect(fit.xmin == shuffled.xmin && fit.alpha == shuffled.alpha && fit.ksDistance == shuffled.ksDistance)
        #expect(fit.lognormalComparison.ratio == shuffled.lognormalComparison.ratio)
    }

    @Test("too few values, or too few distinct ones, give no fit")
    func degenerate() {
        let values = Self.pareto(alpha: 2.5, xmin: 1, count: 50, seed: 7)
        #expect(PowerLawFit(Array(values.prefix(PowerLawFit.minimumCount - 1))) == nil)
        #expect(PowerLawFit(Array(values.prefix(PowerLawFit.minimumCount - 1)) + [0, 0, -1]) == nil)
        #expect(PowerLawFit(Array(values.prefix(PowerLawFit.minimumCount))) != nil)
        #expect(PowerLawFit(Array(repeating: 3, count: 40) + Array(repeating: 5, count: 40) + [8]) == nil)
        #expect(PowerLawFit([]) == nil)
    }
}
