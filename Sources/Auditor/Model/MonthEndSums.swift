import TableIO

/// Sums over month ends in one pass: each row adds its value to every month end at which it is
/// active (started on or before that day, not ended by it), through a difference array.
///
/// Position 0 is the end of the month before the first month, position k the end of month k - 1.
/// Values are added as whole millionths in a 128-bit integer: exact (a sub-cent amount survives,
/// and a huge one added and later subtracted leaves no trace), so the sums do not depend on the
/// order of the rows. A value too large for that (beyond 10^26, or not finite) is not added and
/// is counted in ``unsummable``.
///
/// - Complexity: O(1) per row, O(months) for the totals; never rows x months.
struct MonthEndSums {
    let first: YearMonth
    let count: Int
    private var deltas: [Int128]
    /// Rows whose value could not be added (not finite, or beyond 10^26).
    private(set) var unsummable = 0

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
        let scaled = (value * 1e6).rounded()
        guard scaled.isFinite, abs(scaled) < 1e32, let micros = Int128(exactly: scaled) else {
            unsummable += 1
            return
        }
        let from = max(0, first.months(to: start.yearMonth) + 1)
        let until = min(count + 1, end.map { first.months(to: $0.yearMonth) + 1 } ?? count + 1)
        guard from < until else { return }
        deltas[from] += micros
        deltas[until] -= micros
    }

    /// The sums at positions 0 ... count.
    var totals: [Double] {
        var running: Int128 = 0
        return (0...count).map { position in
            running += deltas[position]
            return Double(running) / 1e6
        }
    }
}
