import Testing
@testable import Auditor

@Suite("band checks")
struct CheckEvaluatorTests {
    static func band(_ target: Band.Target, tolerance: Band.Target? = nil, severity: Band.Severity = .fail, minimumN: Int? = nil) -> Band {
        Band(id: "m", metric: "m", target: target, tolerance: tolerance, severity: severity, minimumN: minimumN, source: "s",
             note: nil, line: 1)
    }

    @Test("pass inside the target, warn inside the tolerance, fail outside")
    func statuses() {
        let band = Self.band(.range(lower: 0.9, upper: 0.94), tolerance: .range(lower: 0.88, upper: 0.96))
        #expect(CheckEvaluator.evaluate(band, Measurement(value: 0.92, n: 100)).status == .pass)
        #expect(CheckEvaluator.evaluate(band, Measurement(value: 0.94, n: 100)).status == .pass)
        #expect(CheckEvaluator.evaluate(band, Measurement(value: 0.95, n: 100)).status == .warn)
        #expect(CheckEvaluator.evaluate(band, Measurement(value: 0.97, n: 100)).status == .fail)
        #expect(CheckEvaluator.evaluate(Self.band(.range(lower: 0, upper: 1), severity: .warn), Measurement(value: 3, n: 1)).status == .warn)
    }

    @Test("inconclusive when not measured or below min_n")
    func inconclusive() {
        let band = Self.band(.range(lower: 0.9, upper: 0.94), minimumN: 50)
        let missing = CheckEvaluator.evaluate(band, nil)
        #expect(missing.status == .inconclusive && missing.reason == "not measured")
        let small = CheckEvaluator.evaluate(band, Measurement(value: 0.92, n: 49))
        #expect(small.status == .inconclusive && small.reason == "n = 49 is below the band's min_n of 50")
        #expect(CheckEvaluator.evaluate(band, Measurement(value: nil, n: 0)).status == .inconclusive)
    }

    @Test("an interval straddling a target edge is inconclusive on either side of it; a narrow one decides")
    func straddle() {
        let band = Self.band(.range(lower: 0.9, upper: 0.95), tolerance: .range(lower: 0.85, upper: 1))
        // 0.928 of 489 (Wilson 0.902-0.948) lies inside: pass.
        #expect(CheckEvaluator.evaluate(band, .share(454, of: 489)).status == .pass)
        // 0.92 of 100 (0.850-0.959) straddles both edges: inside the target by value, yet undecided.
        let small = CheckEvaluator.evaluate(band, .share(92, of: 100))
        #expect(small.status == .inconclusive)
        #expect(small.reason == "the 95% interval 0.8500–0.9589 straddles the band edge 0.9000 at n = 100")
        // Outside by value but the interval reaches into the target: not a fail either.
        #expect(CheckEvaluator.evaluate(band, .share(88, of: 100)).status == .inconclusive)
        // The same shares on 100,000 decide.
        #expect(CheckEvaluator.evaluate(band, .share(92_000, of: 100_000)).status == .pass)
        #expect(CheckEvaluator.evaluate(band, .share(88_000, of: 100_000)).status == .warn)
        // Every share over many sample sizes: pass only when the whole interval is inside.
        for n in stride(from: 10, through: 2_000, by: 37) {
            for successes in stride(from: 0, through: n, by: max(1, n / 50)) {
                let measurement = Measurement.share(successes, of: n)
                let result = CheckEvaluator.evaluate(band, measurement)
                if result.status == .pass, let interval = measurement.interval {
                    #expect(interval.lowerBound >= 0.9 && interval.upperBound <= 0.95)
                }
            }
        }
    }

    @Test("labels must match")
    func labels() {
        let band = Self.band(.label("video"))
        #expect(CheckEvaluator.evaluate(band, Measurement(label: "video", n: 7)).status == .pass)
        #expect(CheckEvaluator.evaluate(band, Measurement(label: "games", n: 7)).status == .fail)
    }
}
