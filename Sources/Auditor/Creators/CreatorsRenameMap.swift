import Foundation
import Datasets
import TableIO
import Yams

/// How someone else's dataset maps onto a built-in profile: its window, file and column names,
/// and value maps (YAML; `Documentation/profiles.md`).
///
///     profile: creators
///     name: signalpilot
///     window: [2024-01, 2025-12]          # the as-of moment is the end of the last month
///     files: {transactions: payments.csv}  # table -> file name (default: TABLE.csv)
///     columns:
///       pledges: {started_at: start_ts}    # our column -> theirs
///     values:
///       pledges.pledge_status: {cancelled: churned}
public struct MappingProfile: Sendable, Equatable {
    public var profile: String
    public var name: String
    public var firstMonth: YearMonth
    public var lastMonth: YearMonth
    public var files: [String: String]
    public var columns: [String: [String: String]]
    public var values: [String: [String: String]]
    public var path: String
    /// The rules of our generator's conventions this profile applies (``CreatorsAudit/conventions``):
    /// all of them for the built-in dataset, only those a mapping names for anyone else's.
    public var rules: [String] = []
    /// The churn definition of a role mapping (nil: the built-in creators profile's).
    public var churn: ChurnDefinition?

    /// The profile of the built-in dataset: no renames, no value maps, the SPEC window.
    public static let creators = MappingProfile(profile: "creators", name: "creators", firstMonth: YearMonth(year: 2023, month: 1),
                                                lastMonth: YearMonth(year: 2024, month: 12), files: [:], columns: [:], values: [:],
                                                path: "built-in", rules: CreatorsAudit.conventionRules)

    /// The file that holds `table`.
    public func file(_ table: String) -> String { files[table] ?? table + ".csv" }

    /// Their name for our column `column` of `table`.
    public func column(_ table: String, _ column: String) -> String { columns[table]?[column] ?? column }

    /// Our value for their `value` of `table.column`.
    public func value(_ table: String, _ column: String, _ value: String) -> String {
        values[table + "." + column]?[value] ?? value
    }

    /// Whether `table.column` has a value map.
    public func mapsValues(_ table: String, _ column: String) -> Bool { values[table + "." + column] != nil }

    static let tables: Set<String> = ["creators", "patrons", "tiers", "pledges", "transactions", "posts", "engagement_events"]

    /// Reads a mapping profile, reporting each problem with its line.
    public static func load(path: String) throws -> MappingProfile {
        let bytes = try InputFile.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw BandsError.invalid([BandsDiagnostic(path: path, line: 1, message: "not UTF-8 text")])
        }
        var problems: [BandsDiagnostic] = []
        func problem(_ node: Node?, _ message: String) {
            problems.append(BandsDiagnostic(path: path, line: node?.mark?.line ?? 1, message: message))
        }
        let root: Node
        do {
            guard let node = try BoundedYAML.compose(text, path: path) else { throw BandsError.invalid([BandsDiagnostic(path: path, line: 1, message: "empty profile")]) }
            root = node
        } catch let failure as BoundedYAML.Failure {
            throw BandsError.invalid([BandsDiagnostic(path: path, line: failure.line, message: failure.message)])
        }
        guard let top = root.mapping else { throw BandsError.invalid([BandsDiagnostic(path: path, line: 1, message: "expected a mapping")]) }
        var result = MappingProfile.creators
        result.path = path
        result.rules = []
        for (key, value) in top {
            switch key.string ?? "" {
            case "profile":
                if value.string != "creators" { problem(value, "only the creators profile takes a mapping (got '\(value.string ?? "?")')") }
            case "name":
                result.name = value.string ?? result.name
            case "window":
                let months = value.sequence?.compactMap { node -> YearMonth? in
                    guard let text = node.string, let date = CivilDate(text + "-01") else { return nil }
                    return date.yearMonth
                } ?? []
                if months.count == 2 && months[0] < months[1] && months[0].months(to: months[1]) >= AuditWindow.maximumMonths {
                    problem(value, AuditWindow.tooLong(first: months[0], last: months[1], source: "'window'"))
                } else if months.count == 2 && months[0] < months[1] {
                    result.firstMonth = months[0]
                    result.lastMonth = months[1]
                } else {
                    problem(value, "'window' must be [YYYY-MM, YYYY-MM], first before last")
                }
            case "files":
                for (table, file) in value.mapping ?? [:] {
                    guard let name = table.string, tables.contains(name), let fileName = file.string else {
                        problem(table, "unknown table '\(table.string ?? "?")' in 'files'")
                        continue
                    }
                    result.files[name] = fileName
                }
            case "columns":
                for (table, renames) in value.mapping ?? [:] {
                    guard let name = table.string, tables.contains(name), let pairs = renames.mapping else {
                        problem(table, "'columns' maps a table to {our column: their column}")
                        continue
                    }
                    for (ours, theirs) in pairs {
                        if let ours = ours.string, let theirs = theirs.string { result.columns[name, default: [:]][ours] = theirs }
                    }
                }
            case "values":
                for (column, map) in value.mapping ?? [:] {
                    guard let name = column.string, name.split(separator: ".").count == 2,
                          tables.contains(String(name.split(separator: ".")[0])), let pairs = map.mapping else {
                        problem(column, "'values' maps table.column to {their value: our value}")
                        continue
                    }
                    for (theirs, ours) in pairs {
                        if let theirs = theirs.string, let ours = ours.string { result.values[name, default: [:]][theirs] = ours }
                    }
                }
            case "rules":
                for rule in value.sequence ?? [] {
                    guard let name = rule.string, CreatorsAudit.conventionRules.contains(name) else {
                        problem(rule, "unknown rule '\(rule.string ?? "?")' (expected \(CreatorsAudit.conventionRules.joined(separator: ", ")))")
                        continue
                    }
                    result.rules.append(name)
                }
            default:
                problem(key, "unknown key '\(key.string ?? "?")' (expected profile, name, window, files, columns, values, rules)")
            }
        }
        if top["profile"] == nil { problem(root, "missing 'profile: creators'") }
        guard problems.isEmpty else { throw BandsError.invalid(problems.sorted { $0.line < $1.line }) }
        return result
    }
}
