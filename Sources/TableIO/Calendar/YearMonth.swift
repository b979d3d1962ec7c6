/// A calendar month, such as 2024-02, ordered and countable.
public struct YearMonth: Hashable, Comparable, Sendable, Strideable, CustomStringConvertible {
    /// Months since year 0: `year * 12 + (month - 1)`.
    public let index: Int

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month))
        self.index = year * 12 + month - 1
    }

    public init(index: Int) {
        self.index = index
    }

    public var year: Int { index >= 0 ? index / 12 : (index - 11) / 12 }
    public var month: Int { index - year * 12 + 1 }

    /// The first day of the month.
    public var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1) }
    /// The last day of the month.
    public var lastDay: CivilDate { CivilDate(year: year, month: month, day: dayCount) }
    /// The number of days in the month.
    public var dayCount: Int { CivilDate.daysIn(year: year, month: month) }

    /// The month `count` months later (earlier for a negative count).
    public func adding(months count: Int) -> YearMonth { YearMonth(index: index + count) }

    /// Months from `self` to `other` (positive when `other` is later).
    public func months(to other: YearMonth) -> Int { other.index - index }

    public func distance(to other: YearMonth) -> Int { other.index - index }
    public func advanced(by n: Int) -> YearMonth { YearMonth(index: index + n) }

    /// `YYYY-MM`.
    public var description: String { CivilDate.pad(year, 4) + "-" + CivilDate.pad(month, 2) }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.index < rhs.index }
}
