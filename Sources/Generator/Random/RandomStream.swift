/// Derives independent random streams from (seed, table, entity index).
///
/// Every entity of a dataset draws from its own generator, so the value of any row depends
/// only on the seed and the row's identity, never on the order in which rows are produced:
/// the same seed gives the same bytes whatever the thread or shard count.
///
/// The stream seed is `mix(mix(mix(seed) ^ tag) ^ (index + 1))` with `mix` the SplitMix64
/// finalizer and `tag` the 64-bit FNV-1a hash of the table name.
public struct RandomStreams: Sendable {
    /// The dataset seed.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The generator of entity `index` of `table`.
    public func stream(_ table: StreamTable, _ index: Int) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: streamSeed(table, UInt64(truncatingIfNeeded: index)))
    }

    /// The generator of sub-entity `subindex` of entity `index` of `table` (a customer's month, say).
    public func stream(_ table: StreamTable, _ index: Int, _ subindex: Int) -> Xoshiro256StarStar {
        let base = streamSeed(table, UInt64(truncatingIfNeeded: index))
        return Xoshiro256StarStar(seed: SplitMix64.mix(base ^ SplitMix64.mix(UInt64(truncatingIfNeeded: subindex) &+ 0x5851_F42D_4C95_7F2D)))
    }

    func streamSeed(_ table: StreamTable, _ index: UInt64) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(SplitMix64.mix(seed) ^ table.tag) ^ (index &+ 1))
    }
}

/// The name of a family of random streams, such as a table; hashed once with FNV-1a.
public struct StreamTable: Sendable, Hashable, ExpressibleByStringLiteral {
    public let name: String
    public let tag: UInt64

    public init(_ name: String) {
        self.name = name
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        self.tag = hash
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }
}
