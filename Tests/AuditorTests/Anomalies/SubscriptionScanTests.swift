import Foundation
import Testing
@testable import Auditor
import Generator
import TableIO

/// The slice scan on a mapped dataset's daily series (``SubscriptionSeries/daily(_:)``): new
/// subscribers per day and the daily churn rate, split by plan.
@Suite("slice scan of a mapped subscriptions file")
struct SubscriptionScanTests {
    static let mapping = """
        name: scan
        plans: [Basic, Pro]
        roles:
          subscriptions:
            from: subscriptions
            fields: {id: id, subscriber: customer, start: start, end: end, amount: amount, plan: plan}

        """

    /// Two years of subscriptions starting on any day (about 9 a day, a third on Pro), each
    /// ending with a 4% monthly hazard; `wave` ends that share of the Pro subscriptions open on
    /// the first of the given days, spread over those days.
    static func csv(seed: UInt64, wave: (days: ClosedRange<Int>, share: Double)? = nil) -> String {
        var random = SplitMix64(seed: seed)
        let first = CivilDate(year: 2023, month: 1, day: 1)
        let last = 730
        var lines = ["id,customer,start,end,amount,plan"]
        var number = 0
        for day in 0..<last {
            for _ in 0..<random.poisson(mean: 9) {
                number += 1
                let pro = random.nextUnit() < 1.0 / 3
                var end: Int? = day + Int(random.exponential(rate: 0.04 / 30.4).rounded(.up))
                if let stop = end, stop >= last { end = nil }
                if let wave, pro, day < wave.days.lowerBound, end.map({ $0 >= wave.days.lowerBound }) ?? true,
                   random.nextUnit() < wave.share {
                    end = wave.days.lowerBound + random.nextInt(below: wave.days.count)
                }
                lines.append("s\(number),c\(number),\(first.adding(days: day)),\(end.map { first.adding(days: $0).description } ?? ""),"
                             + "\(pro ? 50 : 20),\(pro ? "Pro" : "Basic")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("clean data over five seeds: no incident; a week in which 30% of the Pro subscriptions end is the first incident, caused by plan = Pro")
    func churnWave() throws {
        for seed in UInt64(1)...5 {
            let report = try MappingEdgeCaseTests.audit(Self.csv(seed: seed), Self.mapping)
            let anomalies = try #require(report.measurements.anomalies)
            #expect(anomalies.scanTests > 1_000)
            #expect(anomalies.incidents.isEmpty, "seed \(seed): \(anomalies.incidents.map(\.answer))")
        }
        let wave = 520...526  // 2024-06-04 .. 2024-06-10
        let report = try MappingEdgeCaseTests.audit(Self.csv(seed: 6, wave: (wave, 0.3)), Self.mapping)
        let first = try #require(report.measurements.anomalies?.incidents.first)
        #expect(first.cause == ["plan": "Pro"], "\(first.answer)")
        #expect(first.start <= "2024-06-10" && first.end >= "2024-06-04", "\(first.answer)")
        #expect(first.shows.map(\.series).contains("daily_subscriber_churn_rate"),
                "\(first.answer)")
    }

    @Test("5% of the Pro subscriptions ending over a whole month, a few a day: no day stands out, the month does, caused by plan = Pro")
    func sustainedShift() throws {
        let month = 485...514  // 2024-04-30 .. 2024-05-29, ending over May
        let report = try MappingEdgeCaseTests.audit(Self.csv(seed: 7, wave: (month, 0.05)), Self.mapping)
        let incidents = try #require(report.measurements.anomalies?.incidents)
        let found = incidents.first { $0.cause == ["plan": "Pro"] && $0.start <= "2024-05-29" && $0.end >= "2024-04-30" }
        #expect(found != nil, "\(incidents.map(\.answer))")
        #expect(incidents.count <= 2, "\(incidents.map(\.answer))")
    }
}
