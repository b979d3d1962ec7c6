import Testing
@testable import TableIO

@Suite("calendar")
struct CalendarTests {
    @Test("known day numbers")
    func knownDays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1).dayNumber == 11_017)
        #expect(CivilDate(year: 2023, month: 1, day: 1).dayNumber == 19_358)
        #expect(CivilDate(year: 1969, month: 12, day: 31).dayNumber == -1)
        #expect(CivilDate(year: 2024, month: 12, day: 31).dayNumber - CivilDate(year: 2023, month: 1, day: 1).dayNumber == 730)
    }

    @Test("every day from 1900 to 2100 round-trips through its components and its text")
    func roundTrip() {
        var expected = CivilDate(year: 1900, month: 1, day: 1).dayNumber
        for year in 1900...2100 {
            for month in 1...12 {
                for day in 1...CivilDate.daysIn(year: year, month: month) {
                    let date = CivilDate(year: year, month: month, day: day)
                    #expect(date.dayNumber == expected)
                    let parts = date.components
                    #expect(parts.year == year && parts.month == month && parts.day == day)
                    expected += 1
                }
            }
        }
        let sample = CivilDate(year: 2024, month: 2, day: 29)
        #expect(sample.description == "2024-02-29")
        #expect(CivilDate("2024-02-29") == sample)
    }

    @Test("parsing rejects impossible and malformed dates", arguments: [
        "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01", "2024/01/01", "2024-01-1x", "",
    ])
    func rejects(text: String) {
        #expect(CivilDate(text) == nil)
    }

    @Test("leap years and weekdays")
    func leapYearsAndWeekdays() {
        #expect(CivilDate.isLeapYear(2000) && CivilDate.isLeapYear(2024))
        #expect(!CivilDate.isLeapYear(1900) && !CivilDate.isLeapYear(2023))
        #expect(CivilDate(year: 2024, month: 1, day: 1).isoWeekday == 1)
        #expect(CivilDate(year: 1970, month: 1, day: 1).isoWeekday == 4)
        #expect(CivilDate(year: 1969, month: 12, day: 28).isoWeekday == 7)
    }

    @Test("month arithmetic")
    func months() {
        let january = YearMonth(year: 2023, month: 1)
        #expect(january.adding(months: 23).description == "2024-12")
        #expect(january.adding(months: -1).description == "2022-12")
        #expect(YearMonth(year: 2024, month: 2).lastDay.description == "2024-02-29")
        #expect(Array(january...january.adding(months: 2)).map(\.description) == ["2023-01", "2023-02", "2023-03"])
        #expect(CivilDate(year: 2024, month: 3, day: 15).yearMonth == YearMonth(year: 2024, month: 3))
        #expect(YearMonth(index: -1).year == -1 && YearMonth(index: -1).month == 12)
    }
}

@Suite("number formatting")
struct FormatTests {
    @Test("fixed decimals, rounded half away from zero")
    func fixed() {
        #expect(Format.fixed(12.5, 2) == "12.50")
        #expect(Format.fixed(0.125, 2) == "0.13")
        #expect(Format.fixed(-0.3, 1) == "-0.3")
        #expect(Format.fixed(-0.001, 2) == "0.00")
        #expect(Format.fixed(2.0 / 3.0, 4) == "0.6667")
        #expect(Format.fixed(1_234_567, 0) == "1234567")
        #expect(Format.fixed(.nan, 2) == "nan")
    }

    @Test("percentages, grouping and dollars")
    func others() {
        #expect(Format.percent(0.6234) == "62.3%")
        #expect(Format.grouped(1_245_678) == "1,245,678")
        #expect(Format.grouped(-999) == "-999")
        #expect(Format.grouped(1_000) == "1,000")
        #expect(Format.dollars(cents: 12_345_678) == "$123,457")
        #expect(Format.dollars(cents: -5_050) == "-$51")
    }
}
