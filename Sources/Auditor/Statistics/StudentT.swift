import Foundation

/// Student's t distribution: the CDF through the regularized incomplete beta function, and
/// its quantile by bisection on the CDF (to the last bit of a Double).
public enum StudentT {
    /// P(T <= t) for `df` degrees of freedom.
    public static func cdf(_ t: Double, df: Double) -> Double {
        // x and 1 - x computed separately: near t = 0, x is close to 1 and 1 - x would lose digits.
        let x = df / (df + t * t)
        let complement = t * t / (df + t * t)
        let tail = 0.5 * IncompleteBeta.regularized(x, complement: complement, a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T <= t) = p, for 0 < p < 1.
    public static func quantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1 && df > 0)
        var low = -1.0
        var high = 1.0
        while cdf(low, df: df) > p { low *= 2 }
        while cdf(high, df: df) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if cdf(middle, df: df) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz), using the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges slowly.
enum IncompleteBeta {
    /// I_x(a, b), given x and 1 - x (each computed without cancellation by the caller).
    static func regularized(_ x: Double, complement: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if complement <= 0 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(complement)
        let logFront = logBeta + logPowers
        if x < (a + 1) / (a + b + 2) {
            return Foundation.exp(logFront) * fraction(x, a: a, b: b) / a
        }
        return 1 - Foundation.exp(logFront) * fraction(complement, a: b, b: a) / b
    }

    private static func fraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...10_000 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-16 { break }
        }
        return result
    }
}
