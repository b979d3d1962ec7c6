// csvscan: the parsing floor of the audit benchmark. Reads each file in 1 MiB chunks through
// libcsv in strict mode, with the same options as the auditor's reader, and callbacks that only
// count fields and rows: what any libcsv-based tool must spend before it looks at a value.
// Files go to worker threads largest first (default: one per core), as the auditor runs its
// two large files side by side.
//
//   csvscan [--threads N] FILE...
//   prints {"bytes": ..., "fields": ..., "files": ..., "rows": ..., "seconds": ...}

import CLibCSV
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Counts {
    var fields = 0
    var rows = 0
    var bytes = 0
}

func scan(_ path: String) -> Counts? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var parser = csv_parser()
    guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL | CSV_REPALL_NL)) == 0 else { return nil }
    defer { csv_free(&parser) }
    let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
    defer { chunk.deallocate() }
    var counts = Counts()
    let field: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { _, _, context in
        context!.assumingMemoryBound(to: Counts.self).pointee.fields += 1
    }
    let row: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        context!.assumingMemoryBound(to: Counts.self).pointee.rows += 1
    }
    return withUnsafeMutablePointer(to: &counts) { context -> Counts? in
        while true {
            let count = read(descriptor, chunk, 1 << 20)
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            context.pointee.bytes += count
            guard csv_parse(&parser, chunk, count, field, row, context) == count else { return nil }
        }
        csv_fini(&parser, field, row, context)
        return context.pointee
    }
}

/// A line on standard error.
func complain(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var threads = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
if arguments.first == "--threads", arguments.count >= 2, let value = Int(arguments[1]) {
    threads = max(1, value)
    arguments.removeFirst(2)
}
guard !arguments.isEmpty else {
    complain("usage: csvscan [--threads N] FILE...")
    exit(64)
}
var sizes: [(path: String, size: Int)] = []
for path in arguments {
    var info = stat()
    guard stat(path, &info) == 0 else {
        complain("csvscan: cannot read \(path)")
        exit(66)
    }
    sizes.append((path, Int(info.st_size)))
}
let order = sizes.sorted { $0.size != $1.size ? $0.size > $1.size : $0.path < $1.path }.map(\.path)

final class Results: @unchecked Sendable {
    var counts = Counts()
    var failed: String?
    var next = 0
    let lock = NSLockLike()
}

/// A pthread mutex (Foundation is not needed for this tool).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}

var clock = timespec()
clock_gettime(CLOCK_MONOTONIC, &clock)
let started = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
let results = Results()
let files = order
DispatchQueue.concurrentPerform(iterations: min(threads, files.count)) { _ in
    while true {
        results.lock.lock()
        let index = results.next
        results.next += 1
        results.lock.unlock()
        guard index < files.count else { return }
        let counts = scan(files[index])
        results.lock.lock()
        if let counts {
            results.counts.fields += counts.fields
            results.counts.rows += counts.rows
            results.counts.bytes += counts.bytes
        } else {
            results.failed = files[index]
        }
        results.lock.unlock()
    }
}
clock_gettime(CLOCK_MONOTONIC, &clock)
let seconds = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 - started
if let failed = results.failed {
    complain("csvscan: \(failed) is not strict CSV")
    exit(65)
}
print("{\"bytes\": \(results.counts.bytes), \"fields\": \(results.counts.fields), \"files\": \(files.count), \"rows\": \(results.counts.rows), \"seconds\": \(seconds)}")
