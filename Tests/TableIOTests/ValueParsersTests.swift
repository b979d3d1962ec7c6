import Testing
@testable import TableIO
import Generator

@Suite("value parsers")
struct ValueParsersTests {
    static func with<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @Test("timestamps in the accepted forms", arguments: [
        ("2024-12-31 23:59:59", Int64(1_735_689_599)),
        ("2024-12-31T23:59:59", 1_735_689_599),
        ("2024-12-31T23:59:59Z", 1_735_689_599),
        ("2024-12-31T23:59:59.250Z", 1_735_689_599),
        ("2024-12-31T23:59:59+00:00", 1_735_689_599),
        ("2025-01-01T01:59:59+02:00", 1_735_689_599),
        ("2024-12-31", 1_735_603_200),
        ("1970-01-01 00:00:00", 0),
        ("2024-02-29 12:00:00", 1_709_208_000),
    ])
    func timestamps(text: String, expected: Int64) {
        #expect(Self.with(text) { ValueParsers.timestamp($0) } == expected)
    }

    @Test("malformed timestamps are nil", arguments: [
        "", "2024-13-01", "2023-02-29", "2024-12-31 24:00:00", "2024/12/31", "2024-12-31 23:59", "31/12/2024",
        "2024-12-31 23:59:59 UTC", "2024-12-31T23:59:59.Z", "2024-12-31x23:59:59", "20x4-12-31",
    ])
    func badTimestamps(text: String) {
        #expect(Self.with(text) { ValueParsers.timestamp($0) } == nil)
    }

    @Test("amounts in cents", arguments: [
        ("12.34", 1_234), ("12.3", 1_230), ("12", 1_200), ("0.05", 5), ("-0.05", -5), ("+7.00", 700), (".5", 50),
    ])
    func cents(text: String, expected: Int) {
        #expect(Self.with(text) { ValueParsers.cents($0) } == expected)
    }

    @Test("malformed amounts are nil", arguments: ["", "-", "1.234", "1,00", "12a", "1.2.3", "$5", "1e3"])
    func badCents(text: String) {
        #expect(Self.with(text) { ValueParsers.cents($0) } == nil)
    }

    @Test("integers, doubles and booleans")
    func others() {
        #expect(Self.with("-42") { ValueParsers.integer($0) } == -42)
        #expect(Self.with("4x") { ValueParsers.integer($0) } == nil)
        #expect(Self.with("3e-4") { ValueParsers.double($0) } == 3e-4)
        #expect(Self.with("1,5") { ValueParsers.double($0) } == nil)
        for (text, value) in [("true", true), ("True", true), ("TRUE", true), ("1", true), ("false", false), ("False", false), ("0", false)] {
            #expect(Self.with(text) { ValueParsers.boolean($0) } == value, "\(text)")
        }
        for text in ["yes", "t", "2", ""] { #expect(Self.with(text) { ValueParsers.boolean($0) } == nil, "\(text)") }
    }

    @Test("dates through the month table agree with the calendar arithmetic on every day of 1899-2201, and impossible days fail")
    func monthTable() {
        for year in 1899...2201 {
            for month in 1...12 {
                let days = CivilDate.daysIn(year: year, month: month)
                for day in [1, 15, days] {
                    let text = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
                    let expected = Int64(CivilDate(year: year, month: month, day: day).dayNumber) * 86_400
                    #expect(Self.with(text) { ValueParsers.timestamp($0) } == expected, "\(text)")
                }
                let impossible = "\(year)-\(month < 10 ? "0" : "")\(month)-\(days + 1)"
                #expect(Self.with(impossible) { ValueParsers.timestamp($0) } == nil, "\(impossible)")
            }
        }
    }

    @Test("the loop-free reading of YYYY-MM-DD HH:MM:SS agrees with the general one on valid and broken timestamps")
    func plainTimestamps() {
        var generator = SplitMix64(seed: 99)
        func next(_ bound: Int) -> Int { generator.nextInt(below: bound) }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        for _ in 0..<20_000 {
            let year = 1890 + next(320)
            let month = 1 + next(13)
            let day = 1 + next(31)
            let hour = next(25)
            let minute = next(61)
            let second = next(62)
            var text = "\(year)-\(two(month))-\(two(day))\(next(2) == 0 ? " " : "T")\(two(hour)):\(two(minute)):\(two(second))"
            if next(10) == 0 {
                var bytes = Array(text.utf8)
                bytes[next(19)] = [UInt8(ascii: "x"), UInt8(ascii: "/"), UInt8(ascii: ":")][next(3)]
                text = String(decoding: bytes, as: UTF8.self)
            }
            var expected: Int64?
            let valid = month <= 12 && day <= CivilDate.daysIn(year: year, month: min(month, 12)) && hour < 24 && minute < 60 && second < 61
            if valid, text.utf8.count == 19, !text.contains("x"), !text.contains("/"), text.filter({ $0 == ":" }).count == 2 {
                expected = Int64(CivilDate(year: year, month: month, day: day).dayNumber) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
            }
            let parsed = Self.with(text) { ValueParsers.timestamp($0) }
            if expected != nil || parsed != nil { #expect(parsed == expected, "\(text)") }
        }
    }
}
