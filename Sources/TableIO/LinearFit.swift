/// The least-squares line through y against 0, 1, 2, ...
public struct LinearFit: Sendable {
    public let slope: Double
    public let intercept: Double
    /// R² of the line (1 for a constant series).
    public let rSquared: Double

    public init(_ values: [Double]) {
        let n = Double(values.count)
        let meanX = (n - 1) / 2
        let meanY = values.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (index, value) in values.enumerated() {
            let dx = Double(index) - meanX
            let dy = value - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        slope = sxx == 0 ? 0 : sxy / sxx
        intercept = meanY - slope * meanX
        rSquared = syy == 0 ? 1 : sxy * sxy / (sxx * syy)
    }
}
