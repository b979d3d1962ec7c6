#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns byte strings (identifiers read from CSV fields) to dense integers 0, 1, 2, ...
///
/// Open addressing with linear probing over an arena of the distinct keys: no `String`, no
/// allocation per lookup. Lookups of keys never inserted return `nil`, which is how a foreign
/// key without its parent row is found.
///
/// Keys that arrive numbered in order (`po_00001`, `po_00002`, ... or `17`, `18`, ...: one
/// prefix, then the decimal number base + n for key n, zero-padded to one width or written
/// without leading zeros) are found by reading their number, with no hash table at all: the
/// table is built only when a key breaks the sequence (``NumberedKeys``). Identifiers from
/// generators and auto-increment columns usually do, and a lookup then touches no memory but
/// the key and the prefix.
///
/// - Complexity: O(key length) expected per operation; memory is the keys' bytes plus 8 bytes
///   per key, and a table at most half full once the keys are not a numbered sequence.
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    /// The length every key so far has (identifiers are often fixed-width: key n then starts at
    /// n x width, without reading `starts`), or -1 once two lengths differ.
    private var width = -2
    /// The numbered sequence the keys form so far, if they do.
    private var numbered = NumberedKeys()
    /// Slot -> the key's hash in the high 32 bits and its number + 1 in the low 32 (0 = empty):
    /// a probe that meets another key is told apart from the slot alone, without touching the
    /// key's bytes (in a table of millions of keys each of those is a cache miss). Empty while
    /// the keys are numbered.
    private var slots: [UInt64] = []
    private var mask = -1
    /// The table size asked for at creation, used when the table is first built.
    private let initialSlots: Int

    public init(capacity: Int = 1_024) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        initialSlots = size
    }

    /// The number of distinct keys.
    public private(set) var count = 0

    /// Whether `other` is this same dictionary (a copy sharing its storage): a translation
    /// between the two is then the identity, with no lookup.
    public func sharesStorage(with other: ByteInterner) -> Bool {
        count == other.count && arena.count == other.arena.count
            && arena.withUnsafeBufferPointer { a in other.arena.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } }
            && starts.withUnsafeBufferPointer { a in other.starts.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } }
    }

    /// Whether lookups read the key's number instead of probing a table (for tests and profiles).
    public var readsNumbers: Bool { numbered.holds(fixedWidth: width >= 0) }

    /// The number of `key`, inserting it if it is new.
    public mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        if readsNumbers {
            if let number = numberedLookup(key) { return number }
            let number = count
            append(key)
            arena.withUnsafeBytes { numbered.extend(with: key, number: number, arena: $0) }
            if !readsNumbers { buildTable() }
            return number
        }
        let hash = Self.hash(key)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let number = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == tag && matches(number, key) { return number }
            slot = (slot + 1) & mask
        }
        let number = count
        append(key)
        numbered.stop()
        slots[slot] = tag | UInt64(number + 1)
        if count * 2 > slots.count { grow() }
        return number
    }

    private mutating func append(_ key: UnsafeBufferPointer<UInt8>) {
        arena.append(contentsOf: key)
        starts.append(arena.count)
        if width == -2 { width = key.count } else if width != key.count { width = -1 }
        count += 1
    }

    /// The number of `key`, or `nil` if it was never interned.
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        if readsNumbers { return numberedLookup(key) }
        guard count > 0 else { return nil }
        let hash = Self.hash(key)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let number = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == tag && matches(number, key) { return number }
            slot = (slot + 1) & mask
        }
    }

    /// The number of `key` while the keys are numbered: key n is the prefix and then base + n in
    /// decimal, written the way every key writes it (all of one length, or no leading zeros), so
    /// a key of that form with a number in range is exactly key n, and no other key is there.
    @inline(__always)
    private func numberedLookup(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let prefix = numbered.prefixLength
        let length = key.count
        if width >= 0 {
            guard length == width else { return nil }
        } else if length <= prefix {
            return nil
        }
        guard let base = key.baseAddress else { return nil }
        if prefix > 0 {
            let same = arena.withUnsafeBytes { BytesEqual.same($0.baseAddress!, UnsafeRawPointer(base), prefix) }
            guard same else { return nil }
        }
        guard let value = NumberedKeys.decimal(UnsafeBufferPointer(rebasing: key[prefix...]), canonical: width < 0) else { return nil }
        let number = value &- numbered.base
        return number >= 0 && number < count ? number : nil
    }

    /// The number of `key` through `cache`: rows of one pledge or one patron usually come
    /// together, so the key often repeats the previous row's and a comparison of a few bytes
    /// replaces a hash-table probe (and its cache misses in a table of millions of keys).
    @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>, cache: inout LookupCache) -> Int? {
        if cache.matches(key) { return cache.result }
        let result = lookup(key)
        cache.remember(key, result)
        return result
    }

    /// Calls `body` with the bytes of key `number`.
    public func withBytes<T>(_ number: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try arena.withUnsafeBufferPointer { buffer in try body(UnsafeBufferPointer(rebasing: buffer[starts[number]..<starts[number + 1]])) }
    }

    /// The byte order of entries `a` and `b` (as SQLite's BINARY collation orders text):
    /// negative, zero or positive.
    public func compare(_ a: Int, _ b: Int) -> Int {
        withBytes(a) { x in
            withBytes(b) { y in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return Int(order) }
                }
                return x.count - y.count
            }
        }
    }

    /// The bytes of key `number` as a `String` (for sample keys in reports).
    public func string(_ number: Int) -> String {
        String(decoding: arena[starts[number]..<starts[number + 1]], as: UTF8.self)
    }

    @inline(__always)
    private func matches(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start: Int
        if width >= 0 {
            guard key.count == width else { return false }
            start = number &* width
        } else {
            start = starts[number]
            guard starts[number + 1] - start == key.count else { return false }
        }
        guard let base = key.baseAddress else { return true }
        return arena.withUnsafeBytes { BytesEqual.same($0.baseAddress! + start, UnsafeRawPointer(base), key.count) }
    }

    /// The hash table of every key so far, once they stop being numbered (or at the first key
    /// that is not).
    private mutating func buildTable() {
        var size = initialSlots
        while size < count * 2 + 2 { size *= 2 }
        rehash(into: size)
    }

    private mutating func grow() { rehash(into: slots.count * 2) }

    private mutating func rehash(into size: Int) {
        slots = Self.emptySlots(size)
        mask = size - 1
        for number in 0..<count {
            let hash = withBytes(number) { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(number + 1)
        }
    }

    /// A table of `size` empty slots (in huge pages when large: ``LargeArrays``).
    static func emptySlots(_ size: Int) -> [UInt64] { LargeArrays.zeros(size) }

    /// Eight-byte words mixed with multiplies and SplitMix64's finalizer (the low bits pick the slot).
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // Eight bytes at a time (identifiers are short: one or two words), each word mixed in
        // with a multiply, then SplitMix64's finalizer.
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        guard let base = key.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        let count = key.count
        var index = 0
        while index + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        if index < count {
            // The last eight bytes (overlapping the previous word) when the key has them, so that
            // no byte loop runs for the usual 9-15-byte identifiers; else the bytes one by one.
            var tail: UInt64 = 0
            if count >= 8 {
                tail = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else {
                for offset in 0..<count { tail |= UInt64(base[offset]) << UInt64(8 * offset) }
            }
            hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            hash ^= hash >> 32
        }
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 31)
    }
}


/// Whether the keys of a ``ByteInterner`` so far are numbered: one prefix (the first key's bytes
/// before its final digits), then the decimal number `base + n` for key n, with at most 18
/// digits. The interner reads numbers while they are and, besides, either every key has one
/// length (zero-padded numbers) or no number has a leading zero: then the text of each number is
/// the only one it has, and a key is found from its number alone.
struct NumberedKeys: Sendable {
    private(set) var active = true
    private(set) var prefixLength = 0
    private(set) var base = 0
    private var started = false
    /// No key's number so far has a leading zero.
    private var canonical = true

    func holds(fixedWidth: Bool) -> Bool { active && (!started || fixedWidth || canonical) }

    mutating func stop() { active = false }

    /// Takes key `number` (the keys before it already taken): the sequence goes on only if the
    /// key is the prefix and then the next number. `arena` begins with the first key.
    mutating func extend(with key: UnsafeBufferPointer<UInt8>, number: Int, arena: UnsafeRawBufferPointer) {
        guard active else { return }
        if !started {
            started = true
            var digits = 0
            while digits < key.count && Self.isDigit(key[key.count - 1 - digits]) { digits += 1 }
            prefixLength = key.count - digits
            guard let value = Self.decimal(UnsafeBufferPointer(rebasing: key[prefixLength...]), canonical: false) else {
                active = false
                return
            }
            base = value
            canonical = digits == 1 || key[prefixLength] != UInt8(ascii: "0")
            return
        }
        guard key.count > prefixLength, let start = key.baseAddress,
              prefixLength == 0 || BytesEqual.same(arena.baseAddress!, UnsafeRawPointer(start), prefixLength),
              let value = Self.decimal(UnsafeBufferPointer(rebasing: key[prefixLength...]), canonical: false),
              value == base + number else {
            active = false
            return
        }
        if key.count - prefixLength > 1 && key[prefixLength] == UInt8(ascii: "0") { canonical = false }
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// The value of 1-18 decimal digits (`canonical`: and no leading zero), else nil.
    @inline(__always)
    static func decimal(_ digits: UnsafeBufferPointer<UInt8>, canonical: Bool) -> Int? {
        guard digits.count > 0 && digits.count <= 18 else { return nil }
        if canonical && digits.count > 1 && digits[0] == UInt8(ascii: "0") { return nil }
        var value = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }
}

/// The last key looked up in a ``ByteInterner`` and its result (keys up to 64 bytes).
public struct LookupCache {
    private var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var count = -1
    fileprivate(set) var result: Int?

    public init() {}

    @inline(__always)
    fileprivate func matches(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard key.count == count, let base = key.baseAddress else { return false }
        return withUnsafeBytes(of: bytes) { BytesEqual.same($0.baseAddress!, UnsafeRawPointer(base), count) }
    }

    @inline(__always)
    fileprivate mutating func remember(_ key: UnsafeBufferPointer<UInt8>, _ result: Int?) {
        guard key.count <= 64, let base = key.baseAddress else {
            count = -1
            return
        }
        withUnsafeMutableBytes(of: &bytes) { $0.baseAddress!.copyMemory(from: base, byteCount: key.count) }
        count = key.count
        self.result = result
    }
}

/// Equality of two byte ranges of the same length: two overlapping eight-byte loads for 8-16
/// bytes (identifiers), two four-byte loads for 4-7, memcmp beyond; never a read outside them.
enum BytesEqual {
    @inline(__always)
    static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        if count >= 8 && count <= 16 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 && count < 8 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        return memcmp(a, b, count) == 0
    }
}

/// Arrays of zeros for tables read at random positions (hash slots, per-patron sums): a large
/// one asks for transparent huge pages before its memory is first touched, since with 4 KiB
/// pages nearly every random probe into hundreds of megabytes would also miss the TLB.
public enum LargeArrays {
    public static func zeros<Element: FixedWidthInteger>(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            #if os(Linux)
            let bytes = count * MemoryLayout<Element>.stride
            if bytes >= 16 << 20, let base = buffer.baseAddress {
                let huge = 2 << 20
                let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
                let end = (Int(bitPattern: base) + bytes) & ~(huge - 1)
                if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
            }
            #endif
            buffer.initialize(repeating: 0)
            initialized = count
        }
    }
}
