import Foundation
import Testing
@testable import Auditor
import Generator
import TableIO

/// Reference values: scipy's binomial tails (betainc for continuous counts), statsmodels'
/// Benjamini-Hochberg and its exact conditional test of two Poisson rates, computed by
/// scripts/reference/slice_scan.py into Fixtures/slice_scan.json; then the scan on daily failure
/// and count series with known incidents.
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
        struct Count: Decodable {
            var k: Double
            var reference_total: Double
            var reference_days: Int
            var two_sided: Double
        }
        var tails: [Tail]
        var bh: [Set]
        var counts: [Count]
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

    @Test("a day's count against its reference days: the p-value of statsmodels' exact conditional Poisson test to 1e-9 (relative)")
    func counts() throws {
        let fixture = try Self.fixture()
        #expect(fixture.counts.count == 10)
        for count in fixture.counts {
            // The day in the middle of its m reference days, each holding R / m.
            let m = count.reference_days
            var numerator = Array(repeating: count.reference_total / Double(m), count: m + 1)
            numerator[m / 2] = count.k
            let references = (0...m).map { point in point == m / 2 ? (0...m).filter { $0 != m / 2 }.map { [$0] } : [] }
            let slice = ScanSlice(family: "f", title: "f", unit: .count, conditions: [], numerator: numerator, denominator: nil, cycle: .billing)
            let model = SliceScan.expectation(slice, references: references)
            let point = m / 2
            if count.k + count.reference_total < SliceScan.minimumEvents {
                #expect(model.expected[point].isNaN)
                continue
            }
            #expect(abs(model.expected[point] - count.reference_total / Double(m)) < 1e-12)
            let ours = SliceScan.binomialTwoSided(count.k, model.trials[point], rate: model.rates[point])
            #expect(abs(ours - count.two_sided) <= 1e-9 * max(count.two_sided, 1e-300),
                    "k \(count.k) R \(count.reference_total) m \(m): \(ours) vs \(count.two_sided)")
        }
    }

    @Test("billing references carry the same anniversaries: February's 28th against the 28th-31st, a 31st only against 31sts, a 30th against 30th-31st")
    func billingGroups() {
        let first = CivilDate(year: 2023, month: 1, day: 1)
        let days = (0..<365).map { first.adding(days: $0) }
        let groups = SliceScan.referenceGroups(days, cycle: .billing)
        func dates(_ point: Int) -> [[String]] { groups[point].map { $0.map { days[$0].description } } }
        // 2023-02-28: January and March (31 days) give four days each, April (30) three, May four.
        #expect(dates(58) == [["2023-01-28", "2023-01-29", "2023-01-30", "2023-01-31"],
                              ["2023-03-28", "2023-03-29", "2023-03-30", "2023-03-31"],
                              ["2023-04-28", "2023-04-29", "2023-04-30"],
                              ["2023-05-28", "2023-05-29", "2023-05-30", "2023-05-31"]])
        // 2023-03-31: only 31-day months.
        #expect(dates(89) == [["2023-01-31"], ["2023-05-31"]])
        // 2023-04-30: a 31-day month's 30th and 31st, a 30-day month's 30th; not February.
        #expect(dates(119) == [["2023-01-30", "2023-01-31"], ["2023-03-30", "2023-03-31"], ["2023-05-30", "2023-05-31"],
                               ["2023-06-30"], ["2023-07-30", "2023-07-31"]])
        // The 15th: the 15th of each month around it, never a day within the guard.
        #expect(dates(165) == [["2023-03-15"], ["2023-04-15"], ["2023-05-15"], ["2023-07-15"], ["2023-08-15"], ["2023-09-15"]])
    }

    /// Two years of daily events in three categories growing by half over the window, lower at
    /// weekends and higher at the turn of the month, overdispersed (a day's mean varies
    /// by 5%, log-normal); `collapse` removes a share of one category's events on some days.
    /// `level` and `sigma` set the platform's daily events and that variation; `ownNoise` gives
    /// each category its own day-to-day variation (posts that draw a burst in one category).
    static func events(seed: UInt64, collapse: (days: ClosedRange<Int>, category: Int, share: Double)? = nil,
                       level base: Double = 2_000, sigma: Double = 0.05, ownNoise: Bool = false) -> SurfaceSeries {
        var random = SplitMix64(seed: seed)
        let categories = ["music", "games", "video"]
        let share = [0.5, 0.3, 0.2]
        let first = CivilDate(year: 2023, month: 1, day: 1)
        let days = (0..<731).map { first.adding(days: $0) }
        var counts = Array(repeating: Array(repeating: 0.0, count: days.count), count: categories.count)
        for (point, day) in days.enumerated() {
            let weekend = (day.dayNumber % 7 + 7) % 7 >= 2 && (day.dayNumber % 7 + 7) % 7 <= 3  // 1970-01-03 was a Saturday
            let turn = day.day == 1 || day.day == day.yearMonth.dayCount
            let level = base * (1 + 0.5 * Double(point) / 730) * (weekend ? 0.7 : 1) * (turn ? 1.3 : 1)
            let noise = random.lognormal(mu: -sigma * sigma / 2, sigma: sigma)
            for category in categories.indices {
                var mean = level * share[category] * (ownNoise ? random.lognormal(mu: -sigma * sigma / 2, sigma: sigma) : noise)
                if let collapse, collapse.days.contains(point), collapse.category == category { mean *= 1 - collapse.share }
                counts[category][point] = Double(random.poisson(mean: mean))
            }
        }
        let byCategory = counts
        return SurfaceSeries(id: "daily_engagement_events", title: "Daily engagement events", form: .total, unit: .count, daily: true,
                             keys: days.map(\.description), days: days,
                             numerator: days.indices.map { point in categories.indices.reduce(0.0) { $0 + byCategory[$1][point] } },
                             dimensions: [SurfaceSeries.Dimension(name: "category", values: categories, numerator: { byCategory[$0][$1] })],
                             cycle: .fitted)
    }

    @Test("overdispersed, growing, weekly and turn-of-month counts over ten seeds: at most one incident in all of them")
    func cleanCounts() {
        let incidents = (1...10).map { SliceScan.incidents([Self.events(seed: $0)]).incidents }
        #expect(incidents.map(\.count).reduce(0, +) <= 1, "\(incidents.flatMap { $0.map(\.answer) }.prefix(12))")
    }

    @Test("a category's events missing for two weeks, all or 40% of them, early or late in the window: one incident caused by that category")
    func engagementCollapse() {
        for (seed, days, share) in [(UInt64(11), 40...53, 1.0), (12, 600...613, 0.4), (13, 300...313, 0.4)] {
            let (incidents, _, _) = SliceScan.incidents([Self.events(seed: seed, collapse: (days, 2, share))])
            let first = incidents.first
            #expect(first?.cause == ["category": "video"], "\(incidents.map(\.answer))")
            #expect(first.map { $0.start <= days.upperBound.description(from: 2023) && $0.end >= days.lowerBound.description(from: 2023) } == true)
            #expect((first?.causeExcess ?? 0) < 0)
            #expect(incidents.count <= 2, "seed \(seed): \(incidents.map(\.answer))")
        }
    }

    /// About 300 events a day in the smallest category, each category's day varying by 12%: a
    /// fall of 40% is about three standard deviations of a day (too few for thousands of tests), and two weeks across a
    /// month's turn are a week in one month and a week in the next. Only the weeks show it.
    @Test("40% of a small, noisy category's events missing for two weeks across a month's turn: one incident, found by its weeks")
    func engagementCollapseByWeek() {
        // Days 83...96 are 2023-03-25 .. 2023-04-07; days 572...585 are 2024-07-26 .. 2024-08-08.
        for (seed, days) in [(UInt64(21), 83...96), (22, 572...585), (23, 83...96)] {
            let series = Self.events(seed: seed, collapse: (days, 2, 0.4), level: 1_500, sigma: 0.12, ownNoise: true)
            let (incidents, _, _) = SliceScan.incidents([series])
            let first = incidents.first
            #expect(first?.cause == ["category": "video"], "seed \(seed): \(incidents.map(\.answer))")
            #expect(first.map { $0.start <= days.upperBound.description(from: 2023) && $0.end >= days.lowerBound.description(from: 2023) } == true)
            #expect(first?.answer.contains("in the week") == true, "seed \(seed): \(incidents.map(\.answer))")
            #expect((first?.causeExcess ?? 0) < 0)
            #expect(incidents.count <= 2, "seed \(seed): \(incidents.map(\.answer))")
        }
        // The same data without the collapse: nothing.
        let clean = (21...30).map { SliceScan.incidents([Self.events(seed: $0, level: 1_500, sigma: 0.12, ownNoise: true)]).incidents }
        #expect(clean.map(\.count).reduce(0, +) <= 1, "\(clean.flatMap { $0.map(\.answer) }.prefix(12))")
    }

    @Test("calendar weeks run Monday to Sunday and leave out the part-weeks at either end")
    func calendarWeeks() {
        let first = CivilDate(year: 2023, month: 1, day: 1)  // a Sunday
        let weeks = SliceScan.calendarWeeks((0..<31).map { first.adding(days: $0) })
        #expect(weeks.map { $0.first! } == [1, 8, 15, 22])  // 2023-01-02, a Monday, and the three after it
        #expect(weeks.allSatisfy { $0.count == 7 && $0.last! - $0.first! == 6 })
        #expect(SliceScan.calendarWeeks((0..<7).map { first.adding(days: $0) }).isEmpty)
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
