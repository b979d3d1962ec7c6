import Testing
@testable import TableIO

@Suite("console lines")
struct ConsoleTests {
    @Test("invisible and line-breaking characters are escaped, visible text is kept")
    func printable() {
        #expect(Console.printable("a\u{200B}b") == "a\\u{200B}b")
        #expect(Console.printable("x\u{2028}y\u{2029}z") == "x\\u{2028}y\\u{2029}z")
        #expect(Console.printable("\u{FEFF}id") == "\\u{FEFF}id")
        #expect(Console.printable("\u{202E}evil\u{2066}") == "\\u{202E}evil\\u{2066}")
        #expect(Console.printable("esc\u{1B}[31m\0") == "esc\\x1b[31m\\x00")
        #expect(Console.printable("R² – Zürich ✓ 日本") == "R² – Zürich ✓ 日本")
        #expect(Console.printable("a\u{D7FF}b\u{E000}") == "a\\u{D7FF}b\\u{E000}", "unassigned and private use")
    }

    @Test("an error line quoting a megabyte keeps its start and end and says how much it left out")
    func errorLine() {
        let short = "role subscriptions reads 'x.csv'"
        #expect(Console.errorLine(short) == short)
        let long = "mapping.yaml:4: filter '" + String(repeating: "a + ", count: 250_000) + "a': too deep"
        let line = Console.errorLine(long)
        #expect(line.count < Console.errorLineLimit + 60)
        #expect(line.hasPrefix("mapping.yaml:4: filter 'a + a"))
        #expect(line.hasSuffix("a': too deep"))
        #expect(line.contains("characters left out"))
        #expect(!line.contains("\n"))
    }
}
