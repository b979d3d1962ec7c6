/// Ordinary least squares by the normal equations, solved with Gaussian elimination and partial
/// pivoting: enough for the handful of regressors of the seasonal model.
public enum LeastSquares {
    /// The coefficients b minimizing |y - X b|², or nil if X'X is singular.
    public static func fit(rows: [[Double]], y: [Double]) -> [Double]? {
        guard let width = rows.first?.count, rows.count == y.count, rows.count >= width else { return nil }
        var matrix = Array(repeating: Array(repeating: 0.0, count: width + 1), count: width)
        for (row, value) in zip(rows, y) {
            for i in 0..<width {
                for j in 0..<width { matrix[i][j] += row[i] * row[j] }
                matrix[i][width] += row[i] * value
            }
        }
        for column in 0..<width {
            let pivot = (column..<width).max { abs(matrix[$0][column]) < abs(matrix[$1][column]) }!
            guard abs(matrix[pivot][column]) > 1e-12 else { return nil }
            matrix.swapAt(column, pivot)
            for row in 0..<width where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                if factor == 0 { continue }
                for index in column...width { matrix[row][index] -= factor * matrix[column][index] }
            }
        }
        return (0..<width).map { matrix[$0][width] / matrix[$0][$0] }
    }
}

/// The seasonal lifts of SPEC 3.2: log y = a + b t + c_Q4 [Oct-Dec] + c_Jan [Jan] + c_Sum [Jun-Aug],
/// lift = exp(c) - 1.
public enum SeasonalLifts {
    public static func fit(_ values: [Double], months: [Int]) -> (q4: Double, january: Double, summer: Double)? {
        model(values, months: months)?.lifts
    }

    /// The lifts and the model's fitted values exp(a + b t + ...), one per month.
    public static func model(_ values: [Double], months: [Int])
        -> (lifts: (q4: Double, january: Double, summer: Double), fitted: [Double])? {
        guard values.count == months.count, values.allSatisfy({ $0 > 0 }) else { return nil }
        let rows = months.enumerated().map { index, month in
            [1, Double(index), month >= 10 ? 1 : 0, month == 1 ? 1 : 0, (6...8).contains(month) ? 1 : 0]
        }
        guard let c = LeastSquares.fit(rows: rows, y: values.map { Foundation.log($0) }) else { return nil }
        let fitted = rows.map { row in Foundation.exp(zip(row, c).reduce(0) { $0 + $1.0 * $1.1 }) }
        return ((Foundation.exp(c[2]) - 1, Foundation.exp(c[3]) - 1, Foundation.exp(c[4]) - 1), fitted)
    }
}

import Foundation
