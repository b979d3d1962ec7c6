import Foundation
import Testing
@testable import Generator

/// Distribution shape over many draws: Kolmogorov-Smirnov against the exact CDF where it has a
/// closed form, moments otherwise. Critical values at alpha = 0.001 (1.95 / sqrt(n)); the seeds
/// are fixed, so a pass is reproducible, and a wrong mapping fails by a wide margin.
@Suite("distributions")
struct DistributionTests {
    static let draws = 50_000

    /// The KS statistic of `sample` against `cdf`.
    static func ksStatistic(_ sample: [Double], _ cdf: (Double) -> Double) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var statistic = 0.0
        for (index, value) in sorted.enumerated() {
            let f = cdf(value)
            statistic = max(statistic, f - Double(index) / n, Double(index + 1) / n - f)
        }
        return statistic
    }

    static let ksCritical = 1.95 / Double(draws).squareRoot()

    static func sample(seed: UInt64, _ draw: (inout Xoshiro256StarStar) -> Double) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<draws).map { _ in draw(&rng) }
    }

    static func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance)
    }

    @Test("uniform")
    func uniform() {
        let values = Self.sample(seed: 11) { $0.uniform(2, 5) }
        #expect(Self.ksStatistic(values) { min(max(($0 - 2) / 3, 0), 1) } < Self.ksCritical)
    }

    @Test("normal")
    func normal() {
        let values = Self.sample(seed: 12) { $0.normal(mean: 1, standardDeviation: 2) }
        #expect(Self.ksStatistic(values) { 0.5 * erfc(-($0 - 1) / (2 * 2.0.squareRoot())) } < Self.ksCritical)
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - 1) < 0.05)
        #expect(abs(variance - 4) < 0.1)
    }

    @Test("lognormal")
    func lognormal() {
        let values = Self.sample(seed: 13) { $0.lognormal(mu: 0.5, sigma: 0.8) }
        #expect(Self.ksStatistic(values) { 0.5 * erfc(-(log($0) - 0.5) / (0.8 * 2.0.squareRoot())) } < Self.ksCritical)
    }

    @Test("exponential")
    func exponential() {
        let values = Self.sample(seed: 14) { $0.exponential(rate: 3) }
        #expect(Self.ksStatistic(values) { 1 - exp(-3 * $0) } < Self.ksCritical)
    }

    @Test("Pareto")
    func pareto() {
        let values = Self.sample(seed: 15) { $0.pareto(xMin: 2, alpha: 1.5) }
        #expect(values.allSatisfy { $0 >= 2 })
        #expect(Self.ksStatistic(values) { 1 - pow(2 / $0, 1.5) } < Self.ksCritical)
    }

    @Test("gamma: KS for shape 1 (exponential), moments for shapes below and above 1",
          arguments: [0.5, 1.0, 2.5, 9.0])
    func gamma(shape: Double) {
        let values = Self.sample(seed: 16) { $0.gamma(shape: shape, scale: 2) }
        if shape == 1 {
            #expect(Self.ksStatistic(values) { 1 - exp(-$0 / 2) } < Self.ksCritical)
        }
        let (mean, variance) = Self.moments(values)
        let expectedVariance = shape * 4
        #expect(abs(mean - shape * 2) < 4 * (expectedVariance / Double(Self.draws)).squareRoot())
        #expect(abs(variance / expectedVariance - 1) < 0.06)
    }

    @Test("beta: KS where the CDF is closed-form, moments otherwise")
    func beta() {
        let ascending = Self.sample(seed: 17) { $0.beta(2, 1) }
        #expect(Self.ksStatistic(ascending) { min(max($0 * $0, 0), 1) } < Self.ksCritical)
        let descending = Self.sample(seed: 18) { $0.beta(1, 3) }
        #expect(Self.ksStatistic(descending) { 1 - pow(1 - min(max($0, 0), 1), 3) } < Self.ksCritical)
        let general = Self.sample(seed: 19) { $0.beta(2.5, 4) }
        let (mean, variance) = Self.moments(general)
        #expect(abs(mean - 2.5 / 6.5) < 0.005)
        #expect(abs(variance - 2.5 * 4 / (6.5 * 6.5 * 7.5)) < 0.001)
    }

    @Test("Poisson: mean, variance and P(0) on both sides of the method switch",
          arguments: [0.7, 4.0, 29.0, 30.0, 120.0, 5_000.0])
    func poisson(mean lambda: Double) {
        var rng = Xoshiro256StarStar(seed: UInt64(lambda * 10))
        let values = (0..<Self.draws).map { _ in Double(rng.poisson(mean: lambda)) }
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - lambda) < 4 * (lambda / Double(Self.draws)).squareRoot())
        #expect(abs(variance / lambda - 1) < 0.05)
        if lambda < 5 {
            let zeros = Double(values.filter { $0 == 0 }.count) / Double(Self.draws)
            #expect(abs(zeros - exp(-lambda)) < 0.01)
        }
    }

    @Test("categorical frequencies follow the weights")
    func categorical() {
        let distribution = Categorical(weights: [25, 20, 18, 15, 10, 7, 5])
        var rng = Xoshiro256StarStar(seed: 20)
        var counts = Array(repeating: 0, count: 7)
        for _ in 0..<Self.draws { counts[distribution.sample(using: &rng)] += 1 }
        var chiSquare = 0.0
        for index in 0..<7 {
            let expected = distribution.probability(index) * Double(Self.draws)
            chiSquare += pow(Double(counts[index]) - expected, 2) / expected
        }
        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
        #expect(chiSquare < 22.46)
        #expect(Categorical(weights: [0, 1, 0]).sample(using: &rng) == 1)
    }

    @Test("apportion sums exactly and stays within one of each share")
    func apportionment() {
        #expect(apportion(500, weights: [0.5, 0.35, 0.15]) == [250, 175, 75])
        #expect(apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        var rng = Xoshiro256StarStar(seed: 21)
        for _ in 0..<200 {
            let weights = (0..<rng.nextInt(in: 1...12)).map { _ in rng.uniform(0.01, 1) }
            let total = rng.nextInt(below: 10_000)
            let counts = apportion(total, weights: weights)
            #expect(counts.reduce(0, +) == total)
            let sum = weights.reduce(0, +)
            for (count, weight) in zip(counts, weights) {
                #expect(abs(Double(count) - Double(total) * weight / sum) < 1)
            }
        }
    }

    @Test("dates are uniform over the range and inside it")
    func dates() {
        var rng = Xoshiro256StarStar(seed: 22)
        let range = CivilDateRange.window
        var counts = [Int: Int]()
        for _ in 0..<Self.draws {
            let date = rng.date(in: range)
            #expect(range.contains(date))
            counts[date.month, default: 0] += 1
        }
        // February holds 28 + 29 of the 731 days.
        let february = Double(counts[2] ?? 0) / Double(Self.draws)
        #expect(abs(february - 57.0 / 731.0) < 0.005)
    }
}

import TableIO

enum CivilDateRange {
    static let window = CivilDate(year: 2023, month: 1, day: 1)...CivilDate(year: 2024, month: 12, day: 31)
}
