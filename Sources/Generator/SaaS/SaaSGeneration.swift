import TableIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of `synthaudit generate saas`: model, write, verify, move into place.
public struct SaaSGeneration {
    /// What a finished run produced.
    public struct Result: Sendable {
        public let dataset: SaaSDataset
        public let checks: [IntegrityCheck]
        public let fileSize: Int
        /// The summary of seed section 6 with the run's figures.
        public let summary: String

        /// Whether every integrity check passed (a known conflict does not count as a failure).
        public var passed: Bool { !checks.contains { $0.outcome == .failed } }
    }

    public var seed: UInt64
    public var outputPath: String
    public var force: Bool

    public init(seed: UInt64, outputPath: String, force: Bool) {
        self.seed = seed
        self.outputPath = outputPath
        self.force = force
    }

    /// Generates the dataset into a temporary file beside `outputPath`, runs the integrity
    /// checks on it and moves it into place only if they pass.
    ///
    /// - Throws: ``OutputError`` if the output exists without `force` or cannot be written,
    ///   ``SQLiteError`` if SQLite fails. A failed integrity check is not thrown: the result
    ///   says so and the target is left untouched.
    public func run() throws -> Result {
        let staged = try StagedOutput(target: outputPath, kind: .file, force: force,
                                      owned: StagedOutput.Ownership(signature: Array("SQLite format 3\0".utf8)))
        let dataset = SaaSModel(seed: seed).generate()
        // Into the staged empty file, never a new one: an interrupt that removed it leaves nothing.
        try SaaSWriter.write(dataset, to: staged.temporaryPath, create: false)
        let checks = try SaaSIntegrity.check(databaseAt: staged.temporaryPath, asOf: dataset.parameters.asOf)
        var info = stat()
        let fileSize = stat(staged.temporaryPath, &info) == 0 ? Int(info.st_size) : 0
        let summary = SaaSSummary(dataset: dataset)
            .render(seed: seed, checks: checks, path: outputPath, fileSize: fileSize)
        let result = Result(dataset: dataset, checks: checks, fileSize: fileSize, summary: summary)
        if result.passed {
            try staged.commit()
        } else {
            staged.discard()
        }
        return result
    }
}
