/// Ordinary least squares by the normal equations, (X'X)⁻¹ by Gauss-Jordan elimination with
/// partial pivoting: enough for the handful of regressors of the seasonal model.
public enum LeastSquares {
    /// An ordinary least-squares fit with the classical (non-robust) standard errors, as
    /// statsmodels' `OLS(y, X).fit()` reports them: s² = RSS / (n - p), se_j = √(s² [(X'X)⁻¹]_jj).
    public struct Fit: Sendable {
        public var coefficients: [Double]
        public var standardErrors: [Double]
        public var residualDegreesOfFreedom: Int
        public var fitted: [Double]

        /// The 95% (or `level`) interval of coefficient j: b_j ± t(df) se_j.
        public func interval(_ j: Int, level: Double = 0.95) -> ClosedRange<Double> {
            let t = StudentT.quantile(1 - (1 - level) / 2, df: Double(residualDegreesOfFreedom))
            return (coefficients[j] - t * standardErrors[j])...(coefficients[j] + t * standardErrors[j])
        }
    }

    /// The fit of y on the rows of X with standard errors, or nil if X'X is singular or there
    /// are no residual degrees of freedom.
    public static func fit(rows: [[Double]], y: [Double]) -> Fit? {
        guard let width = rows.first?.count, rows.count == y.count, rows.count > width,
              let inverse = inverse(gram(rows)) else { return nil }
        var xty = Array(repeating: 0.0, count: width)
        for (row, value) in zip(rows, y) { for i in 0..<width { xty[i] += row[i] * value } }
        let coefficients = (0..<width).map { i in (0..<width).reduce(0.0) { $0 + inverse[i][$1] * xty[$1] } }
        let fitted = rows.map { row in zip(row, coefficients).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let residualSum = zip(y, fitted).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let degrees = rows.count - width
        let variance = residualSum / Double(degrees)
        return Fit(coefficients: coefficients, standardErrors: (0..<width).map { (variance * inverse[$0][$0]).squareRoot() },
                   residualDegreesOfFreedom: degrees, fitted: fitted)
    }

    static func gram(_ rows: [[Double]]) -> [[Double]] {
        let width = rows[0].count
        var matrix = Array(repeating: Array(repeating: 0.0, count: width), count: width)
        for row in rows { for i in 0..<width { for j in 0..<width { matrix[i][j] += row[i] * row[j] } } }
        return matrix
    }

    /// The inverse by Gauss-Jordan elimination with partial pivoting, or nil when singular.
    static func inverse(_ matrix: [[Double]]) -> [[Double]]? {
        let width = matrix.count
        var work = matrix.enumerated().map { index, row in row + (0..<width).map { $0 == index ? 1.0 : 0.0 } }
        for column in 0..<width {
            var pivot = column
            for row in column..<width where abs(work[row][column]) > abs(work[pivot][column]) { pivot = row }
            guard abs(work[pivot][column]) > 1e-12 else { return nil }
            work.swapAt(column, pivot)
            let scale = work[column][column]
            for index in 0..<(2 * width) { work[column][index] /= scale }
            for row in 0..<width where row != column {
                let factor = work[row][column]
                if factor == 0 { continue }
                for index in 0..<(2 * width) { work[row][index] -= factor * work[column][index] }
            }
        }
        return work.map { Array($0[width...]) }
    }
}

/// The seasonal lifts of SPEC 3.2: log y = a + b t + c_Q4 [Oct-Dec] + c_Jan [Jan] + c_Sum [Jun-Aug],
/// lift = exp(c) - 1.
public enum SeasonalLifts {
    /// One lift: exp(c) - 1, its standard error on the log scale (se of c), and its 95%
    /// interval exp(c ± t se) - 1 with t from Student's t on n - 5 degrees of freedom.
    public struct Lift: Sendable {
        public var value: Double
        public var logStandardError: Double
        public var interval: ClosedRange<Double>
    }

    /// The regressors of month t (0-based) of calendar month `months[t]`: 1, t, Q4, January, summer.
    public static func design(_ months: [Int]) -> [[Double]] {
        months.enumerated().map { index, month in
            [1, Double(index), month >= 10 ? 1 : 0, month == 1 ? 1 : 0, (6...8).contains(month) ? 1 : 0]
        }
    }

    /// The three lifts and the model's fitted values exp(a + b t + ...), one per month; nil
    /// for a series with a zero or negative value, or too short to fit.
    public static func model(_ values: [Double], months: [Int]) -> (q4: Lift, january: Lift, summer: Lift, fitted: [Double])? {
        guard values.count == months.count, values.allSatisfy({ $0 > 0 }),
              let fit = LeastSquares.fit(rows: design(months), y: values.map { Foundation.log($0) }) else { return nil }
        func lift(_ j: Int) -> Lift {
            let interval = fit.interval(j)
            return Lift(value: Foundation.exp(fit.coefficients[j]) - 1, logStandardError: fit.standardErrors[j],
                        interval: (Foundation.exp(interval.lowerBound) - 1)...(Foundation.exp(interval.upperBound) - 1))
        }
        return (lift(2), lift(3), lift(4), fit.fitted.map { Foundation.exp($0) })
    }
}

import Foundation
