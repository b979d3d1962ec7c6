import Testing
@testable import TableIO
import Generator

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

    @Test("keys of every length 0-40, a million of them through growth: each found with its number; a key differing in any one byte, or one byte shorter, is not (also through the lookup cache)")
    func lengthsAndNearMisses() {
        var generator = SplitMix64(seed: 0x1234_5678)
        func next() -> UInt64 { generator.next() }
        var keys: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        while keys.count < 20_000 {
            let length = Int(next() % 41)
            let key = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            if seen.insert(key).inserted { keys.append(key) }
        }
        for index in 0..<1_000_000 - keys.count { keys.append(Array("id_\(index)_x".utf8)) }
        var interner = ByteInterner(capacity: 16)
        for (number, key) in keys.enumerated() {
            #expect(key.withUnsafeBufferPointer { interner.intern($0) } == number)
        }
        var cache = LookupCache()
        for (number, key) in keys.enumerated().prefix(20_000) {
            #expect(key.withUnsafeBufferPointer { interner.lookup($0) } == number)
            #expect(key.withUnsafeBufferPointer { interner.lookup($0, cache: &cache) } == number)
            guard !key.isEmpty else { continue }
            for position in [0, key.count / 2, key.count - 1] {
                var changed = key
                changed[position] &+= 1
                if !seen.contains(changed) {
                    #expect(changed.withUnsafeBufferPointer { interner.lookup($0) } == nil)
                    #expect(changed.withUnsafeBufferPointer { interner.lookup($0, cache: &cache) } == nil)
                }
            }
            let shorter = Array(key.dropLast())
            if !seen.contains(shorter) { #expect(shorter.withUnsafeBufferPointer { interner.lookup($0) } == nil) }
        }
        #expect(interner.count == 1_000_000)
    }

    @Test("fixed-width keys (the arena read without offsets) until one key of another width arrives: every key still found, others not")
    func fixedWidth() {
        var interner = ByteInterner(capacity: 4)
        let keys = (0..<50_000).map { Array(String(format: "po_%07d", $0).utf8) }
        for (number, key) in keys.enumerated() { #expect(key.withUnsafeBufferPointer { interner.intern($0) } == number) }
        func lookup(_ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { interner.lookup($0) } }
        #expect(lookup("po_0049999") == 49_999)
        #expect(lookup("po_0050000") == nil)
        #expect(lookup("po_004999") == nil)
        #expect(Array("po_12".utf8).withUnsafeBufferPointer { interner.intern($0) } == 50_000)
        #expect(lookup("po_12") == 50_000)
        #expect(lookup("po_0012345") == 12_345)
        #expect(interner.string(12_345) == "po_0012345")
    }
}
