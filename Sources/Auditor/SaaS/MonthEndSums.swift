import TableIO

/// Sums over month ends in one pass: each row adds its value to every month end at which it is
/// active (started on or before that day, not ended by it), through a difference array.
///
/// Position 0 is the end of the month before the first month, position k the end of month k - 1.
/// Values are added as whole cents in `Double`, exact up to 2^53 cents, so the sums do not depend
/// on the order of the rows.
///
/// - Complexity: O(1) per row, O(months) for the totals; never rows x months.
struct MonthEndSums {
    let first: YearMonth
    let count: Int
    private var deltas: [Double]

    /// Month ends from the end of the month before `first` through the end of `first + count - 1`.
    init(first: YearMonth, count: Int) {
        self.first = first
        self.count = count
        deltas = Array(repeating: 0, count: count + 2)
    }

    /// Adds `value` at the end of every month m with `start`'s month <= m < `end`'s month: a row
    /// that starts on day d is active at the end of d's month; one that ends on day e is no longer
    /// active at the end of e's month (an end on the last day of a month included).
    mutating func add(start: CivilDate, end: CivilDate?, value: Double) {
        let from = max(0, first.months(to: start.yearMonth) + 1)
        let until = min(count + 1, end.map { first.months(to: $0.yearMonth) + 1 } ?? count + 1)
        guard from < until else { return }
        deltas[from] += value
        deltas[until] -= value
    }

    /// The sums at positions 0 ... count.
    var totals: [Double] {
        var running = 0.0
        return (0...count).map { position in
            running += deltas[position]
            return running
        }
    }

    /// A money amount in whole cents (rounded), as the sums hold it.
    static func cents(_ dollars: Double) -> Double { (dollars * 100).rounded() }
}
