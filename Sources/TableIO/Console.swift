#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to the standard streams, safe from any thread.
public enum Console {
    /// Writes `text` to standard error as is.
    public static func writeError(_ text: String) {
        write(STDERR_FILENO, text)
    }

    /// Writes `text` to standard output as is.
    public static func writeOutput(_ text: String) {
        write(STDOUT_FILENO, text)
    }

    /// `text` as one printable line: line breaks, tabs and other control characters, the
    /// replacement character left by undecodable bytes, and bidirectional overrides are
    /// written as escapes (`\n`, `\x1b`, `\u{FFFD}`), so a message quoting a hostile input
    /// never spans lines or drives the terminal.
    public static func printable(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x00..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            case 0x80..<0xA0, 0xFFFD:
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            case _ where scalar.value >= 0xAD
                && [.format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned].contains(scalar.properties.generalCategory):
                // Invisible, line-breaking or without a glyph: zero-width spaces and joiners,
                // bidirectional overrides and isolates, the byte-order mark, U+2028 and U+2029,
                // private-use and unassigned code points.
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The longest error line written: a message quoting a megabyte of hostile input keeps its
    /// beginning and end.
    public static let errorLineLimit = 1_000

    /// `text` as one printable error line of at most about ``errorLineLimit`` characters: the
    /// middle of a longer one is left out, and the line says how much.
    public static func errorLine(_ text: String) -> String {
        let line = printable(text)
        guard line.count > errorLineLimit else { return line }
        let head = line.prefix(errorLineLimit * 3 / 5), tail = line.suffix(errorLineLimit / 4)
        return head + " ... (\(line.count - head.count - tail.count) characters left out) ... " + tail
    }

    /// Whether standard error is a terminal (progress is shown only then).
    public static var errorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
