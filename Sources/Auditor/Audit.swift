import Datasets
import Yams
import Foundation
import TableIO

/// Why an audit cannot start.
public enum AuditError: ReportableError, Equatable {
    case missingInput(String)
    case unknownProfile(String)
    case undetectedProfile(String)
    case unsupported(String)
    case profileMismatch(bands: String, input: String)
    /// The input is readable but does not hold what its profile needs (exit 65).
    case invalidData(String)

    public var description: String {
        switch self {
        case .missingInput(let path): return "no such input '\(path)'"
        case .unknownProfile(let name): return "unknown profile '\(name)' (expected saas, creators or a MAPPING.yaml file)"
        case .undetectedProfile(let path):
            return "cannot tell which profile '\(path)' is: expected the tables or files day06_customers, day06_subscriptions, day06_mrr_movements (saas) or creators.csv, pledges.csv, ... (creators); name one with --profile saas, --profile creators or --profile MAPPING.yaml (Documentation/profiles.md)"
        case .unsupported(let what), .invalidData(let what): return what
        case .profileMismatch(let bands, let input):
            return "the bands are for profile '\(bands)' but the input is audited as '\(input)'"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .missingInput: return .noInput
        case .undetectedProfile, .invalidData: return .dataError
        case .unknownProfile, .unsupported, .profileMismatch: return .usage
        }
    }
}

/// The longest window an audit measures: 1,200 months (100 years). Monthly and daily series,
/// per-month tables and the anomaly analysis grow with the window, so a window derived from a
/// stray date (9999-12-01) or declared as [0001-01, 9999-12] is refused, never looped over.
public enum AuditWindow {
    public static let maximumMonths = 1_200

    /// The one-line reason a window is refused.
    public static func tooLong(first: YearMonth, last: YearMonth, source: String) -> String {
        "\(source) spans \(first) .. \(last) (\(Format.grouped(first.months(to: last) + 1)) months); "
            + "an audit window is at most \(Format.grouped(maximumMonths)) months"
    }
}

/// One audit: load the input, measure, check the bands, assemble the report.
public struct Audit {
    public var inputs: [String]
    public var profile: String?
    public var bandsPath: String?

    public init(inputs: [String], profile: String?, bandsPath: String?) {
        self.inputs = inputs
        self.profile = profile
        self.bandsPath = bandsPath
    }

    public func run() throws -> AuditReport {
        guard !inputs.isEmpty else { throw AuditError.missingInput("") }
        for path in inputs {
            guard InputFile.exists(path) else { throw AuditError.missingInput(path) }
            // A dangling link, a FIFO or a device is named here, before anything reads it.
            if !InputFile.isDirectory(path) { try InputFile.check(path) }
        }
        // The profile: a mapping file, a built-in name, or detected from the table and file names.
        var mapping: Mapping?
        if let profile, profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") {
            if try Self.isRoleMapping(profile) {
                mapping = try MappingLoader.load(path: profile)
            } else {
                return try creatorsAudit(try MappingProfile.load(path: profile), builtIn: false)
            }
        } else if let profile {
            guard let builtIn = try BuiltInProfiles.mapping(profile) else { throw AuditError.unknownProfile(profile) }
            mapping = builtIn
        }
        if mapping == nil, inputs.count == 1, let detected = try BuiltInProfiles.detect(Self.tableNames(inputs[0])) {
            mapping = detected
        }
        if let mapping, mapping.engine == "creators" {
            return try creatorsAudit(try MappingProfile(engine: mapping), builtIn: mapping.builtIn)
        }
        let set = try InputSet(inputs)
        if mapping == nil {
            mapping = try BuiltInProfiles.detect(set.names)
        }
        guard let mapping else { throw AuditError.undetectedProfile(inputs[0]) }
        if mapping.engine == "creators" { return try creatorsAudit(try MappingProfile(engine: mapping), builtIn: mapping.builtIn) }
        // A mapping of someone else's data has no built-in bands: only those given with --bands.
        let bands = mapping.builtIn || bandsPath != nil ? try loadBands(profile: mapping.profile) : nil
        let (measurements, inputsInfo) = try RoleAudit(inputs: set, mapping: mapping, inputNames: inputs).run()
        return AuditReport(profile: mapping.name, inputs: inputsInfo, bandsPath: bands?.path, measurements: measurements,
                           checks: CheckEvaluator.evaluate(bands?.bands ?? [], against: measurements),
                           conflicts: bands.map(BandConflicts.prove) ?? [])
    }

    /// The table or file names of one input (without reading any table), for detection.
    static func tableNames(_ path: String) throws -> Set<String> {
        if InputFile.isDirectory(path) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return Set(files.filter { $0.lowercased().hasSuffix(".csv") }.flatMap { [$0, String($0.dropLast(4))] })
        }
        guard !path.lowercased().hasSuffix(".csv") else { return [] }
        return Set(try SQLiteConnection(path: path, mode: .readOnly).tableNames(includingViews: true))
    }

    /// Whether a profile file is a mapping onto roles (its top level has `roles` or `extends`), not
    /// a creators rename map (the older format, `profile: creators` with files, columns, values).
    /// Read as YAML, so that CRLF line ends, a byte-order mark or flow style decide nothing; a file
    /// that is not valid YAML is a mapping, whose loader names the problem.
    public static func isRoleMapping(_ path: String) throws -> Bool {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path)
        } catch let error as InputError where error.kind == .missing {
            throw MappingError.missing(path: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self),
              let root = try? BoundedYAML.compose(text, path: path), let top = root.mapping else { return true }
        let keys = Set(top.keys.compactMap(\.string))
        return keys.contains("roles") || keys.contains("extends") || !keys.contains("profile")
    }

    /// Reads a profile file as the audit does, with every check the audit makes of the file
    /// itself (not of the data): a role mapping, and for `engine: creators` what the engine can
    /// honour; or the older creators rename map. `profile check` runs this, so that it accepts
    /// exactly what an audit accepts. A role's or dimension's `query:` is checked without the
    /// data (``SQLiteConnection/checkUserQuery(_:)``): what the audit would refuse whatever the
    /// database holds is reported with the role's line.
    public static func checkProfile(path: String) throws -> (mapping: Mapping?, renameMap: MappingProfile?) {
        guard try isRoleMapping(path) else { return (nil, try MappingProfile.load(path: path)) }
        let mapping = try MappingLoader.load(path: path)
        if mapping.engine == "creators" { _ = try MappingProfile(engine: mapping) }
        let sources = mapping.roles.map { ("role \($0.key.rawValue)", $0.value) }
            + mapping.dimensions.map { ("dimension \($0.key)", $0.value) }
        var diagnostics: [MappingDiagnostic] = []
        for (name, roleMapping) in sources.sorted(by: { ($0.1.line, $0.0) < ($1.1.line, $1.0) }) {
            guard case .query(let sql) = roleMapping.source, let error = try SQLiteConnection.checkUserQuery(sql) else { continue }
            diagnostics.append(MappingDiagnostic(path: path, line: roleMapping.line, message: "\(name): \(error)"))
        }
        guard diagnostics.isEmpty else { throw MappingError.invalid(diagnostics) }
        return (mapping, nil)
    }

    /// The creators audit of one folder of the creator-economy CSV files, or of one SQLite
    /// database holding the same tables.
    private func creatorsAudit(_ map: MappingProfile, builtIn: Bool) throws -> AuditReport {
        let input = inputs[0]
        guard inputs.count == 1 else {
            throw AuditError.unsupported("the creators profile is audited from one folder of its CSV files or one SQLite database of its tables")
        }
        let source: CreatorsSource
        if InputFile.isDirectory(input) {
            source = .folder(input)
        } else if input.lowercased().hasSuffix(".csv") {
            throw AuditError.unsupported("the creators profile is audited from a folder holding its seven CSV files (or a SQLite database of them), not from '\(input)'")
        } else {
            source = try CreatorsSource.database(input)
        }
        // A dangling link counts as present, so that it is reported, not taken for an absent file.
        let present = CreatorsAudit.files.filter { source.exists(map.file(String($0.dropLast(4)))) }
        let missing = CreatorsAudit.requiredFiles.filter { !present.contains($0) }
        if present.isEmpty { throw AuditError.undetectedProfile(input) }
        guard missing.isEmpty else {
            let file = map.file(String(missing[0].dropLast(4)))
            if case .database = source {
                throw AuditError.invalidData("'\(input)' lacks what the creators profile requires: table \(CreatorsSource.table(file))")
            }
            throw CSVError(.missing, file: source.name(file))
        }
        // A mapping profile has no built-in bands: only those given with --bands.
        let bands = builtIn || bandsPath != nil ? try loadBands(profile: "creators") : nil
        let (measurements, inputsInfo) = try CreatorsAudit(source: source, profile: map).run()
        return AuditReport(profile: builtIn ? "creators" : "creators (mapping: \(map.name))", inputs: inputsInfo,
                           bandsPath: bands?.path, measurements: measurements,
                           checks: CheckEvaluator.evaluate(bands?.bands ?? [], against: measurements),
                           conflicts: bands.map(BandConflicts.prove) ?? [])
    }

    /// The bands file given, or the profile's built-in bands.
    private func loadBands(profile: String) throws -> BandsFile? {
        if let bandsPath {
            let file = try BandsLoader.load(path: bandsPath)
            guard file.profile == profile else { throw AuditError.profileMismatch(bands: file.profile, input: profile) }
            return file
        }
        guard let builtIn = BuiltInBands.text(for: profile) else { return nil }
        let (file, diagnostics) = BandsParser.parse(builtIn.yaml, path: builtIn.path)
        guard let file else { throw BandsError.invalid(diagnostics) }
        return file
    }
}
