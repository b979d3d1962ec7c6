import Testing
@testable import Auditor

@Suite("monthly churn mean")
struct MonthlyChurnTests {
    @Test("the mean of the monthly rates carries the unit-months at risk and the binomial interval of the mean")
    func meanAndInterval() throws {
        // Rates 0.1 and 0.1 over 100 and 200 at risk: var = (0.09 / 100 + 0.09 / 200) / 4.
        let measurement = ChurnMeasures.meanOfMonthlyRates(ended: [10, 20, 0], exposed: [100, 200, 0])
        #expect(measurement.n == 300)
        let value = try #require(measurement.value)
        #expect(abs(value - 0.1) < 1e-12)
        let interval = try #require(measurement.interval)
        let half = 1.959963984540054 * ((0.0009 + 0.00045) / 4).squareRoot()
        #expect(abs(interval.lowerBound - (0.1 - half)) < 1e-12 && abs(interval.upperBound - (0.1 + half)) < 1e-12)
    }
}
