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

    @Test("numbered keys (zero-padded or without leading zeros, with or without a prefix) are read as numbers: every key found, a near miss never")
    func numberedKeys() {
        func interner(_ keys: [String]) -> ByteInterner {
            var interner = ByteInterner(capacity: 4)
            for (number, key) in keys.enumerated() { #expect(Array(key.utf8).withUnsafeBufferPointer { interner.intern($0) } == number) }
            return interner
        }
        func lookup(_ interner: ByteInterner, _ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { interner.lookup($0) } }

        let padded = interner((1...5_000).map { String(format: "po_%05d", $0) })
        #expect(padded.readsNumbers)
        #expect(lookup(padded, "po_00001") == 0 && lookup(padded, "po_05000") == 4_999)
        for miss in ["po_00000", "po_05001", "po_1", "po_000001", "po_0000a", "pO_00001", "po_00001 ", "", "00001", "po_-0001", "po_+0001"] {
            #expect(lookup(padded, miss) == nil, "\(miss)")
        }
        let plain = interner((1_000..<3_000).map { String($0) })
        #expect(plain.readsNumbers)
        #expect(lookup(plain, "1000") == 0 && lookup(plain, "2999") == 1_999)
        for miss in ["01000", "999", "3000", "1000.0", "1e3", " 1000", "", "-1000", "0"] { #expect(lookup(plain, miss) == nil, "\(miss)") }
        // From one digit to four, no leading zeros: the lengths differ and each number has one text.
        let growing = interner((0..<1_200).map { "c\($0)" })
        #expect(growing.readsNumbers)
        #expect(lookup(growing, "c0") == 0 && lookup(growing, "c9") == 9 && lookup(growing, "c10") == 10 && lookup(growing, "c1199") == 1_199)
        #expect(lookup(growing, "c00") == nil && lookup(growing, "c010") == nil && lookup(growing, "c") == nil && lookup(growing, "c1200") == nil)
    }

    @Test("a key that breaks the numbering (out of order, another prefix, a padded number of a new width, no digits, a leading zero, 19 digits) builds the table: every key still found")
    func numberingBroken() {
        let breaks: [(String, [String], String)] = [
            ("out of order", (1...300).map { String(format: "x%04d", $0) }, "x0302"),
            ("another prefix", (1...300).map { String(format: "x%04d", $0) }, "y0301"),
            ("a new width", (1...300).map { String(format: "x%04d", $0) }, "x00301"),
            ("no digits", (1...300).map { String($0) }, "total"),
            ("a leading zero among unpadded numbers", (7...300).map { String($0) }, "0301"),
            ("more than 18 digits", (1...300).map { String($0) }, "1234567890123456789"),
        ]
        for (name, keys, breaking) in breaks {
            var interner = ByteInterner(capacity: 4)
            for (number, key) in keys.enumerated() { #expect(Array(key.utf8).withUnsafeBufferPointer { interner.intern($0) } == number) }
            #expect(interner.readsNumbers, "\(name)")
            let all = keys + [breaking, "after"]
            for key in [breaking, "after"] { _ = Array(key.utf8).withUnsafeBufferPointer { interner.intern($0) } }
            #expect(!interner.readsNumbers, "\(name)")
            for (number, key) in all.enumerated() {
                #expect(Array(key.utf8).withUnsafeBufferPointer { interner.lookup($0) } == number, "\(name): \(key)")
                #expect(Array(key.utf8).withUnsafeBufferPointer { interner.intern($0) } == number, "\(name): \(key)")
            }
            #expect(interner.count == all.count)
            #expect(Array("x9999".utf8).withUnsafeBufferPointer { interner.lookup($0) } == nil)
        }
    }

    @Test("random key sets, numbered or nearly so, agree with a dictionary on every key and on near misses (200 seeds)")
    func numberedAgainstDictionary() {
        for seed in 0..<200 {
            var random = SplitMix64(seed: UInt64(seed))
            func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
            let prefix = ["", "id_", "pl_", "A-", "9x"][below(5)]
            let padding = [0, 3, 6][below(3)]
            let base = [0, 1, 7, 999, 100_000][below(5)]
            let count = 1 + below(400)
            var keys: [String] = (0..<count).map { index in
                let number = String(base + index)
                return prefix + String(repeating: "0", count: max(0, padding - number.count)) + number
            }
            // Sometimes a stray key somewhere (a duplicate is interned once: it keeps its number).
            if below(2) == 0 { keys.insert(prefix + String(below(1_000_000)), at: below(keys.count + 1)) }
            var interner = ByteInterner(capacity: 4)
            var oracle: [String: Int] = [:]
            for key in keys {
                let number = Array(key.utf8).withUnsafeBufferPointer { interner.intern($0) }
                if let known = oracle[key] { #expect(number == known) } else {
                    #expect(number == oracle.count)
                    oracle[key] = number
                }
            }
            var probes = Array(oracle.keys)
            for _ in 0..<300 {
                let number = String(below(base + count + 50))
                probes.append(prefix + number)
                probes.append(prefix + "0" + number)
                probes.append(prefix + String(repeating: "0", count: max(0, padding - number.count)) + number)
                probes.append("z" + number)
            }
            for probe in probes {
                #expect(Array(probe.utf8).withUnsafeBufferPointer { interner.lookup($0) } == oracle[probe], "seed \(seed): \(probe)")
            }
        }
    }
}
