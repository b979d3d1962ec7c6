import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file or directory written under a temporary name beside its target and moved
/// into place only by ``commit()``.
///
/// Nothing ever appears at the target half-written: a failed run (``discard()``, or release
/// without commit) and an interrupted one (see ``InterruptCleanup``) remove the temporary, and
/// an existing target is replaced only when `force` is set. For a file the final move is one
/// `rename(2)`; for a directory the old one is moved aside first and removed after the new one
/// is in place.
public final class StagedOutput {
    /// What the output is.
    public enum Kind: Sendable {
        case file
        case directory
    }

    /// The path the output will have once committed.
    public let target: String
    /// The temporary path to write to now (a file, or an existing empty directory).
    public let temporaryPath: String
    public let kind: Kind
    private let force: Bool
    private let owned: Ownership?
    private var token: Int?
    /// A descriptor of the temporary holding an exclusive `flock` while this run lives, so that
    /// no other run (in another PID namespace or on another host sharing the folder, where the
    /// PID says nothing) takes it for a dead run's leftover.
    private var lock: Int32 = -1
    private var finished = false

    /// Stages an output for `target`, creating the parent directories it needs.
    ///
    /// - Parameters:
    ///   - owned: what this tool writes at the target: `force` replaces an existing file only if
    ///     it begins with the signature (or is empty), a directory only if it is empty or holds
    ///     nothing but such names; without it, any regular file, and only empty directories.
    ///   - inputs: paths the command reads; a target that is one of them or holds one is refused,
    ///     with or without `force`.
    /// - Throws: ``OutputError/exists(path:)`` if `target` exists and `force` is false;
    ///   ``OutputError/notReplaceable(path:reason:)`` for what `force` must not replace.
    public init(target: String, kind: Kind, force: Bool, owned: Ownership? = nil, inputs: [String] = []) throws {
        guard !target.isEmpty else { throw OutputError.notReplaceable(path: target, reason: "an empty path names nothing to write") }
        self.target = target
        self.kind = kind
        self.force = force
        self.owned = owned
        for input in inputs where Self.overlaps(target: target, input: input) {
            throw OutputError.notReplaceable(path: target, reason: "it is an input of this command, or holds one ('\(input)')")
        }
        let (parent, name) = Self.split(target)
        Self.removeStale(parent: parent, name: name, target: target)
        if pathExists(target) {
            guard force else { throw OutputError.exists(path: target) }
            try Self.checkReplaceable(target, kind: kind, owned: owned)
        }
        try Self.makeDirectories(parent)
        // Unique per staging, also within one process: `.NAME.tmp-PID-N`.
        temporaryPath = (parent.isEmpty ? "" : parent + "/") + ".\(name).tmp-\(getpid())-\(Self.nextSerial())"
        removeTree(temporaryPath)
        let path = temporaryPath
        token = try InterruptCleanup.create(path) {
            if kind == .directory {
                guard mkdir(path, 0o755) == 0 else {
                    throw OutputError.system(operation: "create directory", path: path, errno: errno)
                }
            } else {
                // An empty file now, so that the interrupt handler knows it exists; the writer
                // opens it (SQLite takes an empty file as a new database).
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw OutputError.system(operation: "create", path: path, errno: errno) }
                close(descriptor)
            }
        }
        lock = Self.holdLock(path)
    }

    /// Opens `path` and takes an exclusive `flock` on it (-1 where that is not possible).
    static func holdLock(_ path: String) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return -1 }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    /// Whether another process holds the `flock` of `path` (a live run's temporary), or it is
    /// not something to remove at all (a symbolic link).
    static func isHeld(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return errno == ELOOP }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    private func releaseLock() {
        if lock >= 0 { close(lock) }
        lock = -1
    }

    deinit {
        if !finished { discard() }
        releaseLock()
    }

    /// Moves the finished temporary output to the target.
    ///
    /// Without `force` the move never replaces anything, even against a run racing for the same
    /// target: `rename` with `RENAME_NOREPLACE` (or a hard link for a file, a fresh `mkdir` for a
    /// directory, where the file system lacks it), so exactly one of them wins.
    public func commit() throws {
        precondition(!finished, "a staged output is committed or discarded once")
        if kind == .file {
            try Self.syncFile(temporaryPath)
        }
        // Both renames happen under the interrupt lock: an interrupt sees either the old target
        // or the new one in place, never a target moved aside.
        var aside: String?
        let move = { [kind, temporaryPath, target, force, owned] in
            guard force, pathExists(target) else {
                try Self.publishWithoutReplacing(temporaryPath, at: target, kind: kind)
                return
            }
            try Self.checkReplaceable(target, kind: kind, owned: owned)
            var held: Int32 = -1
            defer { if held >= 0 { close(held) } }
            if kind == .directory {
                let (parent, name) = Self.split(target)
                let old = (parent.isEmpty ? "" : parent + "/") + ".\(name).old-\(getpid())"
                removeTree(old)
                // Locked before it is moved aside: while moved aside it is this run's, not a leftover.
                held = Self.holdLock(target)
                guard rename(target, old) == 0 else {
                    throw OutputError.system(operation: "move aside", path: target, errno: errno)
                }
                aside = old
            }
            guard rename(temporaryPath, target) == 0 else {
                let code = errno
                if let aside { _ = rename(aside, target) }
                throw OutputError.system(operation: "rename into place", path: target, errno: code)
            }
            // Still under the lock: an interrupt now waits for the old output to be gone,
            // instead of leaving it moved aside.
            if let aside { removeTree(aside) }
        }
        if let token { try InterruptCleanup.finish(token, move) } else { try move() }
        finished = true
        releaseLock()
    }

    /// Moves `temporary` to `target` only if nothing is at `target`.
    static func publishWithoutReplacing(_ temporary: String, at target: String, kind: Kind) throws {
        if ckernels_rename_noreplace(temporary, target) == 0 { return }
        let code = errno
        if code == EEXIST || code == ENOTEMPTY { throw OutputError.exists(path: target) }
        guard code == EINVAL || code == ENOSYS || code == ENOTSUP else {
            throw OutputError.system(operation: "rename into place", path: target, errno: code)
        }
        // No RENAME_NOREPLACE here: claim the name with an operation that fails when it exists.
        if kind == .file {
            guard link(temporary, target) == 0 else {
                throw errno == EEXIST ? OutputError.exists(path: target)
                    : OutputError.system(operation: "link into place", path: target, errno: errno)
            }
            unlink(temporary)
        } else {
            guard mkdir(target, 0o755) == 0 else {
                throw errno == EEXIST ? OutputError.exists(path: target)
                    : OutputError.system(operation: "create directory", path: target, errno: errno)
            }
            // rename(2) replaces the empty directory just made.
            guard rename(temporary, target) == 0 else {
                let code = errno
                rmdir(target)
                throw OutputError.system(operation: "rename into place", path: target, errno: code)
            }
        }
    }

    /// What a command writes at its target, so that `--force` replaces only that.
    public struct Ownership: Sendable {
        /// For a file output: the bytes such a file begins with (`SQLite format 3\0`).
        public var signature: [UInt8]
        /// For a directory output: whether an entry's name is one the command writes there.
        public var writes: @Sendable (String) -> Bool

        public init(signature: [UInt8] = [], writes: @escaping @Sendable (String) -> Bool = { _ in false }) {
            self.signature = signature
            self.writes = writes
        }
    }

    /// Whether `--force` may replace what is at the target: for a file output a regular file that
    /// is empty or begins with the ``Ownership/signature``; for a directory output a directory that
    /// is empty or holds only names the command writes (never a device, a link, or a folder with
    /// someone else's files in it).
    static func checkReplaceable(_ target: String, kind: Kind, owned: Ownership?) throws {
        var info = stat()
        guard lstat(target, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        switch (kind, type) {
        case (.file, S_IFREG):
            guard let signature = owned?.signature, !signature.isEmpty, info.st_size > 0 else { return }
            let (descriptor, _) = try InputFile.open(target)
            defer { close(descriptor) }
            var head = [UInt8](repeating: 0, count: signature.count)
            let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count == signature.count && head == signature else {
                throw OutputError.notReplaceable(path: target, reason: "it is a file this command did not write")
            }
        case (.directory, S_IFDIR):
            let foreign = entries(target).filter { !(owned?.writes($0) ?? false) }.sorted()
            guard let first = foreign.first else { return }
            throw OutputError.notReplaceable(path: target, reason: "it holds files this command does not write ('\(first)'"
                                                + (foreign.count > 1 ? " and \(foreign.count - 1) more)" : ")"))
        default:
            let what = InputFile.kindName(info.st_mode) ?? "a regular file"
            throw OutputError.notReplaceable(path: target, reason: type == S_IFLNK ? "it is a symbolic link"
                                                : "it is \(what), not the \(kind == .file ? "file" : "directory") this command writes")
        }
    }

    /// The names in a directory (without `.` and `..`).
    static func entries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether writing `target` would replace `input` or a directory holding it.
    static func overlaps(target: String, input: String) -> Bool {
        guard let resolvedInput = realPath(input), let resolvedTarget = realPath(target) else { return false }
        return resolvedInput == resolvedTarget || resolvedInput.hasPrefix(resolvedTarget == "/" ? "/" : resolvedTarget + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static let serial = Mutex(0)

    static func nextSerial() -> Int {
        serial.withLock { value in
            value += 1
            return value
        }
    }

    /// Removes what an earlier run of this tool left beside `target` when it was killed before
    /// it could clean up (`.NAME.tmp-PID-N`, `.NAME.old-PID` of a process that no longer runs here
    /// and holds no lock on it, so a live run elsewhere keeps its temporary). An
    /// old target moved aside by a run killed during its commit is moved back if the target is gone.
    static func removeStale(parent: String, name: String, target: String) {
        let directory = parent.isEmpty ? "." : parent
        for entry in entries(directory) {
            for suffix in [".tmp-", ".old-"] {
                let prefix = "." + name + suffix
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid(),
                      kill(pid, 0) != 0, errno == ESRCH else { continue }
                let path = (parent.isEmpty ? "" : parent + "/") + entry
                guard !isHeld(path) else { continue }
                if suffix == ".old-" && !pathExists(target) && rename(path, target) == 0 { continue }
                removeTree(path)
            }
        }
    }

    /// Removes the temporary output; the target is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        removeTree(temporaryPath)
        releaseLock()
        if let token { InterruptCleanup.unregister(token) }
    }

    static func fileKind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return ("", String(trimmed)) }
        let parent = trimmed[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(trimmed[trimmed.index(after: slash)...]))
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        guard !path.isEmpty, fileKind(path) == nil else {
            if !path.isEmpty, fileKind(path) != .directory {
                throw OutputError.wrongKind(path: path, expected: "directory")
            }
            return
        }
        let (parent, _) = split(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw OutputError.system(operation: "create directory", path: path, errno: errno)
        }
    }

    static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw OutputError.system(operation: "open", path: path, errno: errno)
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw OutputError.system(operation: "sync", path: path, errno: errno)
        }
    }
}
