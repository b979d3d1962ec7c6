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

    @Test("labels must match")
    func labels() {
        let band = Self.band(.label("video"))
        #expect(CheckEvaluator.evaluate(band, Measurement(label: "video", n: 7)).status == .pass)
        #expect(CheckEvaluator.evaluate(band, Measurement(label: "games", n: 7)).status == .fail)
    }
}
