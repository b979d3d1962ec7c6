import Testing
@testable import TableIO

@Suite("byte formatting")
struct ByteBufferTests {
    static func text(_ body: (ByteBuffer) -> Void) -> String {
        let buffer = ByteBuffer(capacity: 16)
        body(buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test("integers, padded integers and cents")
    func numbers() {
        #expect(Self.text { $0.append(int: 0) } == "0")
        #expect(Self.text { $0.append(int: -1_234_567) } == "-1234567")
        #expect(Self.text { $0.append(int: Int.max) } == String(Int.max))
        #expect(Self.text { $0.append(int: Int.min) } == String(Int.min))
        #expect(Self.text { $0.append(int: 42, width: 6) } == "000042")
        #expect(Self.text { $0.append(int: 1_234_567, width: 4) } == "1234567")
        #expect(Self.text { $0.append(cents: 1_234) } == "12.34")
        #expect(Self.text { $0.append(cents: 5) } == "0.05")
        #expect(Self.text { $0.append(cents: -1_005) } == "-10.05")
        #expect(Self.text { $0.append(cents: 0) } == "0.00")
    }

    @Test("dates and timestamps")
    func moments() {
        let moment = Timestamp(CivilDate(year: 2024, month: 2, day: 29), seconds: 13 * 3_600 + 5 * 60 + 9)
        #expect(Self.text { $0.appendTimestamp(moment) } == "2024-02-29 13:05:09")
        #expect(moment.description == "2024-02-29 13:05:09")
        #expect(Timestamp.endOfDay(CivilDate(year: 2024, month: 12, day: 31)).description == "2024-12-31 23:59:59")
        #expect(Timestamp(seconds: -1).description == "1969-12-31 23:59:59")
        #expect(Timestamp(seconds: -1).date == CivilDate(year: 1969, month: 12, day: 31))
    }

    @Test("fields are quoted only when RFC 4180 needs it")
    func quoting() {
        #expect(Self.text { $0.appendField("plain text") } == "plain text")
        #expect(Self.text { $0.appendField("a,b") } == "\"a,b\"")
        #expect(Self.text { $0.appendField("say \"hi\"") } == "\"say \"\"hi\"\"\"")
        #expect(Self.text { $0.appendField("two\nlines") } == "\"two\nlines\"")
        #expect(Self.text { $0.appendField("Noah's Café") } == "Noah's Café")
    }
}

@Suite("JSON")
struct JSONValueTests {
    @Test("keys sorted, numbers fixed, output stable")
    func serialization() {
        let value = JSONValue.object([
            "b": .array([.integer(1), .number(0.5), .null]),
            "a": .object(["z": .bool(true), "y": .string("quote \" and \\ and \n")]),
            "c": .number(1.0 / 3.0, digits: 4),
            "d": .number(-0.0000001),
            "e": .array([]),
        ])
        #expect(value.serialized() == """
            {
              "a": {
                "y": "quote \\" and \\\\ and \\n",
                "z": true
              },
              "b": [1, 0.5, null],
              "c": 0.3333,
              "d": 0,
              "e": []
            }

            """)
        #expect(JSONValue.number(.nan).serialized() == "null\n")
    }
}

@Suite("byte buffer growth and patching")
struct ByteBufferGrowthTests {
    @Test("the buffer grows past its capacity without losing bytes, and identifiers patch in place")
    func growth() {
        let buffer = ByteBuffer(capacity: 16)
        for index in 0..<10_000 {
            buffer.append("id_")
            buffer.append(int: 0, width: 6)
            buffer.append(int: index)
            buffer.append(10)
        }
        let expected: Int = (0..<10_000).map { 10 + String($0).count }.reduce(0, +)
        #expect(buffer.count == expected)
        buffer.patchDigits(at: 3, number: 4_217, width: 6)
        #expect(String(decoding: buffer.bytes.prefix(11), as: UTF8.self) == "id_0042170\n")
        buffer.removeAll()
        #expect(buffer.count == 0 && buffer.bytes.isEmpty)
        buffer.appendDate(CivilDate(year: 2023, month: 1, day: 1))
        buffer.appendDate(CivilDate(year: 2023, month: 1, day: 1))
        buffer.appendDate(CivilDate(year: 2024, month: 12, day: 31))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "2023-01-012023-01-012024-12-31")
    }
}
