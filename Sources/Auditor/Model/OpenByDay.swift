/// How many lives (pledges, subscriptions) are open on each day, per row (a slice): a difference
/// table that each interval is added to in constant time and that is summed once.
struct OpenByDay {
    let rows: Int
    let days: Int
    private var changes: [Double]

    init(rows: Int, days: Int) {
        self.rows = rows
        self.days = days
        changes = Array(repeating: 0, count: rows * (days + 1))
    }

    /// A life open from day `first` through day `last` (both within the days, first <= last).
    mutating func add(row: Int, from first: Int, through last: Int) {
        changes[row * (days + 1) + first] += 1
        changes[row * (days + 1) + last + 1] -= 1
    }

    /// The open count of each (row, day), row after row.
    /// - Complexity: O(rows x days).
    func counts() -> [Double] {
        var result = Array(repeating: 0.0, count: rows * days)
        for row in 0..<rows {
            var running = 0.0
            for day in 0..<days {
                running += changes[row * (days + 1) + day]
                result[row * days + day] = running
            }
        }
        return result
    }
}
