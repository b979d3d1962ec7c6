import TableIO

/// The summary printed after `generate creators`: counts, MRR path, churn, payments, anomalies.
struct CreatorsSummary {
    let parameters: CreatorParameters
    let creators: [CreatorPlan]
    let pledges: [PlannedPledge]
    let patrons: [PatronPlan]
    let tally: PaymentTally
    let counts: [String: Int]
    let bytes: Int
    let truth: GroundTruth

    /// MRR at the end of `month` (SPEC section 9): pledges started, not ended and not paused then.
    func mrrCents(atEndOf month: YearMonth) -> Int {
        let moment = Timestamp.endOfDay(month.lastDay)
        var total = 0
        for pledge in pledges {
            let outcome = pledge.outcome
            guard outcome.start <= moment, outcome.end.map({ $0 > moment }) ?? true,
                  outcome.pausedAt.map({ $0 > moment }) ?? true else { continue }
            total += outcome.amountCents
        }
        return total
    }

    /// Pledges ending in `month` over pledges active at the end of the month before (SPEC section 9).
    func churn(in month: YearMonth) -> Double {
        let previousEnd = Timestamp.endOfDay(month.adding(months: -1).lastDay)
        let end = Timestamp.endOfDay(month.lastDay)
        var base = 0
        var ended = 0
        for pledge in pledges {
            let outcome = pledge.outcome
            if outcome.start <= previousEnd, outcome.end.map({ $0 > previousEnd }) ?? true { base += 1 }
            if let stop = outcome.end, stop > previousEnd, stop <= end { ended += 1 }
        }
        return base == 0 ? 0 : Double(ended) / Double(base)
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
        let first = mrrCents(atEndOf: months[0])
        let last = mrrCents(atEndOf: months[months.count - 1])
        lines.append("Platform MRR (paying pledges at month end):")
        for month in [months[0], months[5], months[11], months[17], months[23]] {
            lines.append("  - \(month): \(Format.dollars(cents: mrrCents(atEndOf: month)))")
        }
        lines.append("  - growth January 2023 -> December 2024: \(Format.percent(first == 0 ? 0 : Double(last) / Double(first) - 1))")
        let churns = months.dropFirst().map { churn(in: $0) }
        lines.append("Monthly pledge churn, mean of 2023-02 .. 2024-12: \(Format.percent(churns.reduce(0, +) / Double(churns.count)))")
        let reasons = Dictionary(grouping: pledges.compactMap(\.outcome.reason), by: { $0 }).mapValues(\.count)
        let endedCount = max(1, reasons.values.reduce(0, +))
        lines.append("Churn reasons: " + [ChurnReason.voluntary, .paymentFailed, .creatorRemoved].map {
            "\($0.name) \(Format.percent(Double(reasons[$0] ?? 0) / Double(endedCount)))"
        }.joined(separator: ", "))
        lines.append("Payments: \(Format.grouped(tally.attempts)) attempts, \(Format.percent(Double(tally.failedAttempts) / Double(max(1, tally.attempts)))) failed, success rate \(Format.percent(Double(tally.succeededAttempts) / Double(max(1, tally.attempts))))")
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
