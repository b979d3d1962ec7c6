/// The Wilson score interval for a binomial proportion (Wilson, 1927).
///
/// `p̂ = k/n`, `z = 1.96`: centre `(p̂ + z²/2n) / (1 + z²/n)`, half-width
/// `z √(p̂(1-p̂)/n + z²/4n²) / (1 + z²/n)`. Unlike the normal interval it stays inside [0, 1]
/// and behaves at k = 0 and k = n.
public enum Wilson {
    public static func interval(successes: Int, n: Int, z: Double = 1.959963984540054) -> ClosedRange<Double> {
        precondition(n > 0 && successes >= 0 && successes <= n)
        let count = Double(n)
        let p = Double(successes) / count
        let z2 = z * z
        let denominator = 1 + z2 / count
        let centre = (p + z2 / (2 * count)) / denominator
        let half = z * (p * (1 - p) / count + z2 / (4 * count * count)).squareRoot() / denominator
        // The ends are exact at k = 0 and k = n (rounding would otherwise leave them a hair off).
        let lower = successes == 0 ? 0 : max(0, centre - half)
        let upper = successes == n ? 1 : min(1, centre + half)
        return lower...upper
    }
}
