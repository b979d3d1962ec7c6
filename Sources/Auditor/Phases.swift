#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time of an audit's phases (and the peak memory so far), written to stderr when the environment variable
/// `SYNTHAUDIT_PHASES` is set: the benchmark's profile of where an audit spends its time.
/// Never part of a report (reports carry no clock).
final class Phases: @unchecked Sendable {
    static let enabled = getenv("SYNTHAUDIT_PHASES") != nil
    private var last: Double
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        last = Self.now()
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    static func now() -> Double {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
    }

    /// Ends the phase that began at the previous mark.
    func mark(_ name: String) {
        guard Self.enabled else { return }
        pthread_mutex_lock(lock)
        let now = Self.now()
        report(name, now - last)
        last = now
        pthread_mutex_unlock(lock)
    }

    /// Times `body` on its own (a phase running beside others on another thread).
    func time<Value>(_ name: String, _ body: () throws -> Value) rethrows -> Value {
        guard Self.enabled else { return try body() }
        let start = Self.now()
        defer {
            pthread_mutex_lock(lock)
            report(name, Self.now() - start)
            pthread_mutex_unlock(lock)
        }
        return try body()
    }

    /// The peak resident memory of this process image in KiB: `VmHWM` of /proc/self/status on
    /// Linux (getrusage's maxrss would include the memory of the parent that forked it).
    static func peakKiB() -> Int {
        #if os(Linux)
        if let file = fopen("/proc/self/status", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 256)
            while fgets(&line, Int32(line.count), file) != nil {
                let text = String(cString: line)
                if text.hasPrefix("VmHWM:") { return Int(text.dropFirst(6).filter(\.isNumber)) ?? 0 }
            }
        }
        return 0
        #else
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss >> 10
        #endif
    }

    private func report(_ name: String, _ seconds: Double) {
        let line = Array("phase \(name): \(Int((seconds * 1000).rounded())) ms, peak \(Self.peakKiB() >> 10) MiB so far\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
