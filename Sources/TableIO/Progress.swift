#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a long run on standard error: rows, rate and ETA, redrawn on one line.
///
/// Silent unless standard error is a terminal, and only after the run has lasted two seconds,
/// so short runs and redirected output see nothing.
public final class Progress {
    private let label: String
    private let enabled: Bool
    private let started: Double
    private var lastDrawn = 0.0
    private var drew = false

    public init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && Console.errorIsTerminal
        self.started = Progress.now()
    }

    /// Reports `done` of `total` units, with `rows` written so far.
    public func update(done: Int, total: Int, rows: Int, bytes: Int) {
        guard enabled else { return }
        let now = Progress.now()
        let elapsed = now - started
        guard elapsed >= 2, now - lastDrawn >= 0.25 else { return }
        lastDrawn = now
        drew = true
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let rate = Double(bytes) / elapsed / 1_048_576
        Console.writeError("\r\(label): \(Format.percent(fraction, digits: 0)), \(Format.grouped(rows)) rows, "
            + "\(Format.fixed(rate, 0)) MB/s, ETA \(Format.fixed(eta, 0)) s   ")
    }

    /// Ends the progress line, if one was drawn.
    public func finish() {
        if drew { Console.writeError("\n") }
    }

    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
