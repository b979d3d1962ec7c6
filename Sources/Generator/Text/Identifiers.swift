/// Stripe-style identifiers: a prefix and random alphanumeric characters.
public enum Identifiers {
    /// The 62 characters of the random part, in a fixed order.
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `prefix` followed by `length` characters drawn uniformly from [0-9A-Za-z].
    public static func random(prefix: String, length: Int, using rng: inout some RandomNumberGenerator) -> String {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + length)
        for _ in 0..<length {
            bytes.append(alphabet[rng.nextInt(below: alphabet.count)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
