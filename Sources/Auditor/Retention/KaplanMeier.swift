import Foundation

/// The Kaplan-Meier estimator with right censoring and left truncation (late entry), and its
/// 95% interval by Greenwood's exponential ("log-log") formula, as lifelines computes both.
///
/// A subject is at risk at time t if it entered strictly before t and its duration is t or more
/// (entrants at t join after that time's deaths), except at the earliest time in the data, where
/// entrants count: lifelines' convention, which is the standard one for delayed entry.
/// At each distinct event time, `S(t) = S(t-) (1 - d/n)`; the Greenwood sum is
/// `Σ d / (n (n - d))` and, with `v = log S`, the bounds are
/// `exp(-exp(log(-v) ± z √sum / v))` (1 where S is 1).
///
/// - Complexity: O(n log n) to build; O(log k) per query over the k event times.
public struct KaplanMeier: Sendable {
    public struct Step: Sendable, Equatable {
        public var time: Double
        public var atRisk: Int
        public var deaths: Int
        public var survival: Double
        public var lower: Double
        public var upper: Double
    }

    /// One step per distinct time with at least one death, in time order.
    public let steps: [Step]
    /// Subjects at the start (entry at time 0 or before the first event).
    public let subjects: Int

    public init(durations: [Double], observed: [Bool], entry: [Double]? = nil, z: Double = 1.959963984540054) {
        precondition(durations.count == observed.count && (entry?.count ?? durations.count) == durations.count)
        subjects = durations.count
        // Exits (deaths and censorings) and entries, each sorted.
        let exits = durations.indices.sorted { durations[$0] < durations[$1] }
        let entries = (entry ?? Array(repeating: 0, count: durations.count)).sorted()
        let firstTime = Swift.min(entries.first ?? 0, durations.min() ?? 0)
        var steps: [Step] = []
        var logSurvival = 0.0
        var greenwood = 0.0
        var exitPosition = 0
        var entryPosition = 0
        var removedBefore = 0
        while exitPosition < exits.count {
            let time = durations[exits[exitPosition]]
            var deaths = 0
            var removed = 0
            while exitPosition < exits.count && durations[exits[exitPosition]] == time {
                if observed[exits[exitPosition]] { deaths += 1 }
                removed += 1
                exitPosition += 1
            }
            while entryPosition < entries.count && entries[entryPosition] < time { entryPosition += 1 }
            var entered = entryPosition
            if time == firstTime {
                while entered < entries.count && entries[entered] == time { entered += 1 }
            }
            let atRisk = entered - removedBefore
            removedBefore += removed
            guard deaths > 0, atRisk > 0 else { continue }
            logSurvival += Foundation.log(1 - Double(deaths) / Double(atRisk))
            greenwood += atRisk > deaths ? Double(deaths) / (Double(atRisk) * Double(atRisk - deaths)) : .infinity
            let survival = Foundation.exp(logSurvival)
            var lower = 1.0
            var upper = 1.0
            if logSurvival < 0 && logSurvival.isFinite && greenwood.isFinite {
                let spread = z * greenwood.squareRoot() / logSurvival
                lower = Foundation.exp(-Foundation.exp(Foundation.log(-logSurvival) - spread))
                upper = Foundation.exp(-Foundation.exp(Foundation.log(-logSurvival) + spread))
            } else if !logSurvival.isFinite || !greenwood.isFinite {
                lower = 0
                upper = survival
            }
            steps.append(Step(time: time, atRisk: atRisk, deaths: deaths, survival: survival, lower: lower, upper: upper))
        }
        self.steps = steps
    }

    /// S(t) with its interval: the last step at or before t (1 before the first death).
    public func survival(at time: Double) -> (survival: Double, lower: Double, upper: Double) {
        var low = 0
        var high = steps.count
        while low < high {
            let mid = (low + high) / 2
            if steps[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return (1, 1, 1) }
        let step = steps[low - 1]
        return (step.survival, step.lower, step.upper)
    }
}

extension KaplanMeier {
    /// The tenure points reported as `retention.km.m<k>`.
    static let reportedMonths = [1, 3, 6, 12]

    /// Records `retention.km.m1/m3/m6/m12` (survival with its Greenwood interval, n = subjects)
    /// and the curve `retention.km` at every whole tenure month up to `lastMonth`.
    func record(into result: inout Measurements, lastMonth: Int, subject: String) {
        guard subjects > 0 else { return }
        result.charts.survival = self
        result.charts.survivalSubject = subject
        for k in Self.reportedMonths where k <= lastMonth {
            let point = survival(at: Double(k))
            result.metrics["retention.km.m\(k)"] = Measurement(value: point.survival, n: subjects, interval: point.lower...point.upper)
        }
        result.metrics["retention.km"] = Measurement(series: (0...max(0, lastMonth)).map {
            SeriesPoint(key: String($0), value: survival(at: Double($0)).survival)
        })
    }
}
