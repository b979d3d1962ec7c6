import TableIO

/// The summary printed after `generate creators`: counts, MRR path, churn, payments, anomalies.
struct CreatorsSummary {
    let parameters: CreatorParameters
    let pledges: [PlannedPledge]
    let tally: PaymentTally
    let counts: [String: Int]
    let bytes: Int
    let truth: GroundTruth

    /// Monthly figures of the window by SPEC section 9, in one pass over the pledges: MRR at
    /// each month's end (pledges started, not ended and not paused then), pledges active at the
    /// end of the month before, and pledges ending in the month.
    struct Monthly {
        var mrrCents: [Int]
        var activeBefore: [Int]
        var ended: [Int]

        /// Pledges ending in month `index` over pledges active at the end of the month before.
        func churn(_ index: Int) -> Double {
            activeBefore[index] == 0 ? 0 : Double(ended[index]) / Double(activeBefore[index])
        }
    }

    var monthly: Monthly {
        let months = parameters.windowMonths
        let ends = months.map { Timestamp.endOfDay($0.lastDay) }
        let previousEnds = months.map { Timestamp.endOfDay($0.adding(months: -1).lastDay) }
        var result = Monthly(mrrCents: Array(repeating: 0, count: months.count),
                             activeBefore: Array(repeating: 0, count: months.count),
                             ended: Array(repeating: 0, count: months.count))
        for pledge in pledges {
            let outcome = pledge.outcome
            for index in months.indices {
                if outcome.start <= ends[index], outcome.end.map({ $0 > ends[index] }) ?? true,
                   outcome.pausedAt.map({ $0 > ends[index] }) ?? true {
                    result.mrrCents[index] += outcome.amountCents
                }
                if outcome.start <= previousEnds[index], outcome.end.map({ $0 > previousEnds[index] }) ?? true {
                    result.activeBefore[index] += 1
                }
                if let end = outcome.end, end > previousEnds[index], end <= ends[index] {
                    result.ended[index] += 1
                }
            }
        }
        return result
    }

    func render(seed: UInt64, path: String) -> String {
        var lines: [String] = []
        lines.append("Generated the creator-economy dataset (seed \(seed), scale \(Format.fixed(parameters.scale, parameters.scale == parameters.scale.rounded() ? 0 : 2)))")
        lines.append(String(repeating: "=", count: 60))
        lines.append("Rows:")
        for name in ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "transactions.csv", "posts.csv", "engagement_events.csv"] {
            lines.append("  - \(name): \(Format.grouped(counts[name] ?? 0))")
        }
        lines.append("  - \(Format.fixed(Double(bytes) / 1_048_576, 1)) MiB of CSV in '\(path)'")
        lines.append("")
        let months = parameters.windowMonths
        let figures = monthly
        let first = figures.mrrCents[0]
        let last = figures.mrrCents[months.count - 1]
        lines.append("Platform MRR (paying pledges at month end):")
        for index in [0, 5, 11, 17, 23] {
            lines.append("  - \(months[index]): \(Format.dollars(cents: figures.mrrCents[index]))")
        }
        lines.append("  - growth January 2023 -> December 2024: \(Format.percent(first == 0 ? 0 : Double(last) / Double(first) - 1))")
        let churns = (1..<months.count).map { figures.churn($0) }
        lines.append("Monthly pledge churn, mean of 2023-02 .. 2024-12: \(Format.percent(churns.reduce(0, +) / Double(churns.count)))")
        let reasons = Dictionary(grouping: pledges.compactMap(\.outcome.reason), by: { $0 }).mapValues(\.count)
        let endedCount = max(1, reasons.values.reduce(0, +))
        lines.append("Churn reasons: " + [ChurnReason.voluntary, .paymentFailed, .creatorRemoved].map {
            "\($0.name) \(Format.percent(Double(reasons[$0] ?? 0) / Double(endedCount)))"
        }.joined(separator: ", "))
        lines.append("Payments: \(Format.grouped(tally.attempts)) attempts (initial and retries), \(Format.percent(Double(tally.failedAttempts) / Double(max(1, tally.attempts)))) of them failed; success rate \(Format.percent(Double(tally.succeededAttempts) / Double(max(1, tally.attempts))))")
        lines.append("")
        lines.append("Injected anomalies (ground truth in anomalies.json):")
        if let viral = truth.viralCreator {
            lines.append("  - viral_spike: \(truth.creatorID(viral.index)) gains \(pledges.filter(\.seed.isViral).count) pledges, 2023-08-10 .. 2023-08-23")
        }
        lines.append("  - payment_outage: 40% of attempts decline on 2024-02-14 .. 2024-02-16 (processor_unavailable)")
        lines.append("  - holiday_churn: voluntary churn x\(Format.fixed(parameters.holidayChurnLift, 2)) in January 2024")
        let exodus = truth.exodusCreators
        lines.append("  - creator_exodus: \(exodus.map { "\(truth.creatorID($0.index)) on \($0.departure!.date)" }.joined(separator: ", "))")
        lines.append("  - category_collapse: games loses \(Format.percent(parameters.gamesCollapseShare, digits: 0)) of its pledges in September 2024")
        lines.append(String(repeating: "=", count: 60))
        return lines.joined(separator: "\n") + "\n"
    }
}
