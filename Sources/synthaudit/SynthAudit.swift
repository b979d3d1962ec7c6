import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TableIO

@main
struct SynthAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthaudit",
        abstract: "Generate synthetic subscription datasets with known ground truth, and audit any such dataset.",
        version: synthauditVersion,
        subcommands: [Generate.self, AuditCommand.self, Bands.self, Profile.self]
    )

    /// Parses and runs the command; a usage error is one `synthaudit:` line and exit 64, like
    /// every other error (help and version print as usual).
    static func main() {
        // An argument that is not UTF-8 (a path of Latin-1 bytes) would reach the command with its
        // bytes replaced, and an output would be written under another name than the one asked for.
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument))
            if String(validating: bytes, as: UTF8.self) == nil {
                printError("synthaudit: argument \(index) is not UTF-8 text: '\(Console.printable(String(decoding: bytes, as: UTF8.self)))' (see --help)")
                terminate(ExitStatus.usage.rawValue)
            }
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            terminate(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            let text = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard code != .success, !text.isEmpty else { exit(withError: error) }
            printError("synthaudit: " + Console.errorLine(text) + " (see --help)")
            terminate(code.rawValue)
        }
    }
}

/// Ends the process with `status`.
func terminate(_ status: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(status)
    #else
    Darwin.exit(status)
    #endif
}

/// `--seed`: a whole number from 0 to 2^64 - 1, with a message that says so (a negative number
/// would otherwise read as a missing value).
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
        throw ValidationError("expected a whole number from 0 to \(UInt64.max)")
    }
    return seed
}


/// Prints a one-line error to standard error and returns the exit code it maps to.
func fail(_ error: any ReportableError) -> ExitCode {
    printError("synthaudit: " + Console.errorLine(error.description))
    return ExitCode(error.exitStatus.rawValue)
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    Console.writeError(text.hasSuffix("\n") ? text : text + "\n")
}
