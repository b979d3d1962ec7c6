#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an input path cannot be read as a file: it is missing, a dangling or looping symbolic
/// link, or not a regular file (a FIFO, a device, a socket, a directory).
public struct InputError: ReportableError, Equatable {
    public enum Kind: Equatable, Sendable {
        case missing
        case danglingLink
        case linkLoop
        /// Not a regular file; the kind it is ("a FIFO", "a character device", ...).
        case notRegular(String)
        case tooLarge(limit: Int)
        case unreadable(errno: Int32)
    }

    public var kind: Kind
    /// The path as the user should read it.
    public var file: String

    public init(_ kind: Kind, file: String) {
        self.kind = kind
        self.file = file
    }

    public var description: String {
        switch kind {
        case .missing: return "no such file '\(file)'"
        case .danglingLink: return "'\(file)' is a symbolic link to nothing (dangling)"
        case .linkLoop: return "'\(file)' is a loop of symbolic links"
        case .notRegular(let what): return "'\(file)' is \(what), not a regular file"
        case .tooLarge(let limit): return "'\(file)' is larger than \(limit >> 20) MiB, too large for this kind of input"
        case .unreadable(let code): return "cannot read '\(file)': \(systemMessage(code))"
        }
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .missing, .danglingLink, .linkLoop, .notRegular: return .noInput
        case .tooLarge: return .dataError
        case .unreadable: return .ioError
        }
    }
}

/// Opens input files so that nothing can block or run forever: non-blocking, so a FIFO
/// without a writer does not hang the open, then checked to be a regular file, so a FIFO,
/// device or socket is refused with one line instead of being read without end.
public enum InputFile {
    /// The kind of a file that is not a regular file, in words.
    static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// The error for a failed `open` or `stat` of `path`, telling a dangling link from a missing file.
    public static func error(errno code: Int32, path: String, displayName: String) -> InputError {
        var info = stat()
        if code != ENOENT && code != ELOOP && stat(path, &info) == 0, let kind = kindName(info.st_mode) {
            return InputError(.notRegular(kind), file: displayName)
        }
        switch code {
        case ENOENT:
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK { return InputError(.danglingLink, file: displayName) }
            return InputError(.missing, file: displayName)
        case ELOOP: return InputError(.linkLoop, file: displayName)
        case ENOTDIR: return InputError(.missing, file: displayName)
        default: return InputError(.unreadable(errno: code), file: displayName)
        }
    }

    /// Opens `path` for reading and checks that it is a regular file.
    ///
    /// - Returns: the descriptor (blocking again) and the file's size at open.
    public static func open(_ path: String, displayName: String? = nil) throws -> (descriptor: Int32, size: Int) {
        let name = displayName ?? path
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        #else
        let descriptor = Darwin.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        #endif
        guard descriptor >= 0 else { throw error(errno: errno, path: path, displayName: name) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw InputError(.unreadable(errno: code), file: name)
        }
        if let kind = kindName(info.st_mode) {
            close(descriptor)
            throw InputError(.notRegular(kind), file: name)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return (descriptor, Int(info.st_size))
    }

    /// Checks that `path` is a regular file without keeping it open (for a library that opens
    /// the file itself, such as SQLite).
    public static func check(_ path: String, displayName: String? = nil) throws {
        let (descriptor, _) = try open(path, displayName: displayName)
        close(descriptor)
    }

    /// The whole of a small input file (a profile, a bands file, a golden report), at most `limit` bytes.
    public static func read(_ path: String, displayName: String? = nil, limit: Int = 64 << 20) throws -> [UInt8] {
        let name = displayName ?? path
        let (descriptor, size) = try open(path, displayName: name)
        defer { close(descriptor) }
        guard size <= limit else { throw InputError(.tooLarge(limit: limit), file: name) }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: bytes.count) }
            let count = bytes.withUnsafeMutableBytes { raw in
                #if canImport(Glibc)
                Glibc.read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                #else
                Darwin.read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                #endif
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(.unreadable(errno: errno), file: name)
            }
            if count == 0 { break }
            filled += count
            guard filled <= limit else { throw InputError(.tooLarge(limit: limit), file: name) }
        }
        return Array(bytes[0..<filled])
    }

    /// Whether something is at `path`, a dangling symbolic link included (so that it is reported,
    /// never taken for an absent optional file).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a directory (following links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
