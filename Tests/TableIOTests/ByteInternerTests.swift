import Testing
@testable import TableIO

@Suite("byte interner")
struct ByteInternerTests {
    @Test("keys get dense numbers, the same key the same number, unknown keys none")
    func interning() {
        var interner = ByteInterner(capacity: 4)
        func intern(_ text: String) -> Int { Array(text.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        func lookup(_ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { interner.lookup($0) } }
        var numbers: [Int] = []
        for index in 0..<100_000 { numbers.append(intern("pl_\(index)")) }
        #expect(numbers == Array(0..<100_000))
        #expect(intern("pl_42") == 42 && interner.count == 100_000)
        #expect(lookup("pl_99999") == 99_999)
        #expect(lookup("pl_100000") == nil && lookup("") == nil)
        #expect(intern("") == 100_000)
        #expect(interner.string(7) == "pl_7" && interner.string(100_000) == "")
        #expect(lookup("pl_1") != lookup("pl_10"))
    }
}
