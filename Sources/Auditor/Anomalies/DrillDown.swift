/// One value's part in a flagged change.
public struct Contribution: Sendable, Equatable {
    public var dimension: String
    public var value: String
    /// Actual minus expected over the window, in the numerator's units (dollars of MRR,
    /// pledges, failed attempts, ...).
    public var excess: Double
    /// The value's share of the movement in the anomaly's direction: its excess over the sum
    /// of the excesses of all values that moved that way (negative for a value that moved the
    /// other way).
    public var share: Double
    /// The value's share of the numerator outside the window (of the level before it, for a
    /// change), to tell a value that explains the change from one that is merely large.
    public var baselineShare: Double
}

/// The values of one dimension ranked by their share of a flagged change.
public struct DrillDown: Sendable {
    public var dimension: String
    public var ranked: [Contribution]

    /// The rank (1 = first) of a value, or of a set of values taken together: one plus the
    /// number of other values ranked above the last of them. With their combined share.
    public func rank(of expected: [String]) -> (rank: Int, share: Double)? {
        let wanted = Set(expected)
        var others = 0
        var found = 0
        var share = 0.0
        for contribution in ranked {
            if wanted.contains(contribution.value) {
                found += 1
                share += contribution.share
                if found == wanted.count { return (others + 1, share) }
            } else {
                others += 1
            }
        }
        return nil
    }
}

/// Splits a flagged change of a series by each of its dimensions (Documentation/anomalies.md):
/// each value's actual part minus its expected part over the window, where the expected part
/// follows from the detector's expected value of the series:
/// - change of a stock: the expected growth applied to the value's previous level;
/// - total: the expected total times the value's share outside the window;
/// - rate, for a dimension of the population: the expected rate times the value's denominator;
///   for a dimension of the events: the expected rate times the denominator times the value's
///   share of the events outside the window.
/// "Outside the window" means the points neither in the window nor flagged elsewhere.
public enum DrillDownAnalysis {
    public static func split(_ series: SurfaceSeries, _ detection: Detection, points: [Int], direction: Double) -> [DrillDown] {
        let window = points.filter { detection.expected[$0] != nil }
        guard !window.isEmpty else { return [] }
        let inWindow = Set(window)
        var baseline = series.keys.indices.filter { !inWindow.contains($0) && !detection.flagged[$0] && detection.expected[$0] != nil }
        if baseline.isEmpty { baseline = series.keys.indices.filter { !inWindow.contains($0) && detection.expected[$0] != nil } }
        return series.dimensions.map { dimension in
            split(series, detection, dimension: dimension, window: window, baseline: baseline, direction: direction)
        }
    }

    static func split(_ series: SurfaceSeries, _ detection: Detection, dimension: SurfaceSeries.Dimension, window: [Int],
                      baseline: [Int], direction: Double) -> DrillDown {
        let part = dimension.numerator
        var excess = Array(repeating: 0.0, count: dimension.values.count)
        var baselineShare = Array(repeating: 0.0, count: dimension.values.count)
        switch series.form {
        case .change:
            let before = window[0]
            let total = series.numerator[before]
            for value in dimension.values.indices {
                for t in window {
                    let growth = detection.expected[t] ?? 0
                    excess[value] += part(value, t + 1) - part(value, t) - growth * part(value, t)
                }
                baselineShare[value] = total > 0 ? part(value, before) / total : 0
            }
        case .total, .rate:
            let baselineTotal = baseline.reduce(0.0) { $0 + series.numerator[$1] }
            for value in dimension.values.indices {
                let inBaseline = baseline.reduce(0.0) { $0 + part(value, $1) }
                let share = baselineTotal > 0 ? inBaseline / baselineTotal : 0
                baselineShare[value] = share
                for t in window {
                    let expectedValue = detection.expected[t] ?? 0
                    let expectedPart: Double
                    if series.form == .total {
                        expectedPart = expectedValue * share
                    } else if let denominator = dimension.denominator {
                        expectedPart = expectedValue * denominator(value, t)
                    } else {
                        expectedPart = expectedValue * (series.denominator?[t] ?? 0) * share
                    }
                    excess[value] += part(value, t) - expectedPart
                }
            }
        }
        let moving = excess.reduce(0.0) { $0 + max(0, direction * $1) }
        // Values absent both from the window and from the baseline take no part.
        let present = dimension.values.indices.filter { value in
            excess[value] != 0 || baselineShare[value] != 0 || window.contains { part(value, $0) != 0 }
        }
        var ranked = present.map { value in
            Contribution(dimension: dimension.name, value: dimension.values[value], excess: excess[value],
                         share: moving > 0 ? direction * excess[value] / moving : 0, baselineShare: baselineShare[value])
        }
        ranked.sort { $0.share != $1.share ? $0.share > $1.share : $0.value < $1.value }
        return DrillDown(dimension: dimension.name, ranked: ranked)
    }

    /// The value that best explains a change across dimensions: among each dimension's first
    /// value, the one whose share most exceeds its baseline share.
    public static func strongest(_ drillDowns: [DrillDown]) -> Contribution? {
        var best: Contribution?
        for drillDown in drillDowns {
            guard let first = drillDown.ranked.first, first.share > 0 else { continue }
            if best.map({ first.share - first.baselineShare > $0.share - $0.baselineShare }) ?? true { best = first }
        }
        return best
    }
}
