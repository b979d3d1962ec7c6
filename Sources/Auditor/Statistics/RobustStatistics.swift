import Foundation

/// Robust location and scale: the median, the MAD and z-scores built on them.
public enum Robust {
    /// The median: the middle value, or for an even count the mean of the two middle values
    /// (numpy's and R's convention); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        var sorted = values
        return medianInPlace(&sorted)
    }

    /// The median absolute deviation scaled to the normal's σ, 1.4826 median(|x - median(x)|), with
    /// R's `mad()` constant (exactly 1.4826, not 1/Φ⁻¹(3/4)); nil when empty.
    public static func mad(_ values: [Double]) -> Double? {
        guard let center = median(values) else { return nil }
        return madAround(center, values)
    }

    /// Robust z-scores (x - median) / MAD. When the MAD is 0 the scale falls back to 1.253314 times
    /// the mean absolute deviation from the median (the fallback of IBM Cognos' modified z-score,
    /// √(π/2) making it estimate σ for normal data); nil when that is 0 too (all values equal) or
    /// there are none.
    public static func zScores(_ values: [Double]) -> [Double]? {
        guard let center = median(values), var scale = madAround(center, values) else { return nil }
        if scale == 0 {
            scale = 1.253314 * values.reduce(0) { $0 + abs($1 - center) } / Double(values.count)
        }
        guard scale > 0 else { return nil }
        return values.map { ($0 - center) / scale }
    }

    /// 1.4826 median(|x - center|); nil when empty.
    static func madAround(_ center: Double, _ values: [Double]) -> Double? {
        var deviations = values.map { abs($0 - center) }
        return medianInPlace(&deviations).map { 1.4826 * $0 }
    }

    /// The median of `values`, which it reorders (Hoare's selection with a median-of-three
    /// pivot: linear on average, where sorting the 267,000 pairwise slopes of a two-year daily
    /// series would cost most of the detector's time); nil when empty.
    static func medianInPlace(_ values: inout [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let middle = values.count / 2
        let upper = select(&values, middle)
        guard values.count % 2 == 0 else { return upper }
        // The largest value below the upper middle one: after selection, all of them sit left of it.
        let lower = values[0..<middle].max() ?? upper
        return (lower + upper) / 2
    }

    /// Reorders `values` so that position `k` holds the value sorted order puts there, smaller or
    /// equal values before it and larger or equal after; returns that value.
    static func select(_ values: inout [Double], _ k: Int) -> Double {
        var low = 0
        var high = values.count - 1
        while high > low {
            let mid = low + (high - low) / 2
            if values[mid] < values[low] { values.swapAt(mid, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[mid] { values.swapAt(high, mid) }
            let pivot = values[mid]
            var i = low
            var j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return values[k]
            }
        }
        return values[k]
    }
}

/// The Theil-Sen line: the median of the pairwise slopes, robust to up to about 29% of the points
/// being arbitrary.
public struct TheilSen: Sendable, Equatable {
    public let slope: Double
    public let intercept: Double

    /// intercept + slope x.
    public func value(at x: Double) -> Double { intercept + slope * x }

    /// scipy.stats.theilslopes' convention (its default method "separate"): the slope is the median
    /// of (y_j - y_i) / (x_j - x_i) over the pairs i < j with x_j ≠ x_i, and the intercept is
    /// median(y) - slope median(x). Nil when the lengths differ or there are fewer than two
    /// distinct x. O(n²) time and memory: one array of the n(n - 1)/2 slopes.
    public static func fit(x: [Double], y: [Double]) -> TheilSen? {
        guard x.count == y.count else { return nil }
        let n = x.count
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n where x[j] != x[i] {
                slopes.append((y[j] - y[i]) / (x[j] - x[i]))
            }
        }
        guard let slope = Robust.medianInPlace(&slopes), let medianX = Robust.median(x),
              let medianY = Robust.median(y) else { return nil }
        return TheilSen(slope: slope, intercept: medianY - slope * medianX)
    }
}

/// Rosner's (1983) generalized extreme studentized deviate test for up to k outliers in roughly
/// normal data, and its robust "hybrid" form (S-H-ESD: Hochenbaum, Vallis & Kejariwal 2017, the R
/// package AnomalyDetection's `detect_anoms`, two-tailed).
public enum GeneralizedESD {
    /// How each step centers and scales the remaining values.
    public enum Statistic: Sendable {
        /// Mean and sample standard deviation (n - 1 in the denominator), as Rosner and NIST.
        case classic
        /// Median and MAD (1.4826 median |x - median|), as `detect_anoms`.
        case hybrid
    }

    /// One removal: the point with the largest studentized deviation and the critical value it is
    /// compared with.
    public struct Step: Sendable, Equatable {
        /// The point's index in the values tested.
        public let index: Int
        /// R_i = max |x - center| / scale over the remaining values.
        public let statistic: Double
        /// λ_i = (n - i) t / √((n - i - 1 + t²)(n - i + 1)), t the Student t quantile at
        /// 1 - α / (2(n - i + 1)) with n - i - 1 degrees of freedom.
        public let critical: Double
    }

    public struct Result: Sendable, Equatable {
        /// The indices of the outliers, in the order they were removed (most extreme first).
        public let outliers: [Int]
        /// Every step computed, including those past the last outlier.
        public let steps: [Step]
    }

    /// Removes the most deviant remaining value up to `maxOutliers` times (stopping early when
    /// fewer than 3 values remain or their scale is 0); the outliers are the first r removed, r
    /// the largest i with R_i > λ_i (0 if none). Ties go to the lowest index; n is the count of all
    /// the values and `alpha` must lie in (0, 1). The classic statistic matches PyAstronomy's
    /// `generalizedESD(..., ubvar=True)` and the NIST handbook (section 1.3.5.17.3).
    public static func test(_ values: [Double], maxOutliers: Int, alpha: Double = 0.05,
                            statistic: Statistic = .hybrid) -> Result {
        let n = values.count
        var remaining = Array(values.indices)
        var steps: [Step] = []
        var count = 0
        var i = 1
        while i <= maxOutliers && remaining.count >= 3 {
            let current = remaining.map { values[$0] }
            guard let (center, scale) = location(current, statistic), scale > 0 else { break }
            var worst = 0
            var largest = -Double.infinity
            for (position, value) in current.enumerated() where abs(value - center) > largest {
                largest = abs(value - center)
                worst = position
            }
            let ratio = largest / scale
            let size = Double(n - i)
            let t = StudentT.quantile(1 - alpha / (2 * (size + 1)), df: size - 1)
            let critical = size * t / ((size - 1 + t * t) * (size + 1)).squareRoot()
            steps.append(Step(index: remaining[worst], statistic: ratio, critical: critical))
            if ratio > critical { count = i }
            remaining.remove(at: worst)
            i += 1
        }
        return Result(outliers: steps.prefix(count).map(\.index), steps: steps)
    }

    /// The center and scale of at least two values.
    private static func location(_ values: [Double], _ statistic: Statistic) -> (Double, Double)? {
        switch statistic {
        case .classic:
            let mean = values.reduce(0, +) / Double(values.count)
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return (mean, (squares / Double(values.count - 1)).squareRoot())
        case .hybrid:
            guard let median = Robust.median(values), let mad = Robust.madAround(median, values) else { return nil }
            return (median, mad)
        }
    }
}
