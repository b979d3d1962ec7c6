import Testing
@testable import TableIO
import Generator

@Suite("SHA-256")
struct SHA256Tests {
    static func digest(_ text: String, portable: Bool = false) -> String {
        var hasher = SHA256(portable: portable)
        hasher.update(Array(text.utf8))
        return hasher.finalize()
    }

    @Test("FIPS 180-4 test vectors, with the SHA extensions (where the CPU has them) and with the portable rounds",
          arguments: [false, true])
    func vectors(portable: Bool) {
        #expect(Self.digest("", portable: portable) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest("abc", portable: portable) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", portable: portable)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.digest(String(repeating: "a", count: 1_000_000), portable: portable)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the SHA extensions and the portable rounds agree on every length from 0 to 300 bytes and on 1 MiB of varied bytes")
    func acceleratedAgrees() {
        var generator = SplitMix64(seed: 7)
        let bytes = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for length in Array(0...300) + [1 << 20] {
            var fast = SHA256()
            var portable = SHA256(portable: true)
            fast.update(Array(bytes[0..<length]))
            portable.update(Array(bytes[0..<length]))
            #expect(fast.finalize() == portable.finalize(), "length \(length)")
        }
    }

    @Test("chunked updates give the same digest as one update")
    func chunks() {
        let text = Array((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var whole = SHA256()
        whole.update(text)
        var pieces = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 127, 1_000, 3] {
            pieces.update(Array(text[offset..<offset + size]))
            offset += size
        }
        pieces.update(Array(text[offset...]))
        #expect(whole.finalize() == pieces.finalize())
    }
}
