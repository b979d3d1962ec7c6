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
        case .unknownProfile(let name): return "unknown profile '\(name)' (expected saas or creators)"
        case .undetectedProfile(let path):
            return "cannot tell which profile '\(path)' is: expected the tables day06_customers, day06_subscriptions and day06_mrr_movements (saas) or creators.csv, pledges.csv, ... (creators); name one with --profile"
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
        guard let input = inputs.first else { throw AuditError.missingInput("") }
        for path in inputs {
            guard InputFile.exists(path) else { throw AuditError.missingInput(path) }
            // A dangling link, a FIFO or a device is named here, before anything reads it.
            if !InputFile.isDirectory(path) { try InputFile.check(path) }
        }
        // A profile ending in .yaml or .yml is a mapping of someone else's files onto creators.
        var mapping: MappingProfile?
        if let profile, profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") {
            mapping = try MappingProfile.load(path: profile)
        } else if let profile, !MetricCatalog.profiles.contains(profile) {
            throw AuditError.unknownProfile(profile)
        }
        if InputFile.isDirectory(input) {
            guard inputs.count == 1 else { throw AuditError.unsupported("a CSV audit takes one folder of CSV files") }
            guard mapping != nil || profile == nil || profile == "creators" else {
                throw AuditError.unsupported("'\(input)' is a folder, audited with the creators profile or a mapping; --profile \(profile ?? "") audits a SQLite database")
            }
            let map = mapping ?? .creators
            // A dangling link counts as present, so that it is reported, not taken for an absent file.
            let present = CreatorsAudit.files.filter { InputFile.exists(input + "/" + map.file(String($0.dropLast(4)))) }
            let missing = CreatorsAudit.requiredFiles.filter { !present.contains($0) }
            if present.isEmpty { throw AuditError.undetectedProfile(input) }
            guard missing.isEmpty else {
                throw CSVError(.missing, file: input + "/" + map.file(String(missing[0].dropLast(4))))
            }
            // A mapping profile has no built-in bands: only those given with --bands.
            let bands = mapping == nil || bandsPath != nil ? try loadBands(profile: "creators") : nil
            let (measurements, inputsInfo) = try CreatorsAudit(directory: input, profile: map).run()
            return AuditReport(profile: mapping.map { "creators (mapping: \($0.name))" } ?? "creators", inputs: inputsInfo,
                               bandsPath: bands?.path, measurements: measurements,
                               checks: CheckEvaluator.evaluate(bands?.bands ?? [], against: measurements),
                               conflicts: bands.map(BandConflicts.prove) ?? [])
        }
        if input.hasSuffix(".csv") || profile == "creators" || mapping != nil {
            throw AuditError.unsupported("the creators profile is audited from a folder holding its seven CSV files")
        }
        guard inputs.count == 1 else {
            throw AuditError.unsupported("a SQLite audit takes one database file, not \(inputs.count) inputs")
        }

        let db = try SQLiteConnection(path: input, mode: .readOnly)
        let tables = try db.tableNames()
        let detected = tables.contains(SaaSMeasures.customers) || tables.contains(SaaSMeasures.subscriptions) ? "saas" : nil
        guard let chosen = profile ?? detected else { throw AuditError.undetectedProfile(input) }

        let bands = try loadBands(profile: chosen)
        try SaaSMeasures.checkRequirements(db, path: input)
        var measurements = Measurements()
        try SaaSMeasures(db: db, path: input).measure(into: &measurements)
        try SaaSIntegrity(db: db, asOf: measurements.asOf).run(into: &measurements)
        var inputsInfo: [AuditInput] = []
        let digest = try SHA256.hexDigest(ofFile: input)
        for table in tables {
            let rows = Int(try db.scalar("SELECT COUNT(*) FROM \(SQLiteConnection.quoted(table))").integer ?? 0)
            inputsInfo.append(AuditInput(name: "\((input as NSString).lastPathComponent):\(table)", kind: "sqlite table",
                                         rows: rows, sha256: digest))
        }
        return AuditReport(profile: chosen, inputs: inputsInfo, bandsPath: bands?.path,
                           measurements: measurements, checks: CheckEvaluator.evaluate(bands?.bands ?? [], against: measurements),
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
