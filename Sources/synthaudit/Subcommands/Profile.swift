import ArgumentParser
import Auditor
import Datasets
import TableIO

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with profiles: mappings of a dataset onto the roles the auditor reads (Documentation/profiles.md).",
        subcommands: [ProfileCheck.self, ProfileShow.self]
    )
}

struct ProfileCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a mapping (YAML): keys, roles, fields, expressions, time formats, churn rule, tests.",
        discussion: """
            Every problem is printed as FILE:LINE: message, with a suggestion for a misspelt key, \
            field or test. Columns are checked against the data when the audit reads it. Exit \
            status: 0 valid, 65 problems found, 66 no such file, 74 unreadable.
            """
    )

    @Argument(help: "The mapping (YAML).")
    var file: String

    func run() throws {
        let checked: (mapping: Mapping?, renameMap: MappingProfile?)
        do {
            checked = try Audit.checkProfile(path: file)
        } catch let error as any ReportableError {
            let diagnostics: [String]
            switch error {
            case MappingError.invalid(let list): diagnostics = list.map(\.description)
            case BandsError.invalid(let list): diagnostics = list.map(\.description)
            default: throw fail(error)
            }
            for diagnostic in diagnostics { printError(Console.errorLine(diagnostic)) }
            printError("synthaudit: \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in '\(Console.printable(file))'")
            throw ExitCode(error.exitStatus.rawValue)
        }
        guard let mapping = checked.mapping else {
            print(Console.printable("\(file): creators rename map '\(checked.renameMap?.name ?? "")', valid"))
            return
        }
        let roles = Role.allCases.filter { mapping[$0] != nil }.map { role in "\(role.rawValue) <- \(mapping[role]!.sourceName)" }
        print(Console.printable("\(file): mapping '\(mapping.name)', valid; roles: \(roles.joined(separator: ", "))"))
        print(Console.printable("churn: \(mapping.churn.statement)"))
    }
}

struct ProfileShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a built-in profile (a mapping to copy and adapt to your own data)."
    )

    @Argument(help: "A built-in profile: \(BuiltInProfiles.names.joined(separator: ", ")).")
    var name: String

    func run() throws {
        guard let (_, yaml) = BuiltInProfiles.text(for: name) else {
            printError("synthaudit: unknown built-in profile '\(Console.printable(name))' (expected \(BuiltInProfiles.names.joined(separator: ", ")))")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        print(yaml)
    }
}
