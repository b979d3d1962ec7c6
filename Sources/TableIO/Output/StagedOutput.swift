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
    private var token: Int?
    private var finished = false

    /// Stages an output for `target`, creating the parent directories it needs.
    ///
    /// - Throws: ``OutputError/exists(path:)`` if `target` exists and `force` is false.
    public init(target: String, kind: Kind, force: Bool) throws {
        self.target = target
        self.kind = kind
        self.force = force
        if let existing = Self.fileKind(target) {
            guard force else { throw OutputError.exists(path: target) }
            let expected = kind == .file ? "file" : "directory"
            guard existing == kind else { throw OutputError.wrongKind(path: target, expected: expected) }
        }
        let (parent, name) = Self.split(target)
        try Self.makeDirectories(parent)
        temporaryPath = (parent.isEmpty ? "" : parent + "/") + ".\(name).tmp-\(getpid())"
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
                let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw OutputError.system(operation: "create", path: path, errno: errno) }
                close(descriptor)
            }
        }
    }

    deinit {
        if !finished { discard() }
    }

    /// Moves the finished temporary output to the target.
    public func commit() throws {
        precondition(!finished, "a staged output is committed or discarded once")
        if kind == .file {
            try Self.syncFile(temporaryPath)
        }
        if Self.fileKind(target) != nil, !force { throw OutputError.exists(path: target) }
        // Both renames happen under the interrupt lock: an interrupt sees either the old target
        // or the new one in place, never a target moved aside.
        var aside: String?
        let move = { [kind, temporaryPath, target] in
            if kind == .directory, Self.fileKind(target) != nil {
                let (parent, name) = Self.split(target)
                let old = (parent.isEmpty ? "" : parent + "/") + ".\(name).old-\(getpid())"
                removeTree(old)
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
        }
        if let token { try InterruptCleanup.finish(token, move) } else { try move() }
        finished = true
        if let aside { removeTree(aside) }
    }

    /// Removes the temporary output; the target is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        removeTree(temporaryPath)
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
