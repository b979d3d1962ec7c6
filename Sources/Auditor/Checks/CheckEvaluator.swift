import TableIO

/// The verdict of one band check.
public enum CheckStatus: String, Sendable, Equatable, CaseIterable {
    case pass
    case warn
    case fail
    case inconclusive
}

/// A band checked against its measurement.
public struct CheckResult: Sendable, Equatable {
    public var band: Band
    public var value: Double?
    public var label: String?
    public var n: Int
    public var interval: ClosedRange<Double>?
    public var status: CheckStatus
    /// Why the check is inconclusive, when it is.
    public var reason: String?
}

/// Checks bands against measurements (SPEC section 4).
///
/// Inside the target: pass. Outside the target but inside the tolerance: warn. Outside both:
/// fail, or warn for a `severity: warn` band. Inconclusive when the sample cannot decide: not
/// measured, measured on fewer than the band's `min_n`, or a 95% interval that straddles an
/// edge of the target (the value may sit on either side of it by chance alone).
public enum CheckEvaluator {
    public static func evaluate(_ bands: [Band], against measurements: Measurements) -> [CheckResult] {
        bands.map { evaluate($0, measurements.metrics[$0.metric]) }
    }

    public static func evaluate(_ band: Band, _ measurement: Measurement?) -> CheckResult {
        var result = CheckResult(band: band, value: measurement?.value, label: measurement?.label, n: measurement?.n ?? 0,
                                 interval: measurement?.interval, status: .inconclusive, reason: nil)
        guard let measurement, measurement.value != nil || measurement.label != nil else {
            result.reason = "not measured"
            return result
        }
        if let minimum = band.minimumN, measurement.n < minimum {
            result.reason = "n = \(measurement.n) is below the band's min_n of \(minimum)"
            return result
        }
        let missed: CheckStatus = band.severity == .warn ? .warn : .fail
        switch band.target {
        case .label(let expected):
            result.status = measurement.label == expected ? .pass : missed
        case .range:
            guard let value = measurement.value else {
                result.reason = "the metric has no numeric value"
                return result
            }
            if let interval = measurement.interval, let edge = band.target.edge(straddledBy: interval) {
                result.reason = "the 95% interval \(Format.fixed(interval.lowerBound, 4))–\(Format.fixed(interval.upperBound, 4)) "
                    + "straddles the band edge \(Format.fixed(edge, 4)) at n = \(measurement.n)"
                return result
            }
            if band.target.contains(value) {
                result.status = .pass
            } else if let tolerance = band.tolerance, tolerance.contains(value) {
                result.status = .warn
            } else {
                result.status = missed
            }
        }
        return result
    }
}
