import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes staged outputs when the process is interrupted (Ctrl-C, `SIGTERM`, `SIGHUP`).
///
/// The signals are taken off their default action and delivered to a dispatch source, so the
/// cleanup runs as ordinary code on its own thread, not inside a signal handler. After
/// removing every registered temporary path the process exits with `128 + signal`.
public enum InterruptCleanup {
    private static let registry = Mutex<Registry>(Registry())

    private struct Registry: ~Copyable {
        var paths: [Int: String] = [:]
        var nextToken = 0
        var installed = false
    }

    /// Creates `path` with `create` and registers it for removal on interrupt, as one step: the
    /// interrupt handler holds the same lock until the process exits, so it either runs before the
    /// path exists or finds it registered. Returns a token for ``unregister(_:)``.
    public static func create(_ path: String, _ create: () throws -> Void) throws -> Int {
        installIfNeeded()
        return try registry.withLock { registry -> Int in
            try create()
            let token = registry.nextToken
            registry.nextToken += 1
            registry.paths[token] = path
            return token
        }
    }

    private static func installIfNeeded() {
        let needsInstall = registry.withLock { registry -> Bool in
            defer { registry.installed = true }
            return !registry.installed
        }
        if needsInstall { installHandlers() }
    }

    /// Stops tracking the path registered under `token`.
    public static func unregister(_ token: Int) {
        _ = registry.withLock { $0.paths.removeValue(forKey: token) }
    }

    /// Runs `body` (the rename into place) and stops tracking `token`, as one step: an interrupt
    /// never removes a staged directory while it is being moved.
    public static func finish(_ token: Int, _ body: () throws -> Void) throws {
        try registry.withLock { registry in
            try body()
            registry.paths.removeValue(forKey: token)
        }
    }

    private static func installHandlers() {
        let queue = DispatchQueue(label: "synthaudit.interrupt")
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                // The lock is never released: no new output can be staged while the process
                // removes what exists and exits.
                registry.withLock { registry in
                    for path in registry.paths.sorted(by: { $0.key < $1.key }).map(\.value) {
                        // Another thread may still be writing files into a staged directory:
                        // remove until nothing is left.
                        for _ in 0..<100 where pathExists(path) { removeTree(path) }
                    }
                    _exit(128 + signalNumber)
                }
            }
            source.resume()
            Sources.keep(source)
        }
    }

    /// Keeps the dispatch sources alive for the life of the process.
    private enum Sources {
        nonisolated(unsafe) static var retained: [any DispatchSourceSignal] = []
        static func keep(_ source: any DispatchSourceSignal) { retained.append(source) }
    }
}

func pathExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// Removes a file or a directory tree; errors are ignored (best effort during cleanup).
func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        if let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { removeTree(path + "/" + name) }
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}
