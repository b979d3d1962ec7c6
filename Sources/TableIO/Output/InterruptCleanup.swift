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

    /// Registers `path` for removal on interrupt; returns a token for ``unregister(_:)``.
    public static func register(_ path: String) -> Int {
        let (token, needsInstall) = registry.withLock { registry -> (Int, Bool) in
            let token = registry.nextToken
            registry.nextToken += 1
            registry.paths[token] = path
            let needsInstall = !registry.installed
            registry.installed = true
            return (token, needsInstall)
        }
        if needsInstall { installHandlers() }
        return token
    }

    /// Stops tracking the path registered under `token`.
    public static func unregister(_ token: Int) {
        _ = registry.withLock { $0.paths.removeValue(forKey: token) }
    }

    private static func installHandlers() {
        let queue = DispatchQueue(label: "synthaudit.interrupt")
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                let paths = registry.withLock { registry in
                    let paths = registry.paths.sorted { $0.key < $1.key }.map(\.value)
                    registry.paths.removeAll()
                    return paths
                }
                for path in paths { removeTree(path) }
                _exit(128 + signalNumber)
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
