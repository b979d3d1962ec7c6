import Dispatch
import TableIO

/// One run of `synthaudit generate creators`: plan, simulate, write seven CSV files, the
/// manifest and the ground truth, then move the directory into place.
public struct CreatorsGeneration {
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
        let staged = try StagedOutput(target: outputPath, kind: .directory, force: force)
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
        var counts: [String: Int] = [:]
        var bytes = 0
        func write(_ name: String, _ body: (FileSink, ByteBuffer) throws -> Int) throws {
            let sink = try FileSink(path: directory + "/" + name)
            let buffer = ByteBuffer(capacity: 1 << 20)
            counts[name] = try body(sink, buffer)
            if buffer.count > 0 { try sink.drain(buffer) }
            try sink.close()
            bytes += sink.byteCount
        }

        var firstPledge = Array(repeating: Timestamp?.none, count: creators.count)
        for pledge in pledges where firstPledge[Int(pledge.seed.creator)] == nil {
            firstPledge[Int(pledge.seed.creator)] = pledge.seed.start
        }
        try write("creators.csv") { sink, buffer in
            buffer.append(CreatorRows.creatorsHeader)
            for creator in creators {
                writeCreator(creator, firstPledge: firstPledge[creator.index], parameters: parameters, widths: widths, into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return creators.count
        }
        try write("tiers.csv") { sink, buffer in
            buffer.append(CreatorRows.tiersHeader)
            var rows = 0
            for creator in creators {
                for tier in creator.tiers {
                    CreatorRows.id("ti_", tier.number, widths.tier, into: buffer)
                    buffer.append(",")
                    CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
                    buffer.append(",")
                    buffer.appendField(tier.name)
                    buffer.append(",")
                    buffer.append(int: tier.rank)
                    buffer.append(",")
                    buffer.append(cents: tier.priceCents)
                    buffer.append(",")
                    buffer.appendField(tier.description)
                    buffer.append(",true,")
                    buffer.appendTimestamp(tier.createdAt)
                    buffer.append(",\n")
                    rows += 1
                }
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return rows
        }
        try write("posts.csv") { sink, buffer in
            buffer.append(CreatorRows.postsHeader)
            var rows = 0
            for creator in creators {
                for post in creator.posts {
                    CreatorRows.id("po_", post.number, widths.post, into: buffer)
                    buffer.append(",")
                    CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
                    buffer.append(",")
                    buffer.appendField(post.title)
                    buffer.append(",")
                    buffer.appendField(CreatorCatalog.postTypes[post.type])
                    buffer.append(",")
                    buffer.appendField(CreatorCatalog.accessLevels[min(post.minimumRank, 2)])
                    buffer.append(",")
                    if post.minimumRank > 0 {
                        CreatorRows.id("ti_", creator.tiers[post.minimumRank - 1].number, widths.tier, into: buffer)
                    }
                    buffer.append(",")
                    buffer.appendTimestamp(post.publishedAt)
                    buffer.append(",")
                    buffer.append(bool: post.isPinned)
                    buffer.append(10)
                    rows += 1
                }
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return rows
        }
        try write("pledges.csv") { sink, buffer in
            buffer.append(CreatorRows.pledgesHeader)
            for (index, pledge) in pledges.enumerated() {
                writePledge(pledge, number: index + 1, creator: creators[Int(pledge.seed.creator)], widths: widths, into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return pledges.count
        }

        // Transactions and engagement events: simulated again, in chunks, on every thread.
        let progress = Progress(label: "transactions and events", quiet: quiet)
        let transactionsSink = try FileSink(path: directory + "/transactions.csv")
        let eventsSink = try FileSink(path: directory + "/engagement_events.csv")
        try transactionsSink.write(Array("\(CreatorRows.transactionsHeader)".utf8))
        try eventsSink.write(Array("\(CreatorRows.eventsHeader)".utf8))
        var spendByPatron = Array(repeating: 0, count: patrons.count)
        var tally = PaymentTally()
        let postNumbers = creators.map { $0.posts.map(\.number) }
        let chunkSize = 2_048
        let chunkCount = (pledges.count + chunkSize - 1) / chunkSize
        let batchSize = threads * 4
        var transactionCount = 0
        var eventCount = 0
        var chunkStart = 0
        while chunkStart < chunkCount {
            let batch = min(batchSize, chunkCount - chunkStart)
            var sinks = Array(repeating: ChunkSink?.none, count: batch)
            var spends = Array(repeating: [Int](), count: batch)
            let first = chunkStart
            sinks.withUnsafeMutableBufferPointer { sinkSlots in
                spends.withUnsafeMutableBufferPointer { spendSlots in
                    let sinkOutput = UnsafeSendable(sinkSlots)
                    let spendOutput = UnsafeSendable(spendSlots)
                    DispatchQueue.concurrentPerform(iterations: batch) { slot in
                        var sink = ChunkSink(widths: widths)
                        var spend: [Int] = []
                        let lower = (first + slot) * chunkSize
                        let upper = min(lower + chunkSize, pledges.count)
                        spend.reserveCapacity(upper - lower)
                        for index in lower..<upper {
                            let pledge = pledges[index]
                            let creator = creators[Int(pledge.seed.creator)]
                            sink.pledge = index + 1
                            sink.patron = Int(pledge.patron) + 1
                            sink.creator = creator.index + 1
                            sink.paymentMethod = Int(patrons[Int(pledge.patron)].paymentMethod)
                            sink.feeBasisPoints = CreatorCatalog.platformFeeBasisPoints[creator.plan]
                            sink.postNumbers = postNumbers[creator.index]
                            sink.spendCents = 0
                            _ = simulator.run(pledge.seed, creator: creator, sink: &sink)
                            spend.append(sink.spendCents)
                        }
                        sinkOutput.value[slot] = sink
                        spendOutput.value[slot] = spend
                    }
                }
            }
            for slot in 0..<batch {
                guard let sink = sinks[slot] else { continue }
                for offset in sink.transactionIDOffsets {
                    transactionCount += 1
                    sink.transactions.patchDigits(at: Int(offset), number: transactionCount, width: widths.transaction)
                }
                for offset in sink.eventIDOffsets {
                    eventCount += 1
                    sink.events.patchDigits(at: Int(offset), number: eventCount, width: widths.event)
                }
                try transactionsSink.drain(sink.transactions)
                try eventsSink.drain(sink.events)
                tally.add(sink.tally)
                let lower = (first + slot) * chunkSize
                for (offset, amount) in spends[slot].enumerated() {
                    spendByPatron[Int(pledges[lower + offset].patron)] += amount
                }
                sinks[slot] = nil
            }
            chunkStart += batch
            progress.update(done: chunkStart, total: chunkCount, rows: transactionCount + eventCount,
                            bytes: transactionsSink.byteCount + eventsSink.byteCount)
        }
        progress.finish()
        try transactionsSink.close()
        try eventsSink.close()
        bytes += transactionsSink.byteCount + eventsSink.byteCount
        counts["transactions.csv"] = transactionCount
        counts["engagement_events.csv"] = eventCount

        try write("patrons.csv") { sink, buffer in
            buffer.append(CreatorRows.patronsHeader)
            for (index, patron) in patrons.enumerated() {
                writePatron(patron, number: index + 1, spendCents: spendByPatron[index], streams: streams, widths: widths, into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return patrons.count
        }

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

        let summary = CreatorsSummary(parameters: parameters, creators: creators, pledges: pledges, patrons: patrons,
                                      tally: tally, counts: counts, bytes: bytes, truth: truth)
            .render(seed: seed, path: outputPath)
        return Result(rowCounts: counts, byteCount: bytes, summary: summary)
    }

    private func writeText(_ path: String, _ text: String) throws {
        let sink = try FileSink(path: path)
        try sink.write(Array(text.utf8))
        try sink.close()
    }

    private func writeCreator(_ creator: CreatorPlan, firstPledge: Timestamp?, parameters: CreatorParameters,
                              widths: IdentifierWidths, into buffer: ByteBuffer) {
        CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
        buffer.append(",")
        buffer.appendField(creator.name)
        buffer.append(",")
        buffer.appendField(creator.email)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.categories[creator.category].name)
        buffer.append(",")
        buffer.appendField(creator.subcategory)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[creator.country].code)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[creator.country].currency)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.planTypes[creator.plan])
        buffer.append(",")
        buffer.append(bool: creator.isNSFW)
        buffer.append(",")
        buffer.append(bool: creator.isVerified)
        buffer.append(",")
        buffer.appendTimestamp(creator.createdAt)
        buffer.append(",")
        CreatorRows.optionalTimestamp(firstPledge, into: buffer)
        buffer.append(",")
        CreatorRows.optionalTimestamp(creator.posts.last?.publishedAt, into: buffer)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.creatorStatuses[creatorStatus(creator, parameters: parameters)])
        buffer.append(10)
    }

    /// deleted (left the platform), paused (no post in the last 120 days of a creator older than
    /// that), else active.
    func creatorStatus(_ creator: CreatorPlan, parameters: CreatorParameters) -> Int {
        if creator.departure != nil { return 3 }
        let cutoff = parameters.asOf.adding(seconds: -120 * 86_400)
        if creator.createdAt < cutoff && (creator.posts.last.map { $0.publishedAt < cutoff } ?? true) { return 1 }
        return 0
    }

    private func writePledge(_ pledge: PlannedPledge, number: Int, creator: CreatorPlan, widths: IdentifierWidths,
                             into buffer: ByteBuffer) {
        let outcome = pledge.outcome
        CreatorRows.id("pl_", number, widths.pledge, into: buffer)
        buffer.append(",")
        CreatorRows.id("pa_", Int(pledge.patron) + 1, widths.patron, into: buffer)
        buffer.append(",")
        CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
        buffer.append(",")
        CreatorRows.id("ti_", creator.tiers[outcome.rank - 1].number, widths.tier, into: buffer)
        buffer.append(",")
        buffer.append(cents: outcome.amountCents)
        buffer.append(",")
        let status: StaticString
        switch (outcome.end, outcome.reason, outcome.pausedAt) {
        case (.some, .some(.paymentFailed), _): status = "declined"
        case (.some, _, _): status = "churned"
        case (.none, _, .some): status = "paused"
        default: status = "active"
        }
        buffer.append(status)
        buffer.append(",")
        buffer.append(bool: pledge.isFirstPledge)
        buffer.append(",")
        buffer.appendTimestamp(outcome.start)
        buffer.append(",")
        CreatorRows.optionalTimestamp(outcome.end, into: buffer)
        buffer.append(",")
        CreatorRows.optionalTimestamp(outcome.pausedAt, into: buffer)
        buffer.append(",")
        if let reason = outcome.reason { buffer.append(raw: Array(reason.name.utf8)) }
        buffer.append(10)
    }

    private func writePatron(_ patron: PatronPlan, number: Int, spendCents: Int, streams: RandomStreams,
                             widths: IdentifierWidths, into buffer: ByteBuffer) {
        var rng = streams.stream("creators.patron-name", number)
        let first = rng.element(of: WordLists.firstNames)
        let last = rng.element(of: WordLists.lastNames)
        let domain = rng.element(of: ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de", "example.org"])
        CreatorRows.id("pa_", number, widths.patron, into: buffer)
        buffer.append(",")
        buffer.appendField(first + " " + last)
        buffer.append(",")
        buffer.appendField(WordLists.emailPart(first) + "." + WordLists.emailPart(last) + String(number) + "@" + domain)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[Int(patron.country)].code)
        buffer.append(",")
        buffer.appendTimestamp(patron.createdAt)
        buffer.append(",")
        buffer.appendTimestamp(patron.firstPledge)
        buffer.append(",")
        buffer.append(cents: spendCents)
        buffer.append(",")
        buffer.append(patron.hasOpenPledge ? "active" : "churned")
        buffer.append(10)
    }
}
