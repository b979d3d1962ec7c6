import ArgumentParser
import Auditor
import Foundation
import TableIO

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a subscription dataset, ours or anyone's: measure it, run its data tests, check the bands, write Markdown and JSON reports.",
        discussion: """
            Exit status: 0 every check passes (warnings and inconclusive checks allowed unless \
            --fail-on names them), 1 a check or an integrity test fails, 2 the report drifted from its golden copy, 64 usage error \
            (including an --out that --force may not replace: an input, a device, someone else's \
            folder), 65 malformed input (a required table or column missing, a window over 1,200 \
            months, a bad golden report), 66 input missing or not a regular file, 74 I/O error.
            """
    )

    @Argument(help: "SQLite databases, folders of CSV files or CSV files, any mix; a mapping's roles name their tables or files.")
    var inputs: [String]

    @Option(help: "saas, creators, or a mapping MAPPING.yaml (Documentation/profiles.md; `synthaudit profile show saas` prints one to start from); detected from the table or file names when omitted.")
    var profile: String?

    @Option(help: "A bands file; the profile's built-in bands when omitted.")
    var bands: String?

    @Option(help: "Write report.md and report.json into this directory instead of printing the Markdown.")
    var out: String?

    @Option(help: "Compare report.json with the one in this directory; exit 2 on drift.")
    var golden: String?

    @Flag(help: "Rewrite the golden report in --golden's directory instead of comparing.")
    var updateGolden = false

    @Flag(help: "Treat warnings as failures (the same as --fail-on warn).")
    var strict = false

    @Option(name: .customLong("fail-on"), parsing: .singleValue,
            help: "Also exit 1 when a check has this status: warn or inconclusive (repeatable; fail always does).")
    var failOn: [FailingStatus] = []

    @Flag(help: "Replace an existing --out directory that holds only an earlier report.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Name the dataset to audit.") }
        if updateGolden && golden == nil { throw ValidationError("--update-golden needs --golden DIR.") }
        if out?.isEmpty == true { throw ValidationError("--out must name a directory, not ''.") }
        if golden?.isEmpty == true { throw ValidationError("--golden must name a directory, not ''.") }
    }

    func run() throws {
        let report: AuditReport
        do {
            report = try Audit(inputs: inputs, profile: profile, bandsPath: bands).run()
        } catch let error as any ReportableError {
            throw fail(error)
        }
        let json = report.json.serialized()
        let charts = ReportCharts.render(report)
        let markdown = MarkdownReport.render(report, charts: charts)
        do {
            if let out {
                try ReportWriter.write(json: json, markdown: markdown, charts: charts, to: out, force: force, inputs: inputs)
            } else if !quiet {
                print(MarkdownReport.render(report), terminator: "")
            }
            if let golden {
                if updateGolden {
                    try ReportWriter.write(json: json, markdown: markdown, charts: charts, to: golden, force: true, inputs: inputs)
                    if !quiet { printError("synthaudit: golden report updated in '\(golden)'") }
                } else {
                    let differences = try ReportWriter.compare(json: json, goldenDirectory: golden)
                    if !differences.isEmpty {
                        printError("synthaudit: report drifted from '\(golden)/report.json' (\(differences.count) differences):")
                        for difference in differences.prefix(60) { printError("  " + Console.printable("\(difference)")) }
                        if differences.count > 60 { printError("  ... and \(differences.count - 60) more") }
                        printError("re-record with: synthaudit audit \(inputs.joined(separator: " ")) --golden \(golden) --update-golden")
                        throw ExitCode(ExitStatus.goldenDrift.rawValue)
                    }
                }
            }
        } catch let error as any ReportableError {
            throw fail(error)
        }
        let failed = report.count(.fail) > 0 || report.integrityFailures > 0
        // Statuses that fail only because an option says so: the run says which option did it.
        var chosen: [String] = []
        if (strict || failOn.contains(.warn)) && report.count(.warn) > 0 {
            chosen.append("\(report.count(.warn)) warn and \(strict ? "--strict" : "--fail-on warn") counts a warning as a failure")
        }
        if failOn.contains(.inconclusive) && report.count(.inconclusive) > 0 {
            chosen.append("\(report.count(.inconclusive)) inconclusive and --fail-on inconclusive counts that as a failure")
        }
        if !quiet {
            printError("synthaudit: \(report.count(.pass)) pass, \(report.count(.warn)) warn, \(report.count(.fail)) fail, "
                + "\(report.count(.inconclusive)) inconclusive; \(report.integrityFailures) of \(report.measurements.integrity.count) integrity tests failing")
        }
        if !failed && !chosen.isEmpty {
            // Said even with --quiet: an exit status a pipeline acts on needs its reason.
            printError("synthaudit: exit 1: " + chosen.joined(separator: "; "))
        }
        if failed || !chosen.isEmpty { throw ExitCode(ExitStatus.checkFailed.rawValue) }
    }
}

/// Writes and compares report directories.
enum ReportWriter {
    /// What a report directory holds: `--force` replaces a directory of nothing else.
    static let reportFiles = StagedOutput.Ownership { name in
        ["report.json", "report.md", "report.html", "junit.xml"].contains(name) || (name.hasPrefix("chart-") && name.hasSuffix(".svg"))
    }

    /// Writes a report directory; `--force` replaces only an earlier report (a directory holding
    /// report files only, or an empty one), never one of the `inputs`.
    static func write(json: String, markdown: String, charts: [ReportCharts.Chart], to directory: String, force: Bool,
                      inputs: [String]) throws {
        let staged = try StagedOutput(target: directory, kind: .directory, force: force, owned: reportFiles, inputs: inputs)
        for (name, text) in [("report.json", json), ("report.md", markdown)] + charts.map({ ($0.file, $0.svg) }) {
            let sink = try FileSink(path: staged.temporaryPath + "/" + name)
            try sink.write(Array(text.utf8))
            try sink.close()
        }
        try staged.commit()
    }

    static func compare(json: String, goldenDirectory: String) throws -> [GoldenComparison.Difference] {
        let path = goldenDirectory + "/report.json"
        let golden = try InputFile.read(path)
        do {
            return try GoldenComparison.compare(golden: Data(golden), current: Data(json.utf8))
        } catch let error as any ReportableError {
            throw error
        } catch {
            throw AuditError.invalidData("golden report '\(path)' is not a readable report.json (\(golden.isEmpty ? "empty file" : "not valid JSON")); re-record it with --update-golden")
        }
    }
}

/// A check status `--fail-on` can make fail the run.
enum FailingStatus: String, ExpressibleByArgument, CaseIterable {
    case warn, inconclusive, fail
}
