import CSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private copy of a WAL-mode database and its `-wal` file, in a new directory under the
/// temporary directory, removed when the last connection reading it closes (or on interrupt).
///
/// SQLite reads a WAL database through its `-shm` index, which it creates beside the database
/// even on a read-only connection; the alternatives leave the input's WAL content unread
/// (`immutable=1` ignores the `-wal` file) or need a lock a read-only file descriptor cannot take
/// (`locking_mode=EXCLUSIVE`, which keeps the index in heap memory, fails with an I/O error;
/// `nolock=1` makes SQLite refuse WAL mode). The copy gets its `-shm` in its own directory, and
/// every connection of the process to the same input shares one copy.
final class SQLiteWALSnapshot: Sendable {
    /// The copied database file.
    let databasePath: String
    private let directory: String
    private let token: Int

    private struct Entry { weak var snapshot: SQLiteWALSnapshot? }
    private static let copies = Mutex<[String: Entry]>([:])
    private static let counter = Atomic<Int>(0)

    /// The copy of `path` and `path-wal`, made now unless a live one exists.
    static func shared(for path: String) throws -> SQLiteWALSnapshot {
        try copies.withLock { copies in
            if let snapshot = copies[path]?.snapshot { return snapshot }
            let snapshot = try SQLiteWALSnapshot(copying: path)
            copies[path] = Entry(snapshot: snapshot)
            return snapshot
        }
    }

    private init(copying path: String) throws {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let number = Self.counter.add(1, ordering: .relaxed).newValue
        directory = (base.hasSuffix("/") ? base : base + "/") + "synthaudit-wal-\(getpid())-\(number)-\(UInt32.random(in: 0...UInt32.max))"
        databasePath = directory + "/input.db"
        let directory = directory
        token = try InterruptCleanup.create(directory) {
            guard mkdir(directory, 0o700) == 0 else {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create a private copy of a WAL database in '\(base)' (\(String(cString: strerror(errno))))", path: path)
            }
        }
        do {
            // A writer that commits meanwhile would tear the copy: copy until both files stay put.
            var attempts = 0
            while true {
                let before = (Self.identity(path), Self.identity(path + "-wal"))
                try Self.copy(path, to: databasePath)
                try Self.copy(path + "-wal", to: databasePath + "-wal")
                if Self.identity(path) == before.0 && Self.identity(path + "-wal") == before.1 { break }
                attempts += 1
                guard attempts < 5 else {
                    throw SQLiteError(code: SQLITE_BUSY, message: "the database and its -wal file keep changing while they are read", path: path)
                }
            }
        } catch {
            removeTree(directory)
            InterruptCleanup.unregister(token)
            throw error
        }
    }

    deinit {
        removeTree(directory)
        InterruptCleanup.unregister(token)
    }

    /// Size and modification time, to tell whether a file changed.
    private static func identity(_ path: String) -> [Int64] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return [Int64(info.st_size), Int64(modified.tv_sec), Int64(modified.tv_nsec), Int64(info.st_ino)]
    }

    /// Copies the bytes of `source` to a new file `target` (mode 0600).
    private static func copy(_ source: String, to target: String) throws {
        let (input, _) = try InputFile.open(source)
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot copy a WAL database to '\(target)' (\(String(cString: strerror(errno))))", path: source)
        }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw SQLiteError(code: SQLITE_IOERR, message: "cannot read (\(String(cString: strerror(errno))))", path: source)
            }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw SQLiteError(code: SQLITE_IOERR, message: "cannot copy a WAL database to '\(target)' (\(String(cString: strerror(errno))))", path: source)
                }
                written += result
            }
        }
    }
}

