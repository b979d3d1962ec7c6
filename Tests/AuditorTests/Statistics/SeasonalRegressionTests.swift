import Foundation
import Testing
@testable import Auditor

/// Reference values: statsmodels' OLS and scipy's t quantiles (scripts/reference/seasonal_ols.py
/// -> Fixtures/seasonal_ols.json).
@Suite("seasonal regression")
struct SeasonalRegressionTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var values: [Double]
            var months: [Int]
            var params: [Double]
            var bse: [Double]
            var ci_lower: [Double]
            var ci_upper: [Double]
            var df_resid: Int
        }
        struct Quantile: Decodable { var p: Double; var df: Double; var t: Double }
        var cases: [Case]
        var quantiles: [Quantile]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/seasonal_ols.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    @Test("coefficients, standard errors and 95% intervals match statsmodels to 1e-9")
    func reference() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.cases.count == 3)
        for item in fixture.cases {
            let fit = try #require(LeastSquares.fit(rows: SeasonalLifts.design(item.months), y: item.values.map { Foundation.log($0) }))
            #expect(fit.residualDegreesOfFreedom == item.df_resid)
            for j in 0..<5 {
                #expect(abs(fit.coefficients[j] - item.params[j]) < 1e-9, "\(item.name) b\(j)")
                #expect(abs(fit.standardErrors[j] - item.bse[j]) < 1e-9, "\(item.name) se\(j)")
                #expect(abs(fit.interval(j).lowerBound - item.ci_lower[j]) < 1e-9, "\(item.name) lower\(j)")
                #expect(abs(fit.interval(j).upperBound - item.ci_upper[j]) < 1e-9, "\(item.name) upper\(j)")
            }
            let lifts = try #require(SeasonalLifts.model(item.values, months: item.months))
            #expect(abs(lifts.q4.value - (Foundation.exp(item.params[2]) - 1)) < 1e-9)
            #expect(abs(lifts.q4.interval.lowerBound - (Foundation.exp(item.ci_lower[2]) - 1)) < 1e-9)
        }
    }

    @Test("Student t quantiles match scipy to 1e-9")
    func quantiles() throws {
        let fixture = try #require(Self.fixture)
        for item in fixture.quantiles {
            #expect(abs(StudentT.quantile(item.p, df: item.df) - item.t) < 1e-9 * max(1, abs(item.t)), "t(\(item.p), \(item.df))")
        }
    }

    @Test("lifts of series built with known lifts are recovered exactly without noise, and within the interval with it")
    func recovery() throws {
        let months = (0..<36).map { $0 % 12 + 1 }
        var covered = 0
        for seed in 0..<40 {
            var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
            func normal() -> Double {
                func uniform() -> Double {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
                }
                return (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
            }
            let q4 = 0.1 + Double(seed % 5) * 0.05
            let clean = months.enumerated().map { index, month in
                300 * Foundation.exp(0.02 * Double(index)) * (month >= 10 ? 1 + q4 : 1) * (month == 1 ? 1.1 : 1) * ((6...8).contains(month) ? 0.93 : 1)
            }
            let exact = try #require(SeasonalLifts.model(clean, months: months))
            #expect(abs(exact.q4.value - q4) < 1e-9 && abs(exact.january.value - 0.1) < 1e-9 && abs(exact.summer.value + 0.07) < 1e-9)
            let noisy = clean.map { $0 * Foundation.exp(0.05 * normal()) }
            let fit = try #require(SeasonalLifts.model(noisy, months: months))
            if fit.q4.interval.contains(q4) { covered += 1 }
        }
        // A 95% interval covers the truth in about 38 of 40 series; fewer than 33 would be a defect.
        #expect(covered >= 33, "covered \(covered) of 40")
    }
}
