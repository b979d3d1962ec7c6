#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A survival curve S(t) interpolated log-linearly between knots (a piecewise-constant hazard),
/// extended past the last knot with the hazard of the last segment.
///
/// Lifetimes are drawn by inversion: `t = S⁻¹(u)` for `u` uniform on (0, 1) has survival S.
public struct SurvivalCurve: Sendable {
    /// Knot times (strictly increasing, the first 0) and survival values (the first 1, decreasing).
    public let times: [Double]
    public let survival: [Double]

    public init(knots: [(time: Double, survival: Double)]) {
        precondition(knots.count >= 2 && knots[0].time == 0 && knots[0].survival == 1)
        for index in 1..<knots.count {
            precondition(knots[index].time > knots[index - 1].time)
            precondition(knots[index].survival < knots[index - 1].survival && knots[index].survival > 0)
        }
        times = knots.map(\.time)
        survival = knots.map(\.survival)
    }

    /// S(t).
    public func callAsFunction(_ t: Double) -> Double {
        guard t > 0 else { return 1 }
        for index in 1..<times.count where t <= times[index] {
            let fraction = (t - times[index - 1]) / (times[index] - times[index - 1])
            return exp(log(survival[index - 1]) + fraction * (log(survival[index]) - log(survival[index - 1])))
        }
        return exp(log(survival[survival.count - 1]) - tailHazard * (t - times[times.count - 1]))
    }

    /// The time t with S(t) = u, for u in (0, 1].
    public func inverse(_ u: Double) -> Double {
        precondition(u > 0 && u <= 1)
        let target = log(u)
        for index in 1..<times.count where target >= log(survival[index]) {
            let low = log(survival[index - 1])
            let high = log(survival[index])
            let fraction = (target - low) / (high - low)
            return times[index - 1] + fraction * (times[index] - times[index - 1])
        }
        return times[times.count - 1] + (log(survival[survival.count - 1]) - target) / tailHazard
    }

    /// The constant hazard (per unit of time) after the last knot.
    public var tailHazard: Double {
        let last = times.count - 1
        return (log(survival[last - 1]) - log(survival[last])) / (times[last] - times[last - 1])
    }
}
