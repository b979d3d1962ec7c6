import Foundation
import Testing
@testable import Auditor

/// Reference values: lifelines' KaplanMeierFitter (scripts/reference/kaplan_meier.py ->
/// Fixtures/kaplan_meier.json), on lifelines' own Waltons data, a left-truncated and censored
/// sample, and a small hand-checkable one.
@Suite("Kaplan-Meier")
struct KaplanMeierTests {
    struct Fixture: Decodable {
        struct Point: Decodable { var time: Double; var survival: Double; var lower: Double; var upper: Double }
        struct Case: Decodable {
            var name: String
            var durations: [Double]
            var observed: [Bool]
            var entry: [Double]?
            var points: [Point]
        }
        var cases: [Case]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/kaplan_meier.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    @Test("survival and exponential Greenwood bounds match lifelines to 1e-9")
    func reference() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.cases.map(\.name) == ["waltons", "truncated", "small"])
        for item in fixture.cases {
            let estimate = KaplanMeier(durations: item.durations, observed: item.observed, entry: item.entry)
            for point in item.points {
                let value = estimate.survival(at: point.time)
                #expect(abs(value.survival - point.survival) < 1e-9, "\(item.name) S(\(point.time))")
                #expect(abs(value.lower - point.lower) < 1e-9, "\(item.name) lower(\(point.time))")
                #expect(abs(value.upper - point.upper) < 1e-9, "\(item.name) upper(\(point.time))")
            }
        }
    }

    @Test("without censoring, KM equals the empirical survival function", arguments: 0..<20)
    func empirical(seed: Int) {
        var state = UInt64(seed + 1) &* 0x9E37_79B9_7F4A_7C15
        let durations = (0..<200).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40 % 97) / 7
        }
        let estimate = KaplanMeier(durations: durations, observed: Array(repeating: true, count: durations.count))
        for t in stride(from: 0.0, through: 15, by: 0.7) {
            let empirical = Double(durations.filter { $0 > t }.count) / Double(durations.count)
            #expect(abs(estimate.survival(at: t).survival - empirical) < 1e-12)
        }
    }
}
