import Foundation

/// The continuous power-law fit of Clauset, Shalizi & Newman (2009), `p(x) = (α-1)/xmin (x/xmin)^-α`
/// for x ≥ xmin, with its likelihood-ratio comparison against a lognormal, as the Python `powerlaw`
/// package (2.0) computes them with its defaults: `Fit(data)` and
/// `distribution_compare('power_law', 'lognormal', normalized_ratio=True)`.
///
/// - Tail: values below the chosen xmin are dropped; the n values at or above it are the tail.
/// - Exponent: the maximum-likelihood `α = 1 + n / Σ log(x/xmin)`, standard error `(α-1)/√n`.
/// - Choice of xmin: every distinct value except the two largest is a candidate; the one with the
///   smallest Kolmogorov-Smirnov distance D wins (the first on a tie). With u the distinct tail
///   values, the data's CDF at u is the share of the tail strictly below u and the fitted one is
///   `1 - (u/xmin)^(1-α)`; D is the largest absolute difference. A candidate counts only if
///   `α < 3`: the package bounds α to (0, 3) and discards fits at or beyond the bound. (Below
///   α = 1.5 it refines α numerically, but from the exact maximum, so α stays the formula's.)
/// - Lognormal alternative: the lognormal truncated to x ≥ xmin,
///   `p(x) = exp(-(log x - μ)² / 2σ²) / (x σ √(π/2) erfc((log xmin - μ) / σ√2))`, fitted to the tail
///   by Nelder-Mead from μ, σ = mean and standard deviation of log x, with the package's optimizer
///   settings (SciPy's Nelder-Mead, tolerance 1e-4 on both x and f, σ ≥ 0). That optimizer stops
///   short of the exact maximum, and R moves with it, so it is reproduced step for step.
/// - Comparison: with `d_i` the difference of the two log-likelihoods of tail value i,
///   `R = Σ d_i`, `s² = Σ (d_i - mean d)² / n`; the normalized ratio is `R / √(n s²)` (positive
///   favours the power law) and `p = erfc(|R| / √(2 n s²))` is the significance of its sign.
///
/// Sums are taken in the package's order (NumPy's pairwise summation where it uses NumPy, left to
/// right where it uses Python's `sum`), so figures agree to rounding; the lognormal fit, on a flat
/// likelihood, can take another path on a difference in the last bit, which moves R by about 1e-5
/// at most. Non-positive and non-finite values are dropped first.
///
/// - Complexity: O(n log n) to sort, O(1) per candidate for α (from suffix sums of log x), O(k) for
///   D over the k distinct tail values: O(n · c) over c candidates, about 80 ms for 5,000 distinct
///   values in a release build. The lognormal fit is O(n) per likelihood, at most 400 of them.
public struct PowerLawFit: Sendable {
    /// Fewer positive values than this give no fit.
    public static let minimumCount = 10

    /// The smallest value of the power-law tail.
    public let xmin: Double
    /// The fitted exponent α.
    public let alpha: Double
    /// The standard error of α, `(α-1)/√n`.
    public let standardError: Double
    /// The number n of values at or above xmin.
    public let tailCount: Int
    /// The Kolmogorov-Smirnov distance D between the tail and the fitted power law.
    public let ksDistance: Double
    /// The truncated lognormal fitted to the tail.
    public let lognormal: (mu: Double, sigma: Double)
    /// Power law against lognormal on the tail: the normalized log-likelihood ratio (positive
    /// favours the power law) and the p-value of its sign.
    public let lognormalComparison: (ratio: Double, p: Double)

    /// Fits the positive values of `values`; nil with fewer than `minimumCount` of them, fewer
    /// than four distinct ones (two candidates for xmin), or no candidate with α below 3.
    public init?(_ values: [Double]) {
        let data = values.filter { $0 > 0 && $0.isFinite }.sorted()
        guard data.count >= Self.minimumCount else { return nil }
        let count = Double(data.count)
        let logs = data.map { Foundation.log($0) }

        // Distinct values, with the number of values strictly below each.
        var distinct: [Double] = []
        var below: [Int] = []
        for (index, value) in data.enumerated() where index == 0 || value != data[index - 1] {
            distinct.append(value)
            below.append(index)
        }
        let candidates = distinct.count - 2
        guard candidates >= 2 else { return nil }
        let distinctLogs = distinct.map { Foundation.log($0) }

        // suffix[i] = Σ log x over data[i...].
        var suffix = Array(repeating: 0.0, count: data.count + 1)
        for index in stride(from: data.count - 1, through: 0, by: -1) { suffix[index] = suffix[index + 1] + logs[index] }

        var best: (candidate: Int, distance: Double)?
        for candidate in 0..<candidates {
            let start = below[candidate]
            let n = Double(data.count - start)
            let alpha = 1 + n / (suffix[start] - n * distinctLogs[candidate])
            guard alpha > 1 && alpha < 3 else { continue }
            let distance = Self.distance(candidate: candidate, alpha: alpha, distinctLogs: distinctLogs, below: below, count: count)
            if distance < best?.distance ?? .infinity { best = (candidate, distance) }
        }
        guard let chosen = best?.candidate else { return nil }

        // The chosen fit, recomputed the package's way: α from the sum of log(x/xmin).
        let xmin = distinct[chosen]
        let tail = Array(data[below[chosen]...])
        let tailLogs = Array(logs[below[chosen]...])
        let n = Double(tail.count)
        let alpha = 1 + n / Self.pairwiseSum(tail.map { Foundation.log($0 / xmin) })
        guard alpha < 3 else { return nil }
        self.xmin = xmin
        self.alpha = alpha
        standardError = (alpha - 1) / n.squareRoot()
        tailCount = tail.count
        ksDistance = Self.distance(candidate: chosen, alpha: alpha, distinctLogs: distinctLogs, below: below, count: count)

        let alternativeModel = TruncatedLognormal(tail: tail, logs: tailLogs, xmin: xmin)
        let fitted = alternativeModel.fit()
        self.lognormal = (fitted[0], fitted[1])

        // Log-likelihoods of each tail value under both fits; the package floors likelihoods at 1e-307.
        let normalizer = (alpha - 1) * Foundation.pow(xmin, alpha - 1)
        let powerLaw = tail.map { Foundation.log(Self.floored(Foundation.pow($0, -alpha) * normalizer)) }
        let alternative = alternativeModel.logLikelihoods(mu: fitted[0], sigma: fitted[1])
        lognormalComparison = Self.compare(powerLaw, alternative)
    }

    /// D for the candidate xmin at `distinct[candidate]`. The data's CDF at a distinct value u is
    /// the share of the data below u, rescaled to the tail as the package does it:
    /// `(F(u) - F(xmin)) / (1 - F(xmin))`.
    private static func distance(candidate: Int, alpha: Double, distinctLogs: [Double], below: [Int], count: Double) -> Double {
        let dropped = Double(below[candidate]) / count
        let logXmin = distinctLogs[candidate]
        var largest = -Double.infinity
        var smallest = Double.infinity
        for index in candidate..<distinctLogs.count {
            let empirical = (Double(below[index]) / count - dropped) / (1 - dropped)
            let fitted = 1 - Foundation.exp((1 - alpha) * (distinctLogs[index] - logXmin))
            let difference = fitted - empirical
            largest = Swift.max(largest, difference)
            smallest = Swift.min(smallest, difference)
        }
        return Swift.max(largest, -smallest)
    }

    /// R normalized and its p-value from per-value log-likelihoods, with the package's sums: the
    /// means by NumPy, R and the variance left to right.
    private static func compare(_ first: [Double], _ second: [Double]) -> (ratio: Double, p: Double) {
        let n = Double(first.count)
        let differences = zip(first, second).map { $0 - $1 }
        let total = differences.reduce(0, +)
        let meanDifference = pairwiseSum(first) / n - pairwiseSum(second) / n
        let variance = differences.reduce(0) { $0 + ($1 - meanDifference) * ($1 - meanDifference) } / n
        let p = Foundation.erfc(Swift.abs(total) / (2 * n * variance).squareRoot())
        return (total / (n * variance).squareRoot(), p)
    }

    /// The package's floor for likelihoods that underflow to zero.
    static let smallestLikelihood = Foundation.pow(10, -307.0)

    static func floored(_ likelihood: Double) -> Double { likelihood == 0 ? smallestLikelihood : likelihood }

    /// NumPy's pairwise summation (`np.sum` of a contiguous float64 array): runs of up to 128 added
    /// in eight interleaved partial sums, longer arrays split in halves at multiples of eight.
    static func pairwiseSum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwiseSum($0[...]) }
    }

    private static func pairwiseSum(_ values: Slice<UnsafeBufferPointer<Double>>) -> Double {
        let n = values.count
        let start = values.startIndex
        if n < 8 {
            var result = 0.0
            for value in values { result += value }
            return result
        }
        if n <= 128 {
            var partial = (0..<8).map { values[start + $0] }
            var index = 8
            while index < n - n % 8 {
                for lane in 0..<8 { partial[lane] += values[start + index + lane] }
                index += 8
            }
            var result = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]))
            while index < n {
                result += values[start + index]
                index += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(values[start..<(start + half)]) + pairwiseSum(values[(start + half)...])
    }
}

/// The lognormal truncated to x ≥ xmin, on a fixed tail, and its maximum-likelihood fit.
private struct TruncatedLognormal {
    let tail: [Double]
    let logs: [Double]
    let reciprocals: [Double]
    let xmin: Double

    init(tail: [Double], logs: [Double], xmin: Double) {
        self.tail = tail
        self.logs = logs
        reciprocals = tail.map { 1 / $0 }
        self.xmin = xmin
    }

    /// `log p(x)` for each tail value; likelihoods are floored at 1e-307, and all of them are the
    /// floor when σ ≤ 0 or the normalizer underflows, as in the package.
    func logLikelihoods(mu: Double, sigma: Double) -> [Double] {
        let floor = Foundation.log(PowerLawFit.smallestLikelihood)
        guard sigma > 0 else { return Array(repeating: floor, count: tail.count) }
        let root2 = Double(2).squareRoot()
        let normalizer = Self.scaledErfc(sigma * (Double.pi / 2).squareRoot(), -(mu - Foundation.log(xmin)) / (sigma * root2))
        guard normalizer > 0 else { return Array(repeating: floor, count: tail.count) }
        let twoVariance = 2 * (sigma * sigma)
        return tail.indices.map { index in
            let deviation = logs[index] - mu
            let density = reciprocals[index] * Foundation.exp(-(deviation * deviation) / twoVariance)
            return Foundation.log(PowerLawFit.floored(density / normalizer))
        }
    }

    /// `scale · erfc(z)`, rounded as the package rounds it. Where erfc or the product falls below
    /// the normal range (far out on the ridge where the fit drifts towards a power law, μ → -∞
    /// with σ large), rounding erfc to a subnormal first and then scaling would lose digits that
    /// the package, computing the product in multiple precision, keeps. There
    /// `erfc(z) = e^(-z²) / (√π c)` with the continued fraction
    /// `c = z + (1/2)/(z + 1/(z + (3/2)/(z + …)))`, and `e^(-z²) = 2^-k e^r` with
    /// `r = k log 2 - z²` near zero (z² split exactly, log 2 in two parts), so that the only
    /// rounding below the normal range is the last scaling by `2^-k`.
    static func scaledErfc(_ scale: Double, _ z: Double) -> Double {
        let complement = Foundation.erfc(z)
        let direct = scale * complement
        guard z > 20, scale > 0, direct < .leastNormalMagnitude || complement < .leastNormalMagnitude else { return direct }
        let square = z * z
        // e^-2000 times any finite scale is below the smallest subnormal.
        guard square < 2000 else { return 0 }
        let squareError = (-square).addingProduct(z, z)
        var fraction = z
        for k in stride(from: 40, through: 1, by: -1) { fraction = z + (Double(k) / 2) / fraction }
        let ln2High = 0.6931471803691238
        let ln2Low = 1.9082149292705877e-10
        let k = (square / ln2High).rounded()
        let r = ((k * ln2High - square) + k * ln2Low) - squareError
        let significand = Foundation.exp(r) * (scale / (fraction * Double.pi.squareRoot()))
        return Foundation.scalbn(significand, -Int(k))
    }

    /// (μ, σ) minimizing the negative log-likelihood, from the mean and (population) standard
    /// deviation of log x.
    func fit() -> [Double] {
        let n = Double(logs.count)
        let mean = PowerLawFit.pairwiseSum(logs) / n
        let deviation = PowerLawFit.pairwiseSum(logs.map { ($0 - mean) * ($0 - mean) }) / n
        return NelderMead.minimize(start: [mean, deviation.squareRoot()], lower: [-.infinity, 0], upper: [.infinity, .infinity]) {
            -PowerLawFit.pairwiseSum(logLikelihoods(mu: $0[0], sigma: $0[1]))
        }
    }
}

/// SciPy's Nelder-Mead (`scipy.optimize.minimize(method='Nelder-Mead', tol=1e-4)` with bounds),
/// reproduced step for step: initial simplex x0 and x0 with one coordinate scaled by 1.05
/// (0.00025 if zero); reflection 1, expansion 2, contraction and shrink 1/2; every trial point
/// clipped to the bounds; vertices kept sorted by value, ties and NaN as NumPy sorts them; stop
/// when all vertices are within `tolerance` of the best in every coordinate and in value, or
/// after 200 evaluations or iterations per coordinate.
private enum NelderMead {
    private struct Exhausted: Error {}

    static func minimize(start: [Double], lower: [Double], upper: [Double], tolerance: Double = 1e-4,
                         _ function: ([Double]) -> Double) -> [Double] {
        let dimension = start.count
        let limit = 200 * dimension
        var calls = 0
        func evaluate(_ point: [Double]) throws -> Double {
            guard calls < limit else { throw Exhausted() }
            calls += 1
            return function(point)
        }
        func clip(_ point: [Double]) -> [Double] {
            (0..<dimension).map { Swift.min(Swift.max(point[$0], lower[$0]), upper[$0]) }
        }
        func combine(_ a: Double, _ x: [Double], _ b: Double, _ y: [Double]) -> [Double] {
            (0..<dimension).map { a * x[$0] + b * y[$0] }
        }

        let origin = clip(start)
        var simplex = [origin]
        for coordinate in 0..<dimension {
            var vertex = origin
            vertex[coordinate] = vertex[coordinate] != 0 ? 1.05 * vertex[coordinate] : 0.00025
            simplex.append(vertex)
        }
        // A vertex pushed past an upper bound is reflected back inside, then clipped.
        simplex = simplex.map { vertex in
            clip((0..<dimension).map { vertex[$0] > upper[$0] ? 2 * upper[$0] - vertex[$0] : vertex[$0] })
        }
        var values = Array(repeating: Double.infinity, count: dimension + 1)
        for index in simplex.indices {
            guard let value = try? evaluate(simplex[index]) else { break }
            values[index] = value
        }
        func order() {
            // Stable insertion sort with NaN last, as NumPy orders the few vertices.
            var indices = Array(simplex.indices)
            for i in 1..<indices.count {
                var j = i
                while j > 0 && precedes(values[indices[j]], values[indices[j - 1]]) {
                    indices.swapAt(j, j - 1)
                    j -= 1
                }
            }
            simplex = indices.map { simplex[$0] }
            values = indices.map { values[$0] }
        }
        order()

        var iterations = 1
        while calls < limit && iterations < limit {
            let spread = largest(simplex.dropFirst().flatMap { vertex in (0..<dimension).map { Swift.abs(vertex[$0] - simplex[0][$0]) } })
            let rise = largest(values.dropFirst().map { Swift.abs(values[0] - $0) })
            if spread <= tolerance && rise <= tolerance { break }
            do {
                var centroid = simplex[0]
                for vertex in simplex[1..<dimension] { centroid = (0..<dimension).map { centroid[$0] + vertex[$0] } }
                centroid = centroid.map { $0 / Double(dimension) }
                let worst = simplex[dimension]
                let reflected = clip(combine(2, centroid, -1, worst))
                let reflectedValue = try evaluate(reflected)
                var shrink = false
                if reflectedValue < values[0] {
                    let expanded = clip(combine(3, centroid, -2, worst))
                    let expandedValue = try evaluate(expanded)
                    if expandedValue < reflectedValue {
                        simplex[dimension] = expanded
                        values[dimension] = expandedValue
                    } else {
                        simplex[dimension] = reflected
                        values[dimension] = reflectedValue
                    }
                } else if reflectedValue < values[dimension - 1] {
                    simplex[dimension] = reflected
                    values[dimension] = reflectedValue
                } else if reflectedValue < values[dimension] {
                    let contracted = clip(combine(1.5, centroid, -0.5, worst))
                    let contractedValue = try evaluate(contracted)
                    if contractedValue <= reflectedValue {
                        simplex[dimension] = contracted
                        values[dimension] = contractedValue
                    } else {
                        shrink = true
                    }
                } else {
                    let contracted = clip(combine(0.5, centroid, 0.5, worst))
                    let contractedValue = try evaluate(contracted)
                    if contractedValue < values[dimension] {
                        simplex[dimension] = contracted
                        values[dimension] = contractedValue
                    } else {
                        shrink = true
                    }
                }
                if shrink {
                    for index in 1...dimension {
                        simplex[index] = clip((0..<dimension).map { simplex[0][$0] + 0.5 * (simplex[index][$0] - simplex[0][$0]) })
                        values[index] = try evaluate(simplex[index])
                    }
                }
                iterations += 1
            } catch {
                // Out of evaluations: keep what the iteration had done, as SciPy does.
            }
            order()
        }
        return simplex[0]
    }

    /// NumPy's sort order: numbers ascending, NaN after all of them.
    private static func precedes(_ a: Double, _ b: Double) -> Bool {
        a < b || (b.isNaN && !a.isNaN)
    }

    /// The largest element, NaN if any is NaN (as `np.max`).
    private static func largest(_ values: [Double]) -> Double {
        var result = -Double.infinity
        for value in values {
            if value.isNaN { return .nan }
            result = Swift.max(result, value)
        }
        return result
    }
}
