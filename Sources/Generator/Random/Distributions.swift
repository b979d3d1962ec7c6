import TableIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's own mapping from raw 64-bit draws to values.
///
/// The standard library's `random(in:using:)` may change its mapping between Swift versions;
/// these functions fix theirs, so a seed names the same dataset on every toolchain. Each
/// function documents its method and how many raw draws it consumes.
extension RandomNumberGenerator {
    /// A uniform `Double` in [0, 1) with 53 random bits (one draw).
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Double` in the open interval (0, 1), safe for `log` and quantile functions (one draw).
    @inlinable
    public mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A uniform `Double` in [low, high) (one draw).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A uniform integer in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    ///
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    @inlinable
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// `true` with probability `p` (one draw).
    @inlinable
    public mutating func bernoulli(_ p: Double) -> Bool {
        nextUnit() < p
    }

    /// A normal variate by the Box-Muller transform (two draws, the cosine branch only).
    public mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let radius = (-2 * log(nextOpenUnit())).squareRoot()
        let angle = 2 * Double.pi * nextUnit()
        return mean + standardDeviation * radius * cos(angle)
    }

    /// A lognormal variate: `exp(normal(mu, sigma))`.
    public mutating func lognormal(mu: Double, sigma: Double) -> Double {
        exp(normal(mean: mu, standardDeviation: sigma))
    }

    /// An exponential variate with the given rate, by inversion (one draw).
    public mutating func exponential(rate: Double) -> Double {
        -log(nextOpenUnit()) / rate
    }

    /// A Pareto (type I) variate with scale `xMin` and shape `alpha`, by inversion (one draw):
    /// `P(X > x) = (xMin / x)^alpha` for `x >= xMin`.
    public mutating func pareto(xMin: Double, alpha: Double) -> Double {
        xMin * pow(nextOpenUnit(), -1 / alpha)
    }

    /// A gamma variate with the given shape and scale (Marsaglia and Tsang, 2000).
    ///
    /// For `shape < 1` it draws Gamma(shape + 1) and multiplies by `U^(1/shape)`.
    public mutating func gamma(shape: Double, scale: Double = 1) -> Double {
        precondition(shape > 0 && scale > 0)
        if shape < 1 {
            let boosted = gamma(shape: shape + 1, scale: scale)
            return boosted * pow(nextOpenUnit(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUnit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v * scale }
        }
    }

    /// A beta variate as `X / (X + Y)` with `X ~ Gamma(a)` and `Y ~ Gamma(b)`.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a)
        let y = gamma(shape: b)
        return x / (x + y)
    }

    /// A Poisson variate: Knuth's product method below a mean of 30, Hörmann's PTRS
    /// transformed rejection (1993, as numpy uses) above.
    public mutating func poisson(mean lambda: Double) -> Int {
        precondition(lambda >= 0)
        if lambda == 0 { return 0 }
        if lambda < 30 {
            let limit = exp(-lambda)
            var product = nextUnit()
            var count = 0
            while product > limit {
                count += 1
                product *= nextUnit()
            }
            return count
        }
        let slam = lambda.squareRoot()
        let logLambda = log(lambda)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUnit() - 0.5
            let v = nextUnit()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - lgamma(k + 1) {
                return Int(k)
            }
        }
    }

    /// A uniformly random date in `range` (one draw).
    public mutating func date(in range: ClosedRange<CivilDate>) -> CivilDate {
        CivilDate(dayNumber: range.lowerBound.dayNumber + nextInt(below: range.upperBound.dayNumber - range.lowerBound.dayNumber + 1))
    }

    /// Shuffles `array` in place (Fisher-Yates, `count - 1` bounded draws).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A uniformly random permutation of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }

    /// An element of `array` chosen uniformly.
    public mutating func element<T>(of array: [T]) -> T {
        array[nextInt(below: array.count)]
    }
}
