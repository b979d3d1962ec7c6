import Foundation
import Testing

/// Runs the built `synthaudit` binary and captures what it prints.
///
/// The binary is `$SYNTHAUDIT_BIN` when set (the Makefile points it at the release build), else
/// the debug build that `swift test` makes beside the tests.
enum BinaryRunner {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the process ended by a signal rather than by exiting.
        var signalled: Bool
        /// Whether it was killed for running past its time limit (a hang).
        var timedOut = false

        /// The lines of standard error.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SYNTHAUDIT_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/synthaudit")
    }

    /// Runs the binary with `arguments` in `directory` and waits for it; with a `limit`, kills it
    /// after that many seconds and reports `timedOut`, so that a hang fails a test instead of
    /// stalling the suite.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    limit: Double? = nil) throws -> Outcome {
        let process = try start(arguments, in: directory, environment: environment)
        return finish(process, limit: limit)
    }

    static func start(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> RunningProcess {
        #expect(FileManager.default.isExecutableFile(atPath: binary.path),
                "no synthaudit binary at \(binary.path): run `swift build` or set SYNTHAUDIT_BIN")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process: process, output: output, error: error)
    }

    /// Waits for the process, reading both pipes meanwhile (a chatty process never blocks on a
    /// full pipe); past `limit` seconds it is killed.
    static func finish(_ running: RunningProcess, limit: Double? = nil) -> Outcome {
        let group = DispatchGroup()
        nonisolated(unsafe) var outputData = Data()
        nonisolated(unsafe) var errorData = Data()
        DispatchQueue.global().async(group: group) { outputData = running.output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errorData = running.error.fileHandleForReading.readDataToEndOfFile() }
        var timedOut = false
        if let limit {
            let deadline = Date().addingTimeInterval(limit)
            while running.process.isRunning {
                if Date() > deadline {
                    timedOut = true
                    kill(running.process.processIdentifier, SIGKILL)
                    break
                }
                usleep(20_000)
            }
        }
        running.process.waitUntilExit()
        group.wait()
        return Outcome(status: running.process.terminationStatus,
                       stdout: String(decoding: outputData, as: UTF8.self),
                       stderr: String(decoding: errorData, as: UTF8.self),
                       signalled: running.process.terminationReason == .uncaughtSignal, timedOut: timedOut)
    }

    struct RunningProcess {
        var process: Process
        var output: Pipe
        var error: Pipe
    }

    /// A fresh empty directory for one test.
    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
