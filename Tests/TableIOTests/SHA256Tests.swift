import Testing
@testable import TableIO

@Suite("SHA-256")
struct SHA256Tests {
    static func digest(_ text: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        return hasher.finalize()
    }

    @Test("FIPS 180-4 test vectors")
    func vectors() {
        #expect(Self.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.digest(String(repeating: "a", count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
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
