/// A discrete distribution over `0..<weights.count`, sampled by inversion of its cumulative weights.
///
/// - Complexity: O(log k) per draw by binary search; one raw draw each.
public struct Categorical: Sendable {
    /// Cumulative probabilities, the last one exactly 1.
    public let cumulative: [Double]

    /// A distribution proportional to `weights` (non-negative, not all zero).
    public init(weights: [Double]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 })
        let total = weights.reduce(0, +)
        precondition(total > 0, "weights must not all be zero")
        var running = 0.0
        var cumulative = weights.map { weight -> Double in
            running += weight
            return running / total
        }
        cumulative[cumulative.count - 1] = 1
        self.cumulative = cumulative
    }

    /// The number of outcomes.
    public var count: Int { cumulative.count }

    /// The probability of outcome `index`.
    public func probability(_ index: Int) -> Double {
        cumulative[index] - (index == 0 ? 0 : cumulative[index - 1])
    }

    /// Draws an outcome.
    public func sample(using rng: inout some RandomNumberGenerator) -> Int {
        let u = rng.nextUnit()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if u < cumulative[mid] { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// Splits `total` into integer counts proportional to `weights` by the largest-remainder method.
///
/// The counts sum to `total` exactly and each differs from its exact share by less than one;
/// ties in the remainders go to the lower index, so the result is deterministic.
public func apportion(_ total: Int, weights: [Double]) -> [Int] {
    precondition(total >= 0 && !weights.isEmpty)
    let sum = weights.reduce(0, +)
    let exact = weights.map { Double(total) * $0 / sum }
    var counts = exact.map { Int($0.rounded(.down)) }
    let remaining = total - counts.reduce(0, +)
    let order = exact.indices.sorted { lhs, rhs in
        let left = exact[lhs] - Double(counts[lhs])
        let right = exact[rhs] - Double(counts[rhs])
        return left != right ? left > right : lhs < rhs
    }
    for index in order.prefix(remaining) { counts[index] += 1 }
    return counts
}
