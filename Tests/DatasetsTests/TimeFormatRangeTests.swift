import Testing
import TableIO
@testable import Datasets

@Suite("time formats: the representable range")
struct TimeFormatRangeTests {
    static func seconds(_ format: String, _ text: String) throws -> Int64? {
        let parsed = try TimeFormat.parse(format).get()
        var text = text
        return text.withUTF8 { parsed.seconds($0, zone: .utc) }
    }

    @Test("times from year 1 to year 9999 are read; year 0 and year 10000 are not, in text or as epoch numbers")
    func representableRange() throws {
        #expect(try Self.seconds("%m/%d/%Y", "01/01/0001") == TimeFormat.representable.lowerBound)
        #expect(try Self.seconds("%m/%d/%Y", "01/01/0000") == nil)
        #expect(try Self.seconds("%Y-%m-%d %H:%M:%S", "9999-12-31 23:59:59") == TimeFormat.representable.upperBound)
        #expect(try Self.seconds("auto", "0000-06-01") == nil)
        #expect(try Self.seconds("epoch", "-62167219200") == nil, "year 0")
        #expect(try Self.seconds("epoch", "253402300800") == nil, "year 10000")
        #expect(try Self.seconds("epoch", "253402300799") == TimeFormat.representable.upperBound)
        #expect(try Self.seconds("epoch_ms", "1700000000000") == 1_700_000_000)
        #expect(TimeFormat.epochSeconds.seconds(number: -62_167_219_200) == nil)
        #expect(TimeFormat.epochMilliseconds.seconds(number: 1e20) == nil)
        #expect(TimeFormat.epochSeconds.seconds(number: .nan) == nil)
        #expect(try Self.seconds("%Y-%m-%d %H:%M %z", "2024-01-01 00:00 +99:99") == nil, "no such offset")
        #expect(try Self.seconds("%Y-%m-%d %H:%M %z", "2024-01-01 00:00 +14:00") == 1_704_067_200 - 14 * 3_600)
    }
}
