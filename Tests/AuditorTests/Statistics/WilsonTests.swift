import Foundation
import Testing
@testable import Auditor

/// Reference values: statsmodels' proportion_confint(method="wilson"), computed by
/// scripts/reference/wilson.py into Fixtures/wilson.json.
@Suite("Wilson interval")
struct WilsonTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var successes: Int
            var n: Int
            var lower: Double
            var upper: Double
        }
        var cases: [Case]
    }

    @Test("matches statsmodels to 1e-9")
    func reference() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/wilson.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 12)
        for item in fixture.cases {
            let interval = Wilson.interval(successes: item.successes, n: item.n)
            #expect(abs(interval.lowerBound - item.lower) < 1e-9, "\(item.successes)/\(item.n)")
            #expect(abs(interval.upperBound - item.upper) < 1e-9, "\(item.successes)/\(item.n)")
        }
    }

    @Test("contains the proportion and narrows as n grows", arguments: [1, 10, 100, 1_000, 100_000])
    func properties(n: Int) {
        for successes in [0, n / 3, n / 2, n] {
            let interval = Wilson.interval(successes: successes, n: n)
            let p = Double(successes) / Double(n)
            #expect(interval.contains(p) && interval.lowerBound >= 0 && interval.upperBound <= 1)
        }
        #expect(Wilson.interval(successes: n / 2, n: n).upperBound - Wilson.interval(successes: n / 2, n: n).lowerBound
                >= Wilson.interval(successes: n * 5, n: n * 10).upperBound - Wilson.interval(successes: n * 5, n: n * 10).lowerBound)
    }
}
