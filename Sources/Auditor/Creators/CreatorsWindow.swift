import TableIO

/// The window of the creators profile (SPEC section 9): 2023-01 .. 2024-12, as of the last second.
struct CreatorsWindow: Sendable {
    let months: [YearMonth]
    /// Month starts and month ends (last second) in seconds.
    let starts: [Int64]
    let ends: [Int64]
    let asOf: Int64
    let start: Int64
    /// One tenure month: 30.4375 days.
    let tenure: Int64 = 2_629_800

    init(first: YearMonth = YearMonth(year: 2023, month: 1), last: YearMonth = YearMonth(year: 2024, month: 12)) {
        months = Array(first...last)
        starts = months.map { Int64($0.firstDay.dayNumber) * 86_400 }
        ends = months.map { Int64($0.lastDay.dayNumber) * 86_400 + 86_399 }
        asOf = ends[ends.count - 1]
        start = starts[0]
    }

    /// The window month a moment falls in, or nil outside the window.
    func monthIndex(_ moment: Int64) -> Int? {
        guard moment >= start && moment <= asOf else { return nil }
        let day = Int(moment / 86_400)
        let month = CivilDate(dayNumber: day).yearMonth
        return months[0].months(to: month)
    }
}
