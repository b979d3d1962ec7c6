import Foundation
import Testing
@testable import Auditor
import Generator

/// Reference values (scripts/reference/robust.py -> Fixtures/robust.json): numpy's median and scipy's
/// median_abs_deviation × 1.4826, scipy's theilslopes, PyAstronomy's generalizedESD with ubvar=True
/// (on Rosner's data, also checked against the NIST handbook's table), and a transcription of the ESD
/// loop of AnomalyDetection's detect_anoms for the hybrid statistic.
@Suite("RobustStatistics")
struct RobustStatisticsTests {
    struct Fixture: Decodable {
        struct Location: Decodable {
            var name: String
            var values: [Double]
            var median: Double
            var mad: Double
            var z: [Double]?
        }
        struct Line: Decodable {
            var name: String
            var x: [Double]
            var y: [Double]
            var slope: Double
            var intercept: Double
        }
        struct ESD: Decodable {
            var name: String
            var values: [Double]
            var max_outliers: Int
            var alpha: Double
            var count: Int
            var outliers: [Int]
            var removed: [Int]
            var R: [Double]
            var lambda: [Double]
        }
        struct Table: Decodable { var R: [Double]; var lambda: [Double] }
        var median_mad: [Location]
        var theil_sen: [Line]
        var esd_classic: [ESD]
        var esd_hybrid: [ESD]
        var nist_rosner: Table
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/robust.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    static func close(_ value: Double, _ expected: Double, relative: Double = 1e-9) -> Bool {
        abs(value - expected) <= relative * abs(expected)
    }

    // MARK: - Reference values

    @Test("median and MAD match numpy and scipy × 1.4826 to 1e-9; z-scores match, MAD 0 falling back to the mean deviation")
    func location() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.median_mad.map(\.name) == ["odd", "even", "ties", "outlier", "mad_zero", "constant", "single"])
        for item in fixture.median_mad {
            let median = try #require(Robust.median(item.values))
            let mad = try #require(Robust.mad(item.values))
            #expect(Self.close(median, item.median), "\(item.name) median \(median) vs \(item.median)")
            #expect(Self.close(mad, item.mad), "\(item.name) mad \(mad) vs \(item.mad)")
            let z = Robust.zScores(item.values)
            #expect((z == nil) == (item.z == nil), "\(item.name) z")
            if let z, let expected = item.z {
                #expect(z.count == expected.count)
                for (value, reference) in zip(z, expected) {
                    #expect(Self.close(value, reference), "\(item.name) z \(value) vs \(reference)")
                }
            }
        }
    }

    @Test("Theil-Sen slope and intercept match scipy.stats.theilslopes to 1e-9")
    func theilSen() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.theil_sen.map(\.x.count) == [24, 24, 30, 40, 731])
        for item in fixture.theil_sen {
            let fit = try #require(TheilSen.fit(x: item.x, y: item.y), "\(item.name)")
            #expect(Self.close(fit.slope, item.slope), "\(item.name) slope \(fit.slope) vs \(item.slope)")
            #expect(Self.close(fit.intercept, item.intercept), "\(item.name) intercept \(fit.intercept) vs \(item.intercept)")
        }
    }

    static func check(_ result: GeneralizedESD.Result, _ item: Fixture.ESD) {
        #expect(result.outliers == item.outliers, "\(item.name) outliers \(result.outliers) vs \(item.outliers)")
        #expect(result.outliers.count == item.count, "\(item.name) count")
        #expect(result.steps.map(\.index) == item.removed, "\(item.name) removed")
        #expect(result.steps.count == item.R.count && result.steps.count == item.lambda.count, "\(item.name) steps")
        for (step, (r, lambda)) in zip(result.steps, zip(item.R, item.lambda)) {
            #expect(close(step.statistic, r), "\(item.name) R \(step.statistic) vs \(r)")
            #expect(close(step.critical, lambda), "\(item.name) lambda \(step.critical) vs \(lambda)")
        }
    }

    @Test("classic ESD: outliers and removal order exact, R and λ match PyAstronomy (ubvar=True) to 1e-9")
    func classic() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.esd_classic.count == 5)
        for item in fixture.esd_classic {
            Self.check(GeneralizedESD.test(item.values, maxOutliers: item.max_outliers, alpha: item.alpha, statistic: .classic), item)
        }
    }

    @Test("classic ESD on Rosner's data reproduces the NIST handbook's table (cut to 3 decimals) and its 3 outliers")
    func nist() throws {
        let fixture = try #require(Self.fixture)
        let rosner = try #require(fixture.esd_classic.first { $0.name == "rosner" })
        #expect(rosner.values.count == 54)
        let result = GeneralizedESD.test(rosner.values, maxOutliers: 10, statistic: .classic)
        #expect(result.outliers == [53, 52, 51])
        #expect(result.steps.count == 10)
        for (step, (r, lambda)) in zip(result.steps, zip(fixture.nist_rosner.R, fixture.nist_rosner.lambda)) {
            #expect(step.statistic - r >= 0 && step.statistic - r < 1e-3, "R \(step.statistic) vs \(r)")
            #expect(step.critical - lambda >= 0 && step.critical - lambda < 1e-3, "λ \(step.critical) vs \(lambda)")
        }
    }

    @Test("hybrid ESD: outliers and removal order exact, R and λ match the detect_anoms transcription to 1e-9")
    func hybrid() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.esd_hybrid.count == 5)
        for item in fixture.esd_hybrid {
            Self.check(GeneralizedESD.test(item.values, maxOutliers: item.max_outliers, alpha: item.alpha), item)
        }
    }

    // MARK: - Properties

    @Test("median, MAD and z-scores: nil when empty, closed forms on small inputs")
    func smallInputs() throws {
        #expect(Robust.median([]) == nil && Robust.mad([]) == nil && Robust.zScores([]) == nil)
        #expect(Robust.median([4, 1, 3]) == 3 && Robust.median([4, 1, 3, 2]) == 2.5)
        #expect(Robust.mad([1, 2, 3, 4, 100]) == 1.4826)
        #expect(Robust.zScores([5, 5, 5]) == nil)
        // MAD 0: the scale is 1.253314 × mean |x - 1| = 1.253314 × 2 / 5.
        let z = try #require(Robust.zScores([1, 1, 1, 3, 1]))
        #expect(abs(z[3] - 2 / (1.253314 * 0.4)) < 1e-12 && z[0] == 0)
    }

    @Test("z-scores do not change when the values are shifted or scaled by a positive factor", arguments: 0..<10)
    func zScoreInvariance(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let count = 5 + generator.nextInt(below: 60)
        // Every third sample is mostly one value, so its MAD is 0 and the fallback scale is used.
        let values = (0..<count).map { _ in seed % 3 == 0 && generator.nextUnit() < 0.7 ? 2 : 10 * generator.uniform(-1, 1) }
        let z = try #require(Robust.zScores(values))
        for (shift, factor) in [(-250.0, 0.5), (1_000, 3), (0, 1e4), (17.25, 1e-3)] {
            let moved = try #require(Robust.zScores(values.map { shift + factor * $0 }))
            for (a, b) in zip(z, moved) { #expect(abs(a - b) <= 1e-9 * max(1, abs(a)), "\(shift) + \(factor) x: \(a) vs \(b)") }
        }
    }

    @Test("Theil-Sen is exact on a noiseless line and needs two distinct x")
    func theilSenExact() throws {
        // Dyadic slope and intercept on integer x: every pairwise slope and the medians are exact.
        var generator = SplitMix64(seed: 5)
        var x = (0..<50).map { Double($0) }
        for i in stride(from: x.count - 1, to: 0, by: -1) { x.swapAt(i, generator.nextInt(below: i + 1)) }
        let fit = try #require(TheilSen.fit(x: x, y: x.map { -3.5 + 0.75 * $0 }))
        #expect(fit == TheilSen(slope: 0.75, intercept: -3.5))
        #expect(fit.value(at: 10) == 4)
        let decimal = try #require(TheilSen.fit(x: x + x, y: (x + x).map { 0.1 + 0.3 * $0 }))
        #expect(abs(decimal.slope - 0.3) < 1e-12 && abs(decimal.intercept - 0.1) < 1e-12)
        #expect(TheilSen.fit(x: [], y: []) == nil)
        #expect(TheilSen.fit(x: [2], y: [1]) == nil)
        #expect(TheilSen.fit(x: [2, 2, 2], y: [1, 5, 3]) == nil)
        #expect(TheilSen.fit(x: [1, 2, 3], y: [1, 2]) == nil)
        #expect(TheilSen.fit(x: [2, 2, 3], y: [1, 5, 3]) == TheilSen(slope: 0, intercept: 3))
    }

    @Test("Theil-Sen keeps the slope within 2% when a quarter of a long series is replaced by huge values", arguments: 0..<5)
    func theilSenBreakdown(seed: Int) throws {
        var generator = SplitMix64(seed: 1_000 + UInt64(seed))
        let x = (0..<731).map { Double($0) }
        var y = x.map { 20 + 0.3 * $0 + 2 * generator.uniform(-1, 1) }
        var positions = Set<Int>()
        while positions.count < 731 / 4 { positions.insert(generator.nextInt(below: 731)) }
        for position in positions.sorted() { y[position] = (generator.nextUnit() < 0.5 ? -1 : 1) * 1e6 * (1 + generator.nextUnit()) }
        let fit = try #require(TheilSen.fit(x: x, y: y))
        #expect(abs(fit.slope - 0.3) < 0.02 * 0.3, "slope \(fit.slope)")
        // Not the intercept: scipy's median(y) - slope median(x) moves with median(y), which a few more huge
        // values of one sign than of the other push along the trend (by 4 at x = 365 for seed 0).
    }

    @Test("ESD finds exactly the injected outliers, and none on the clean series, with either statistic", arguments: 0..<20)
    func esdRecovery(seed: Int) {
        var generator = SplitMix64(seed: 77 &+ UInt64(seed) &* 1_000_003)
        let count = 40 + 7 * seed
        let spread = Double(1 + seed % 3)
        // Uniform noise: no clean point is farther than about √3 standard deviations (or 1.35 MADs, for
        // the population) from the center, well under every λ for n ≥ 40 (about 2.9), so the clean series
        // have no outliers by construction, not by luck of the seed.
        let clean = (0..<count).map { _ in 50 + Double(seed) + spread * generator.uniform(-1, 1) }
        var injected = Set<Int>()
        while injected.count < 1 + seed % 5 { injected.insert(generator.nextInt(below: count)) }
        var values = clean
        for index in injected.sorted() { values[index] += (generator.nextUnit() < 0.5 ? -1 : 1) * spread * (12 + 10 * generator.nextUnit()) }
        for statistic in [GeneralizedESD.Statistic.classic, .hybrid] {
            #expect(GeneralizedESD.test(clean, maxOutliers: 10, statistic: statistic).outliers.isEmpty, "\(statistic) clean")
            let result = GeneralizedESD.test(values, maxOutliers: 10, statistic: statistic)
            #expect(result.outliers.count == injected.count && Set(result.outliers) == injected,
                    "\(statistic) \(result.outliers) vs \(injected.sorted())")
            #expect(result.steps.count == 10)
        }
    }

    @Test("ESD: no steps for maxOutliers 0 or fewer than 3 values; stops once the scale is 0")
    func esdEdges() throws {
        let values = [1.0, 2, 3, 2, 1, 40, 2, 3]
        for statistic in [GeneralizedESD.Statistic.classic, .hybrid] {
            #expect(GeneralizedESD.test(values, maxOutliers: 0, statistic: statistic) == GeneralizedESD.Result(outliers: [], steps: []))
            #expect(GeneralizedESD.test(values, maxOutliers: -3, statistic: statistic).steps.isEmpty)
            #expect(GeneralizedESD.test([1, 50], maxOutliers: 5, statistic: statistic).steps.isEmpty)
            #expect(GeneralizedESD.test([], maxOutliers: 5, statistic: statistic).steps.isEmpty)
            #expect(GeneralizedESD.test(values, maxOutliers: 1, statistic: statistic).outliers == [5])
            // Five values: three steps leave two, where the loop stops.
            #expect(GeneralizedESD.test([1, 2, 4, 7, 11], maxOutliers: 10, statistic: statistic).steps.count == 3)
        }
        // Once the 9 is gone the rest are equal: the classic test stops after one step.
        let constant = GeneralizedESD.test([1, 1, 1, 1, 1, 9], maxOutliers: 3, statistic: .classic)
        #expect(constant.steps.count == 1 && constant.outliers == [5])
        // Most values equal: the MAD is 0 from the start.
        #expect(GeneralizedESD.test([1, 1, 1, 1, 1, 9], maxOutliers: 3, statistic: .hybrid).steps.isEmpty)
    }
}
