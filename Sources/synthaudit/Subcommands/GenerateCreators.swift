import ArgumentParser
import Generator
import TableIO

struct GenerateCreators: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creators",
        abstract: "Generate the creator-economy dataset (seven CSV tables, manifest.json, anomalies.json).",
        discussion: """
            Writes into a temporary directory beside the output and renames it into place at the \
            end. The same seed and scale give byte-identical files for any --threads. Exit status: \
            0 success, 64 usage error (including an existing output without --force, or one that --force may not \
            replace because this command did not write it), 74 I/O error.
            """
    )

    @Option(parsing: .unconditional, help: "The random seed; the same seed and scale give the same bytes.", transform: parseSeed)
    var seed: UInt64 = 42

    @Option(parsing: .unconditional, help: "Dataset size: 1 = 500 creators, 15,000 patrons, ~200,000 transactions. Any positive number.")
    var scale: Double = 1

    @Option(help: "The output directory.")
    var out: String = "data/creators"

    @Option(parsing: .unconditional, help: "Worker threads (default: the number of cores). Never changes the output.")
    var threads: Int = ProcessInfoCores.count

    @Flag(help: "Replace the output directory if it exists and holds only an earlier dataset.")
    var force = false

    @Flag(help: "Print nothing on success (no progress, no summary).")
    var quiet = false

    func validate() throws {
        guard scale.isFinite, scale > 0, scale <= 1_000 else {
            throw ValidationError("--scale must be a positive number up to 1000, not \(scale).")
        }
        guard threads >= 1, threads <= 256 else {
            throw ValidationError("--threads must be between 1 and 256, not \(threads).")
        }
        if out.isEmpty { throw ValidationError("--out must name a directory.") }
    }

    func run() throws {
        let result: CreatorsGeneration.Result
        do {
            result = try CreatorsGeneration(seed: seed, scale: scale, outputPath: out, threads: threads,
                                            force: force, quiet: quiet).run()
        } catch let error as any ReportableError {
            throw fail(error)
        }
        if !quiet { print(result.summary, terminator: "") }
    }
}
