import Foundation
import Testing
@testable import Auditor
import Generator
import TableIO

/// Reference values: scipy's binomial tails (betainc for continuous counts) and statsmodels'
/// Benjamini-Hochberg, computed by scripts/reference/slice_scan.py into Fixtures/slice_scan.json;
/// then the scan on daily failure series with known incidents.
@Suite("slice scan")
struct SliceScanTests {
    struct Fixture: Decodable {
        struct Tail: Decodable {
            var k: Double
            var n: Double
            var rate: Double
            var two_sided: Double
        }
        struct Set: Decodable {
            var q: Double
            var p: [Double]
            var rejected: [Bool]
        }
        var tails: [Tail]
        var bh: [Set]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/slice_scan.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test("two-sided binomial tails, integer and continuous counts, match scipy to 1e-9 (relative)")
    func tails() throws {
        let fixture = try Self.fixture()
        #expect(fixture.tails.count == 12)
        for tail in fixture.tails {
            let ours = SliceScan.binomialTwoSided(tail.k, tail.n, rate: tail.rate)
            #expect(abs(ours - tail.two_sided) <= 1e-9 * max(tail.two_sided, 1e-300) || abs(ours - tail.two_sided) < 1e-15,
                    "k \(tail.k) n \(tail.n) rate \(tail.rate): \(ours) vs \(tail.two_sided)")
        }
    }

    @Test("Benjamini-Hochberg rejects exactly what statsmodels' fdr_bh rejects (ties included)")
    func benjaminiHochberg() throws {
        for set in try Self.fixture().bh {
            let tests = set.p.enumerated().map { SliceScan.Test(slice: 0, point: $0, z: 0, p: $1) }
            let rejected = Swift.Set(SliceScan.discoveries(tests, tests: tests.count, q: set.q).map(\.point))
            #expect(rejected == Swift.Set(set.rejected.indices.filter { set.rejected[$0] }), "q \(set.q), \(set.p.count) p-values")
        }
    }

    /// A year of daily payment attempts in three methods, 900 a day on days 1-3 of each month and
    /// 120 on the others, failing at 7%; `outage` raises the failure rate of the given methods on
    /// the given days. (Days are tested one by one: a slice of a dozen attempts a day needs a
    /// larger effect than a billing day's hundreds.)
    static func series(seed: UInt64, outage: (days: ClosedRange<Int>, methods: [Int], rate: Double)? = nil) -> SurfaceSeries {
        var random = SplitMix64(seed: seed)
        let methods = ["card", "paypal", "apple_pay"]
        let share = [0.6, 0.3, 0.1]
        let first = CivilDate(year: 2024, month: 1, day: 1)
        let days = (0..<366).map { first.adding(days: $0) }
        var attempts = Array(repeating: Array(repeating: 0.0, count: days.count), count: methods.count)
        var failures = attempts
        for (point, day) in days.enumerated() {
            let volume = day.day <= 3 ? 900.0 : 120.0
            for method in methods.indices {
                let n = Int(volume * share[method])
                var rate = 0.07
                if let outage, outage.days.contains(point), outage.methods.contains(method) { rate = outage.rate }
                var failed = 0
                for _ in 0..<n where random.nextUnit() < rate { failed += 1 }
                attempts[method][point] = Double(n)
                failures[method][point] = Double(failed)
            }
        }
        let attemptsByMethod = attempts, failuresByMethod = failures
        let dimension = SurfaceSeries.Dimension(name: "payment_method", values: methods,
                                                numerator: { failuresByMethod[$0][$1] }, denominator: { attemptsByMethod[$0][$1] })
        return SurfaceSeries(id: "daily_payment_failure_rate", title: "Daily payment failure rate", form: .rate, unit: .share, daily: true,
                             keys: days.map(\.description), days: days,
                             numerator: days.indices.map { point in methods.indices.reduce(0.0) { $0 + failures[$1][point] } },
                             denominator: days.indices.map { point in methods.indices.reduce(0.0) { $0 + attempts[$1][point] } },
                             dimensions: [dimension])
    }

    @Test("clean data over ten seeds: at most one incident in all of them (a false discovery rate of 1%)")
    func clean() {
        let incidents = (1...10).map { SliceScan.incidents([Self.series(seed: $0)]).incidents.count }
        #expect(incidents.reduce(0, +) <= 1, "\(incidents)")
    }

    @Test("a PayPal outage on two billing days is one incident on those days, caused by payment_method = paypal; a mid-month one too")
    func methodOutage() {
        for (seed, days) in [(UInt64(3), 121...122), (4, 196...197)] {  // 2024-05-01..02; 2024-07-15..16
            let (incidents, _, _) = SliceScan.incidents([Self.series(seed: seed, outage: (days, [1], 0.4))])
            let first = incidents.first
            #expect(first?.cause == ["payment_method": "paypal"], "\(incidents.map(\.answer))")
            #expect(first.map { $0.start <= days.lowerBound.description(from: 2024) && $0.end >= days.upperBound.description(from: 2024) } == true,
                    "\(String(describing: first?.start)) .. \(String(describing: first?.end))")
            #expect((first?.causeExcess ?? 0) > 0)
        }
    }

    @Test("an outage of every method is platform-wide, not credited to the largest method")
    func platformOutage() {
        let (incidents, _, _) = SliceScan.incidents([Self.series(seed: 5, outage: (121...122, [0, 1, 2], 0.4))])
        #expect(incidents.first?.cause == [:], "\(incidents.map(\.answer))")
        #expect(incidents.first?.start == "2024-05-01")
    }
}

private extension Int {
    /// The date of day `self` of the year that starts on January 1st of `year`.
    func description(from year: Int) -> String { CivilDate(year: year, month: 1, day: 1).adding(days: self).description }
}
