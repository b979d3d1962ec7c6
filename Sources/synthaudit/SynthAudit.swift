import ArgumentParser
import TableIO

@main
struct SynthAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthaudit",
        abstract: "Generate synthetic subscription datasets with known ground truth, and audit any such dataset.",
        version: synthauditVersion,
        subcommands: [Generate.self, AuditCommand.self, Bands.self]
    )
}


/// Prints a one-line error to standard error and returns the exit code it maps to.
func fail(_ error: any ReportableError) -> ExitCode {
    printError("synthaudit: \(error.description)")
    return ExitCode(error.exitStatus.rawValue)
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    Console.writeError(text.hasSuffix("\n") ? text : text + "\n")
}
