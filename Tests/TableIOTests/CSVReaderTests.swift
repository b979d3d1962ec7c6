import Foundation
import Testing
@testable import TableIO

@Suite("CSV reader")
struct CSVReaderTests {
    static func file(_ bytes: [UInt8], name: String = "t.csv") throws -> String {
        let directory = NSTemporaryDirectory() + "csv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func file(_ text: String, name: String = "t.csv") throws -> String {
        try file(Array(text.utf8), name: name)
    }

    /// Every row as strings (null fields as "<null>") with its line.
    static func rows(_ path: String) throws -> (header: [String], rows: [([String], Int)]) {
        let reader = try CSVReader(path: path, displayName: "t.csv")
        var rows: [([String], Int)] = []
        try reader.forEachRow { row in
            rows.append(((0..<row.count).map { row.isNull($0) ? "<null>" : row.string($0) }, row.line))
        }
        return (reader.header, rows)
    }

    static func error(_ path: String) -> CSVError? {
        do {
            _ = try rows(path)
            return nil
        } catch let error as CSVError {
            return error
        } catch {
            return nil
        }
    }

    @Test("fields, quotes, embedded separators and line breaks, nulls versus empty strings")
    func wellFormed() throws {
        let path = try Self.file("id,name,note\n1,\"Smith, Jane\",\"said \"\"hi\"\"\"\n2,,\"\"\n3,\"two\nlines\",x\n4,é,y")
        let (header, rows) = try Self.rows(path)
        #expect(header == ["id", "name", "note"])
        #expect(rows.map(\.0) == [["1", "Smith, Jane", "said \"hi\""], ["2", "<null>", ""], ["3", "two\nlines", "x"], ["4", "é", "y"]])
        #expect(rows.map(\.1) == [2, 3, 4, 6])
    }

    @Test("a byte-order mark and CRLF line ends are accepted; blank lines are skipped but counted")
    func bomAndCRLF() throws {
        let path = try Self.file([0xEF, 0xBB, 0xBF] + Array("a,b\r\n1,2\r\n\r\n3,4\r\n".utf8))
        let (header, rows) = try Self.rows(path)
        #expect(header == ["a", "b"])
        #expect(rows.map(\.0) == [["1", "2"], ["3", "4"]])
        #expect(rows.map(\.1) == [2, 4])
    }

    @Test("rows stream across chunk boundaries")
    func largeFile() throws {
        var text = "n,text\n"
        for index in 0..<200_000 { text += "\(index),\"row, number \(index)\"\n" }
        let path = try Self.file(text)
        let reader = try CSVReader(path: path)
        var sum = 0
        var last = 0
        try reader.forEachRow { row in
            sum += Int(row.string(0))!
            last = row.line
            #expect(row[1].count >= 13)
        }
        #expect(sum == (0..<200_000).reduce(0, +))
        #expect(last == 200_001)
        #expect(reader.rowCount == 200_000)
    }

    @Test("bad input names file, line and column", arguments: [
        ("a,b\n1,\"unterminated\n2,3\n", CSVError.Kind.unterminatedQuote, 2, 2),
        ("a,b\n1,2\n3,\"x\"y\n", .malformedQuote, 3, 2),
        ("a,b,c\n1,2,3\n4,5\n", .raggedRow(expected: 3, found: 2), 3, 3),
        ("a,b\n1,2,3\n", .raggedRow(expected: 2, found: 3), 2, 3),
        ("", .empty, 0, 0),
        ("a,a\n1,2\n", .badHeader("column 'a' appears twice"), 0, 0),
    ])
    func badInput(text: String, kind: CSVError.Kind, line: Int, column: Int) throws {
        let error = try #require(Self.error(try Self.file(text)))
        #expect(error.kind == kind)
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.exitStatus == .dataError)
        #expect(error.description.contains("'t.csv'"))
    }

    @Test("a NUL byte and invalid UTF-8 are errors with their place")
    func bytes() throws {
        let nul = try #require(Self.error(try Self.file(Array("a,b\n1,2\n3,x".utf8) + [0] + Array("y\n".utf8))))
        #expect(nul.kind == .nulByte && nul.line == 3 && nul.column == 2)
        let utf8 = try #require(Self.error(try Self.file(Array("a,b\n1,2\n3,".utf8) + [0xC3, 0x28] + Array("\n".utf8))))
        #expect(utf8.kind == .invalidUTF8 && utf8.line == 3 && utf8.column == 2)
        #expect(utf8.description == "invalid UTF-8 in 't.csv' at line 3, column 2")
        let bom = try #require(Self.error(try Self.file([0xEF, 0xBB, 0xBF])))
        #expect(bom.kind == .empty)
    }

    @Test("a header-only file has a header and no rows; a missing file is exit 66")
    func headerOnlyAndMissing() throws {
        let (header, rows) = try Self.rows(try Self.file("a,b\n"))
        #expect(header == ["a", "b"] && rows.isEmpty)
        #expect {
            try CSVReader(path: "/nonexistent/x.csv")
        } throws: { ($0 as? InputError)?.exitStatus == .noInput }
    }

    @Test("UTF-8 validation", arguments: [
        ([0x41], true), ([0xC3, 0xA9], true), ([0xE2, 0x82, 0xAC], true), ([0xF0, 0x9F, 0x98, 0x80], true),
        ([0xC0, 0xAF], false), ([0xE0, 0x80, 0xAF], false), ([0xED, 0xA0, 0x80], false), ([0xF4, 0x90, 0x80, 0x80], false),
        ([0xC3], false), ([0x80], false),
    ] as [([UInt8], Bool)])
    func utf8(bytes: [UInt8], valid: Bool) {
        #expect(bytes.withUnsafeBytes { CSVReader.isValidUTF8($0) } == valid)
    }

    @Test("an error thrown by the row handler stops the read and reaches the caller")
    func handlerErrors() throws {
        struct Stop: Error {}
        let reader = try CSVReader(path: try Self.file("a\n1\n2\n3\n"))
        var seen = 0
        #expect(throws: Stop.self) {
            try reader.forEachRow { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
    }

    @Test("fields longer than the row buffers and quoted line breaks across slices keep their bytes and lines")
    func longFieldsAndLineBreaks() throws {
        var text = "id,body\n"
        var expected: [(String, Int)] = []
        var line = 2
        for index in 0..<3_000 {
            let body: String
            switch index % 3 {
            case 0: body = String(repeating: "x", count: 70_000 + index)
            case 1: body = "two\nlines \(index)"
            default: body = "short \(index)"
            }
            text += "\(index),\"\(body)\"\n"
            expected.append((body, line))
            line += body.filter { $0 == "\n" }.count + 1
        }
        let reader = try CSVReader(path: try Self.file(text))
        var index = 0
        try reader.forEachRow { row in
            #expect(row.string(0) == String(index))
            #expect(row.string(1) == expected[index].0, "row \(index)")
            #expect(row.line == expected[index].1, "row \(index)")
            index += 1
        }
        #expect(index == 3_000)
    }

    @Test("another thread can take the digest over at any moment; a parse that fails leaves nobody waiting")
    func digestHandoff() throws {
        var text = "n,text\n"
        for index in 0..<150_000 { text += "\(index),row \(index)\n" }
        let path = try Self.file(text)
        let whole = try SHA256.hexDigest(ofFile: path)
        for delay in [0, 200, 2_000, 20_000] {
            let handoff = DigestHandoff()
            let reader = try CSVReader(path: path, handoff: handoff)
            let taken = Locked<String?>(nil)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                usleep(useconds_t(delay))
                taken.set(try? handoff.takeOver(path: path))
            }
            var rows = 0
            try reader.forEachRow { _ in rows += 1 }
            handoff.finish()
            group.wait()
            #expect(rows == 150_000)
            #expect((reader.sha256 ?? taken.get()) == whole, "delay \(delay)")
            #expect(taken.get() == whole, "delay \(delay)")
        }
        // A file that stops on an error: the other thread gets no digest, and does not hang.
        let broken = try Self.file(text + "1,2,3\n" + text)
        let handoff = DigestHandoff()
        let reader = try CSVReader(path: broken, handoff: handoff)
        let group = DispatchGroup()
        let taken = Locked<String?>("unset")
        DispatchQueue.global().async(group: group) { taken.set(try? handoff.takeOver(path: broken)) }
        #expect(throws: CSVError.self) { try reader.forEachRow { _ in } }
        handoff.finish()
        #expect(group.wait(timeout: .now() + 30) == .success)
    }

    @Test("invalid UTF-8 in a field that runs across the reader's slice and chunk boundaries is still found", arguments: [1 << 15, 1 << 20])
    func invalidUTF8AcrossSlices(boundary: Int) throws {
        // Rows of ASCII up to just before `boundary`, then a field whose bad byte lies before the
        // boundary and whose end lies after it, in an all-ASCII stretch.
        var bytes = Array("id,text\n".utf8)
        var row = 0
        while bytes.count < boundary - 200 {
            bytes += Array("\(row),plain text of row \(row)\n".utf8)
            row += 1
        }
        let prefix = Array("\(row),".utf8)
        bytes += prefix
        bytes += Array(repeating: UInt8(ascii: "a"), count: boundary - 20 - bytes.count)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array(repeating: UInt8(ascii: "b"), count: 60)
        bytes += Array("\n".utf8)
        for index in 0..<2_000 { bytes += Array("\(row + 1 + index),tail\n".utf8) }
        let reader = try CSVReader(path: try Self.file(bytes))
        var caught: CSVError?
        do {
            try reader.forEachRow { _ in }
        } catch let error as CSVError {
            caught = error
        }
        #expect(caught?.description.contains("UTF-8") == true, "\(String(describing: caught))")
        #expect(caught?.line == row + 2)
    }
}

/// A value shared between a test and a thread it starts.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func set(_ value: Value) { lock.lock(); self.value = value; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}
