import Foundation
import TableIO

/// What the detector made of one series: the expected value of each point, its residual's
/// robust z, the points flagged, and the runs of flagged points (windows).
public struct Detection: Sendable {
    public var series: String
    public var values: [Double?]
    /// Trend + seasonal component + the residuals' median, where the value is defined.
    public var expected: [Double?]
    /// Robust z of the residual: (r - median r) / (1.4826 MAD r).
    public var z: [Double?]
    /// Robust z of the values as they are, nothing removed: how far a point stands out to the eye.
    public var plainZ: [Double?]
    /// Flagged by the generalized ESD test (hybrid statistic) on the residuals.
    public var esd: [Bool]
    /// |z| >= the threshold or flagged by the ESD test.
    public var flagged: [Bool]
    /// Runs of consecutive flagged points whose z has the same sign, as point index ranges.
    public var windows: [ClosedRange<Int>]
    /// Which seasonal component was removed: "day of month", "month of year" or "none".
    public var seasonality: String

    /// The point of `points` with the largest |z|.
    public func peak(in points: [Int]) -> Int? {
        points.filter { z[$0] != nil }.max { abs(z[$0] ?? 0) < abs(z[$1] ?? 0) }
    }

    public func isObvious(in points: [Int]) -> Bool {
        points.contains { abs(z[$0] ?? 0) > AnomalyDetector.obviousZ || abs(plainZ[$0] ?? 0) > AnomalyDetector.obviousZ }
    }
}

/// Flags unusual points of a series (Documentation/anomalies.md): a Theil-Sen trend, then a
/// seasonal component (the median of the other detrended values at the point's day of the month for daily
/// series, the last day of a month counting as its own position because anniversary billing
/// moves days 29-31 there; the month of the year for monthly series of three years or more),
/// then robust z-scores of the residuals and the generalized ESD test with the hybrid
/// (median, MAD) statistic of S-H-ESD. Totals (revenue, counts) are modelled as log(1 + value),
/// so that their trend and seasonal component act multiplicatively; rates and changes as they are.
public enum AnomalyDetector {
    /// |z| from which a point is flagged.
    public static let threshold = 3.5
    /// Significance level of the ESD test.
    public static let alpha = 0.05
    /// The ESD test looks for at most this share of the points.
    public static let maxOutlierShare = 0.2
    /// |z| beyond which an anomaly is obvious (it dominates its series).
    public static let obviousZ = 15.0
    /// Fewer defined points than this: no detection.
    public static let minimumPoints = 8
    /// A seasonal position needs this many values for its median.
    static let minimumPerPosition = 3

    public static func detect(_ series: SurfaceSeries) -> Detection? {
        let values = series.values
        let valid = values.indices.filter { values[$0]?.isFinite == true }
        guard valid.count >= minimumPoints else { return nil }
        // Totals (revenue, counts) grow and vary multiplicatively: they are modelled on the log scale.
        let logScale = series.form == .total
        let y = valid.compactMap { values[$0].map { logScale ? Foundation.log1p(max(0, $0)) : $0 } }
        let x = valid.map(Double.init)
        guard let trend = TheilSen.fit(x: x, y: y) else { return nil }
        let detrended = valid.indices.map { y[$0] - trend.value(at: x[$0]) }

        var seasonality = "none"
        var seasonal = Array(repeating: 0.0, count: valid.count)
        if let positions = positions(series, valid) {
            var groups = Array(repeating: [Int](), count: 32)
            for (index, position) in positions.enumerated() { groups[position].append(index) }
            for members in groups where members.count >= minimumPerPosition {
                let sorted = members.map { detrended[$0] }.sorted()
                for index in members {
                    seasonal[index] = medianWithout(sorted, sorted.firstIndex(of: detrended[index]) ?? 0)
                }
            }
            seasonality = series.daily ? "day of month" : "month of year"
        }
        let residual = valid.indices.map { detrended[$0] - seasonal[$0] }
        guard let scores = Robust.zScores(residual), let center = Robust.median(residual) else { return nil }
        let plain = Robust.zScores(y)
        let test = GeneralizedESD.test(residual, maxOutliers: max(1, Int(Double(valid.count) * maxOutlierShare)),
                                       alpha: alpha, statistic: .hybrid)

        var expected = [Double?](repeating: nil, count: values.count)
        var z = [Double?](repeating: nil, count: values.count)
        var plainZ = [Double?](repeating: nil, count: values.count)
        var esd = Array(repeating: false, count: values.count)
        for (index, point) in valid.enumerated() {
            let fitted = trend.value(at: x[index]) + seasonal[index] + center
            expected[point] = logScale ? Foundation.expm1(fitted) : fitted
            z[point] = scores[index]
            plainZ[point] = plain?[index]
        }
        for index in test.outliers { esd[valid[index]] = true }
        let flagged = values.indices.map { esd[$0] || abs(z[$0] ?? 0) >= threshold }
        var windows: [ClosedRange<Int>] = []
        var start: Int?
        for point in values.indices {
            let continues = start.map { flagged[point] && sign(z[point]) == sign(z[$0]) } ?? false
            if let first = start, !continues {
                windows.append(first...(point - 1))
                start = nil
            }
            if start == nil && flagged[point] { start = point }
        }
        if let first = start { windows.append(first...(values.count - 1)) }
        return Detection(series: series.id, values: values, expected: expected, z: z, plainZ: plainZ, esd: esd,
                         flagged: flagged, windows: windows, seasonality: seasonality)
    }

    /// The median of `sorted` without its element at `skip`: a point's seasonal component comes
    /// from the other points at its position, so that it never sets its own expected value
    /// (with three years of months, the median of three would leave a zero residual at every
    /// month's middle value and shrink the MAD).
    static func medianWithout(_ sorted: [Double], _ skip: Int) -> Double {
        let count = sorted.count - 1
        func element(_ index: Int) -> Double { sorted[index < skip ? index : index + 1] }
        return count % 2 == 1 ? element(count / 2) : (element(count / 2 - 1) + element(count / 2)) / 2
    }

    static func sign(_ value: Double?) -> Int { (value ?? 0) < 0 ? -1 : 1 }

    /// The seasonal position of each valid point (1-30 for days, 0 for a month's last day; 1-12
    /// for months), or nil when the series has no seasonal component to remove.
    static func positions(_ series: SurfaceSeries, _ valid: [Int]) -> [Int]? {
        if series.daily {
            return valid.map { point in
                let day = series.days[point]
                return day.day == day.yearMonth.dayCount ? 0 : day.day
            }
        }
        guard valid.count >= 36 else { return nil }
        return valid.map { series.days[$0].month }
    }
}
