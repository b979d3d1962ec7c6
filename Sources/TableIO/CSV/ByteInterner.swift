/// Interns byte strings (identifiers read from CSV fields) to dense integers 0, 1, 2, ...
///
/// Open addressing with linear probing over an arena of the distinct keys: no `String`, no
/// allocation per lookup. Lookups of keys never inserted return `nil`, which is how a foreign
/// key without its parent row is found.
///
/// - Complexity: O(key length) expected per operation; memory is the keys' bytes plus 12 bytes
///   per key and a table at most half full.
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot -> key number + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 1_024) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The number of distinct keys.
    public var count: Int { hashes.count }

    /// The number of `key`, inserting it if it is new.
    public mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            if hashes[entry - 1] == hash && matches(entry - 1, key) { return entry - 1 }
            slot = (slot + 1) & mask
        }
        let number = hashes.count
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(hash)
        slots[slot] = Int32(number + 1)
        if hashes.count * 2 > slots.count { grow() }
        return number
    }

    /// The number of `key`, or `nil` if it was never interned.
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash && matches(entry - 1, key) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The bytes of key `number` as a `String` (for sample keys in reports).
    public func string(_ number: Int) -> String {
        String(decoding: arena[starts[number]..<starts[number + 1]], as: UTF8.self)
    }

    private func matches(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[number]
        guard starts[number + 1] - start == key.count else { return false }
        for index in 0..<key.count where arena[start + index] != key[index] { return false }
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(number + 1)
        }
    }

    /// FNV-1a with a final SplitMix-style avalanche (the low bits pick the slot).
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 31)
    }
}
