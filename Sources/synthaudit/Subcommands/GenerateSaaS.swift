import ArgumentParser
import Generator
import TableIO

struct GenerateSaaS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saas",
        abstract: "Generate the SaaS MRR dataset (SQLite: customers, subscriptions, MRR movements, four views).",
        discussion: """
            Writes a temporary file beside the output, checks its integrity with SQL and moves it \
            into place only if every check passes. Exit status: 0 success, 1 an integrity check \
            failed, 64 usage error (including an existing output without --force, or one that --force may not \
            replace because this command did not write it), 74 I/O error.
            """
    )

    @Option(parsing: .unconditional, help: "The random seed; the same seed gives the same bytes.", transform: parseSeed)
    var seed: UInt64 = 42

    @Option(help: "The SQLite database to write.")
    var out: String = "data/day06_saas_metrics.db"

    @Flag(help: "Replace the output if it exists and is an SQLite database.")
    var force = false

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if out.isEmpty || out.hasSuffix("/") {
            throw ValidationError("--out must name a database file, not '\(out)'.")
        }
    }

    func run() throws {
        let result: SaaSGeneration.Result
        do {
            result = try SaaSGeneration(seed: seed, outputPath: out, force: force).run()
        } catch let error as any ReportableError {
            throw fail(error)
        }
        guard result.passed else {
            printError(result.summary)
            printError("synthaudit: integrity checks failed; '\(out)' was not written")
            throw ExitCode(ExitStatus.checkFailed.rawValue)
        }
        if !quiet {
            print(result.summary, terminator: "")
        }
    }
}
