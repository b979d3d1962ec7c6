import Dispatch
import TableIO

/// One run of `synthaudit generate creators`: plan, simulate, write seven CSV files, the
/// manifest and the ground truth, then move the directory into place.
///
/// Phases: creators, tiers and posts (one thread); every pledge simulated to its end to learn
/// its outcome (all threads); patrons assigned in pledge order (one thread); then the
/// transactions and engagement events, simulated again and written in pledge order (all
/// threads) while a second thread writes the small tables.
public struct CreatorsGeneration {
    /// What a dataset directory holds: `--force` replaces a directory of nothing else.
    static let datasetFiles = StagedOutput.Ownership { name in
        ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "transactions.csv", "posts.csv", "engagement_events.csv",
         "manifest.json", "anomalies.json"].contains(name)
    }

    public struct Result: Sendable {
        public var rowCounts: [String: Int]
        public var byteCount: Int
        public var summary: String
    }

    public var seed: UInt64
    public var scale: Double
    public var outputPath: String
    public var threads: Int
    public var force: Bool
    public var quiet: Bool

    public init(seed: UInt64, scale: Double, outputPath: String, threads: Int, force: Bool, quiet: Bool) {
        self.seed = seed
        self.scale = scale
        self.outputPath = outputPath
        self.threads = max(1, threads)
        self.force = force
        self.quiet = quiet
    }

    public func run() throws -> Result {
        let staged = try StagedOutput(target: outputPath, kind: .directory, force: force, owned: Self.datasetFiles)
        let parameters = CreatorParameters(scale: scale)
        let streams = RandomStreams(seed: seed)
        let simulator = PledgeSimulator(parameters: parameters, streams: streams)
        let widths = IdentifierWidths(scale: scale)

        let creators = CreatorPlanner(parameters: parameters, streams: streams).plan()
        var planned = PledgePlanner(parameters: parameters, streams: streams, simulator: simulator)
            .plan(creators, threads: threads)
        let patrons = PatronAssigner(parameters: parameters, streams: streams).assign(&planned)
        let pledges = planned

        let directory = staged.temporaryPath
        let tables = CreatorTablesWriter(directory: directory, parameters: parameters, streams: streams, creators: creators,
                                         pledges: pledges, patrons: patrons, widths: widths)
        let small = BackgroundWork { try tables.writeSmallTables() }
        let progress = Progress(label: "transactions and events", quiet: quiet)
        let rows = try PledgeRowsWriter(pledges: pledges, creators: creators, patrons: patrons, simulator: simulator,
                                        widths: widths, threads: threads).write(into: directory, progress: progress)
        progress.finish()
        var results = try small.result()
        results["transactions.csv"] = TableResult(rows: rows.transactionCount, bytes: rows.transactions.byteCount)
        results["engagement_events.csv"] = TableResult(rows: rows.eventCount, bytes: rows.events.byteCount)
        results["patrons.csv"] = try tables.writePatrons(spendByPatron: rows.spendByPatron)
        let counts = results.mapValues(\.rows)
        let bytes = results.values.map(\.bytes).reduce(0, +)

        let truth = GroundTruth(parameters: parameters, creators: creators, pledges: pledges, widths: widths)
        let manifest = JSONValue.object([
            "tool": .object(["name": .string("synthaudit"), "version": .string(synthauditVersion)]),
            "dataset": .string("creators"),
            "seed": .integer(Int(truncatingIfNeeded: seed)),
            "scale": .number(scale),
            "window": .array([.string(parameters.windowStart.description), .string(parameters.windowEnd.description)]),
            "as_of": .string(parameters.asOf.description),
            "row_counts": .object(counts.mapValues { .integer($0) }),
            "row_order": .object([
                "creators.csv": .string("creator_id"), "tiers.csv": .string("creator_id, tier_rank"),
                "posts.csv": .string("creator_id, published_at (post_id follows this order)"),
                "pledges.csv": .string("started_at, creator, arrival (pledge_id follows this order)"),
                "patrons.csv": .string("first_pledge_at (patron_id follows this order)"),
                "transactions.csv": .string("pledge_id, transaction_at"),
                "engagement_events.csv": .string("pledge (in pledge_id order), event_at"),
            ]),
            "parameters": truth.parameterSummary,
        ])
        try writeText(directory + "/manifest.json", manifest.serialized())
        try writeText(directory + "/anomalies.json", truth.anomalies.serialized())
        try staged.commit()

        let summary = CreatorsSummary(parameters: parameters, pledges: pledges, tally: rows.tally, counts: counts,
                                      bytes: bytes, truth: truth)
            .render(seed: seed, path: outputPath)
        return Result(rowCounts: counts, byteCount: bytes, summary: summary)
    }

    private func writeText(_ path: String, _ text: String) throws {
        let sink = try FileSink(path: path)
        try sink.write(Array(text.utf8))
        try sink.close()
    }

}

/// Work started on another thread at once, whose result (or error) is collected later.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var outcome: Swift.Result<Value, any Error>?

    init(_ body: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async(group: group) { [self] in
            outcome = Swift.Result { try body() }
        }
    }

    /// Waits for the work and returns its value or rethrows its error.
    func result() throws -> Value {
        group.wait()
        return try outcome!.get()
    }
}
