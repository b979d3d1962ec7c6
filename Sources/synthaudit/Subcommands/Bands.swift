import ArgumentParser
import Auditor
import TableIO

struct Bands: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with bands files (the target bands of an audit).",
        subcommands: [BandsCheck.self]
    )
}

struct BandsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a bands file (YAML, known metric ids, sensible bands, no duplicates) and prove its conflicts.",
        discussion: """
            Every problem is printed as FILE:LINE: message. A valid file is then checked for \
            conflicts that follow from its targets alone (Documentation/bands.md); a conflict is \
            reported, not an error. Exit status: 0 valid, 65 problems found, 66 no such file, \
            74 unreadable.
            """
    )

    @Argument(help: "The bands file (YAML).")
    var file: String

    func run() throws {
        let bands: BandsFile
        do {
            bands = try BandsLoader.load(path: file)
        } catch let error as any ReportableError {
            if case BandsError.invalid(let diagnostics)? = error as? BandsError {
                for diagnostic in diagnostics { printError(Console.errorLine(diagnostic.description)) }
                printError("synthaudit: \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in '\(Console.printable(file))'")
                throw ExitCode(error.exitStatus.rawValue)
            }
            throw fail(error)
        }
        let warnOnly = bands.bands.filter { $0.severity == .warn }.map(\.id)
        print("\(file): \(bands.bands.count) bands for profile '\(bands.profile)', valid")
        if !warnOnly.isEmpty {
            print("warn-only (known conflicts, see their notes): \(warnOnly.joined(separator: ", "))")
        }
        let conflicts = BandConflicts.prove(bands)
        if conflicts.isEmpty {
            print("no conflict between the bands could be proved (rules: \(BandConflicts.rules.joined(separator: "; ")))")
        } else {
            print("\(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s") proved from the targets alone:")
            for conflict in conflicts {
                print("  \(conflict.bands.joined(separator: " vs ")): \(conflict.explanation)")
            }
        }
    }
}
