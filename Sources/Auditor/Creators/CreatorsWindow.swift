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

    /// The window `first ... last`, at most ``AuditWindow/maximumMonths`` long (the mapping
    /// profile refuses longer ones).
    init(first: YearMonth = YearMonth(year: 2023, month: 1), last: YearMonth = YearMonth(year: 2024, month: 12)) {
        precondition(first <= last && first.months(to: last) < AuditWindow.maximumMonths)
        months = Array(first...last)
        starts = months.map { Int64($0.firstDay.dayNumber) * 86_400 }
        ends = months.map { Int64($0.lastDay.dayNumber) * 86_400 + 86_399 }
        asOf = ends[ends.count - 1]
        start = starts[0]
        var dayMonth: [Int32] = []
        var dayOfMonth: [Int8] = []
        for (index, month) in months.enumerated() {
            for day in 1...month.dayCount {
                dayMonth.append(Int32(index))
                dayOfMonth.append(Int8(day))
            }
        }
        self.dayMonth = dayMonth
        self.dayOfMonth = dayOfMonth
    }

    /// For each day of the window (0 = its first day): its month index and its day of the month,
    /// so that the row loops need no calendar arithmetic.
    let dayMonth: [Int32]
    let dayOfMonth: [Int8]

    /// The window month a moment falls in, or nil outside the window.
    @inline(__always)
    func monthIndex(_ moment: Int64) -> Int? {
        guard moment >= start && moment <= asOf else { return nil }
        return Int(dayMonth[Int((moment - start) / 86_400)])
    }

    /// The day of the month of a moment.
    @inline(__always)
    func day(_ moment: Int64) -> Int {
        if moment >= start && moment <= asOf { return Int(dayOfMonth[Int((moment - start) / 86_400)]) }
        let day = moment >= 0 ? moment / 86_400 : (moment - 86_399) / 86_400
        return CivilDate(dayNumber: Int(day)).day
    }
}
