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
