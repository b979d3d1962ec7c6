/// Revenue concentration: the Gini coefficient and top-k shares.
public enum Concentration {
    /// The Gini coefficient of non-negative values, Σ (2i - n - 1) x_(i) / (n Σ x) over the
    /// values in ascending order (i from 1): 0 when all are equal, (n - 1) / n when one value
    /// holds everything; nil when the total is 0.
    public static func gini<Values: Collection<Int>>(_ values: Values) -> Double? {
        let total = values.reduce(0, +)
        guard total > 0 else { return nil }
        let n = values.count
        var weighted = 0.0
        for (index, value) in values.sorted().enumerated() { weighted += Double(2 * (index + 1) - n - 1) * Double(value) }
        return weighted / (Double(n) * Double(total))
    }
}
