#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for writing with `write(2)`, closed when released.
///
/// Callers hand it whole buffers; it loops over short writes and reports errors with the path.
public final class FileSink {
    public let path: String
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var byteCount = 0

    /// Creates (or truncates) `path`.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError.system(operation: "create", path: path, errno: errno)
        }
    }

    deinit {
        #if canImport(Glibc)
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        #else
        if descriptor >= 0 { _ = Darwin.close(descriptor) }
        #endif
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            try write(raw)
        }
    }

    /// Writes all of `raw`.
    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            #if canImport(Glibc)
            let written = Glibc.write(descriptor, base + offset, raw.count - offset)
            #else
            let written = Darwin.write(descriptor, base + offset, raw.count - offset)
            #endif
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError.system(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
        byteCount += raw.count
    }

    /// Writes the buffer's bytes and empties it.
    public func drain(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeBytes { try write($0) }
        buffer.removeAll()
    }

    /// Flushes to stable storage and closes the file.
    public func close() throws {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        guard fsync(descriptor) == 0 else {
            throw OutputError.system(operation: "sync", path: path, errno: errno)
        }
        #if canImport(Glibc)
        let result = Glibc.close(descriptor)
        #else
        let result = Darwin.close(descriptor)
        #endif
        guard result == 0 else {
            throw OutputError.system(operation: "close", path: path, errno: errno)
        }
    }
}
