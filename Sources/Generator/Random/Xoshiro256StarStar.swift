/// Blackman and Vigna's xoshiro256**: the package's generator for every random draw.
///
/// 256 bits of state, period 2^256 - 1, passes BigCrush; seeded from one 64-bit value through
/// ``SplitMix64`` as its authors recommend. Reference: <https://prng.di.unimi.it/xoshiro256starstar.c>.
///
/// The output sequence for a given seed is part of the package's contract: datasets are
/// byte-identical across runs, machines and thread counts because every draw comes from here.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator whose state is four consecutive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inlinable
    func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
