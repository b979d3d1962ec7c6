import Dispatch
import TableIO

/// Writes `transactions.csv` and `engagement_events.csv`: every pledge simulated again, in chunks
/// of consecutive pledges, on every thread, while a writer thread numbers the rows and writes the
/// previous batch in order.
///
/// Chunks are formatted with their row identifiers as zeros; the writer alone knows how many
/// rows came before a chunk and patches the digits in place. Output order is pledge order, so
/// the bytes do not depend on the thread count. Memory holds two batches of chunks at most.
struct PledgeRowsWriter {
    let pledges: [PlannedPledge]
    let creators: [CreatorPlan]
    let patrons: [PatronPlan]
    let simulator: PledgeSimulator
    let widths: IdentifierWidths
    let threads: Int

    /// What the writer accumulates; touched only on the writer queue (or after it drained).
    final class Output: @unchecked Sendable {
        let transactions: FileSink
        let events: FileSink
        var transactionCount = 0
        var eventCount = 0
        var tally = PaymentTally()
        var spendByPatron: [Int]
        var failure: (any Error)?

        init(directory: String, patronCount: Int) throws {
            transactions = try FileSink(path: directory + "/transactions.csv")
            events = try FileSink(path: directory + "/engagement_events.csv")
            spendByPatron = Array(repeating: 0, count: patronCount)
        }
    }

    /// One formatted chunk and the spend of each of its pledges.
    struct Chunk: @unchecked Sendable {
        var sink: ChunkSink
        var spend: [Int]
        var firstPledge: Int
    }

    static let chunkSize = 2_048

    func write(into directory: String, progress: Progress) throws -> Output {
        let output = try Output(directory: directory, patronCount: patrons.count)
        try output.transactions.write(Array("\(CreatorRows.transactionsHeader)".utf8))
        try output.events.write(Array("\(CreatorRows.eventsHeader)".utf8))
        let postNumbers = creators.map { $0.posts.map(\.number) }
        let chunkCount = (pledges.count + Self.chunkSize - 1) / Self.chunkSize
        let batchSize = threads * 4
        let queue = DispatchQueue(label: "synthaudit.rows-writer")
        let group = DispatchGroup()
        var chunkStart = 0
        while chunkStart < chunkCount {
            let batch = min(batchSize, chunkCount - chunkStart)
            var chunks = Array(repeating: Chunk?.none, count: batch)
            let first = chunkStart
            chunks.withUnsafeMutableBufferPointer { slots in
                let slotsOutput = UnsafeSendable(slots)
                DispatchQueue.concurrentPerform(iterations: batch) { slot in
                    slotsOutput.value[slot] = format(chunk: first + slot, postNumbers: postNumbers)
                }
            }
            group.wait()
            if let failure = output.failure { throw failure }
            let ready = chunks.compactMap { $0 }
            queue.async(group: group) {
                do {
                    try Self.consume(ready, into: output, pledges: pledges, widths: widths)
                } catch {
                    output.failure = error
                }
            }
            chunkStart += batch
            progress.update(done: chunkStart, total: chunkCount, rows: output.transactionCount + output.eventCount,
                            bytes: output.transactions.byteCount + output.events.byteCount)
        }
        group.wait()
        if let failure = output.failure { throw failure }
        try output.transactions.close()
        try output.events.close()
        return output
    }

    /// Simulates the pledges of one chunk into a fresh sink.
    private func format(chunk: Int, postNumbers: [[Int]]) -> Chunk {
        var sink = ChunkSink(widths: widths)
        let lower = chunk * Self.chunkSize
        let upper = min(lower + Self.chunkSize, pledges.count)
        var spend: [Int] = []
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
        return Chunk(sink: sink, spend: spend, firstPledge: lower)
    }

    /// Numbers the rows of `chunks`, in order, and writes them.
    private static func consume(_ chunks: [Chunk], into output: Output, pledges: [PlannedPledge], widths: IdentifierWidths) throws {
        for chunk in chunks {
            let sink = chunk.sink
            for offset in sink.transactionIDOffsets {
                output.transactionCount += 1
                sink.transactions.patchDigits(at: Int(offset), number: output.transactionCount, width: widths.transaction)
            }
            for offset in sink.eventIDOffsets {
                output.eventCount += 1
                sink.events.patchDigits(at: Int(offset), number: output.eventCount, width: widths.event)
            }
            try output.transactions.drain(sink.transactions)
            try output.events.drain(sink.events)
            output.tally.add(sink.tally)
            for (offset, amount) in chunk.spend.enumerated() {
                output.spendByPatron[Int(pledges[chunk.firstPledge + offset].patron)] += amount
            }
        }
    }
}
