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
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SYNTHAUDIT_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/synthaudit")
    }

    /// Runs the binary with `arguments` in `directory` and waits for it.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        let process = try start(arguments, in: directory)
        return finish(process)
    }

    static func start(_ arguments: [String], in directory: URL? = nil) throws -> RunningProcess {
        #expect(FileManager.default.isExecutableFile(atPath: binary.path),
                "no synthaudit binary at \(binary.path): run `swift build` or set SYNTHAUDIT_BIN")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process: process, output: output, error: error)
    }

    static func finish(_ running: RunningProcess) -> Outcome {
        let outputData = running.output.fileHandleForReading.readDataToEndOfFile()
        let errorData = running.error.fileHandleForReading.readDataToEndOfFile()
        running.process.waitUntilExit()
        return Outcome(status: running.process.terminationStatus,
                       stdout: String(decoding: outputData, as: UTF8.self),
                       stderr: String(decoding: errorData, as: UTF8.self),
                       signalled: running.process.terminationReason == .uncaughtSignal)
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
