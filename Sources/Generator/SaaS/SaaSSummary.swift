import TableIO

/// The figures the generator prints after a run (seed section 6), computed from the dataset.
public struct SaaSSummary: Sendable {
    public let dataset: SaaSDataset

    public init(dataset: SaaSDataset) {
        self.dataset = dataset
    }

    /// Pooled cohort retention at period k (SPEC section 2): customers active at the end of
    /// calendar month c + k over the cohort sizes, pooled over cohorts with c + k <= the last month.
    public func pooledRetention(k: Int) -> (retained: Int, eligible: Int) {
        let last = dataset.parameters.lastMonth
        var retained = 0
        var eligible = 0
        for customer in dataset.customers {
            let checkpoint = customer.signup.yearMonth.adding(months: k)
            guard checkpoint <= last else { continue }
            eligible += 1
            if customer.isActive(atEndOf: checkpoint.lastDay) { retained += 1 }
        }
        return (retained, eligible)
    }

    /// R² of the least-squares line through the monthly MRR series.
    public func mrrLinearR2() -> Double {
        LinearFit(dataset.mrrSeriesCents.map(Double.init)).rSquared
    }

    /// The printed summary; `checks` are the integrity results, `path` and `fileSize` the output.
    public func render(seed: UInt64, checks: [IntegrityCheck], path: String, fileSize: Int) -> String {
        let customers = dataset.customers
        let total = customers.count
        let parameters = dataset.parameters
        func share(_ count: Int, of whole: Int) -> String {
            Format.percent(whole == 0 ? 0 : Double(count) / Double(whole))
        }
        var lines: [String] = []
        lines.append("Generating synthetic SaaS metrics data (seed \(seed))...")
        lines.append(String(repeating: "=", count: 60))
        lines.append("")
        lines.append("Created \(total) customers across \(parameters.months.count) months (\(parameters.firstMonth) to \(parameters.lastMonth))")
        for tier in SaaSTier.allCases {
            let count = customers.filter { $0.firstTier == tier }.count
            lines.append("  - \(tier.name) tier: \(count) customers (\(share(count, of: total))) at signup")
        }
        let active = customers.filter { !$0.isChurned }.count
        lines.append("  - Active customers: \(active) (\(share(active, of: total)))")
        lines.append("  - Churned customers: \(total - active) (\(share(total - active, of: total)))")
        lines.append("")

        let subscriptions = dataset.subscriptions
        let upgrades = customers.map(\.upgradeCount).reduce(0, +)
        let downgrades = customers.map(\.downgradeCount).reduce(0, +)
        let upgraded = customers.filter { $0.upgradeCount > 0 }.count
        let downgraded = customers.filter { $0.downgradeCount > 0 }.count
        let unchanged = customers.filter { $0.subscriptions.count == 1 }.count
        lines.append("Generated \(subscriptions.count) subscription records")
        lines.append("  - New subscriptions: \(total)")
        lines.append("  - Upgrades (Expansion): \(upgrades); customers with at least one: \(upgraded) (\(share(upgraded, of: total)))")
        lines.append("  - Downgrades (Contraction): \(downgrades); customers with at least one: \(downgraded) (\(share(downgraded, of: total)))")
        lines.append("  - Customers never changing tier: \(unchanged) (\(share(unchanged, of: total)))")
        lines.append("  - Churned subscriptions: \(total - active) (\(share(total - active, of: total)))")
        lines.append("")

        let movements = dataset.movements
        let newTotal = movements.map(\.newCents).reduce(0, +)
        let expansionTotal = movements.map(\.expansionCents).reduce(0, +)
        let contractionTotal = movements.map(\.contractionCents).reduce(0, +)
        let churnTotal = movements.map(\.churnCents).reduce(0, +)
        lines.append("MRR Movements Summary (\(movements.count) months):")
        lines.append("  - Total New MRR: \(Format.dollars(cents: newTotal))")
        lines.append("  - Total Expansion MRR: \(Format.dollars(cents: expansionTotal))")
        lines.append("  - Total Contraction MRR: \(Format.dollars(cents: contractionTotal))")
        lines.append("  - Total Churn MRR: \(Format.dollars(cents: churnTotal))")
        lines.append("  - Net MRR Growth: \(Format.dollars(cents: newTotal + expansionTotal - contractionTotal - churnTotal))")
        lines.append("")

        let series = dataset.mrrSeriesCents
        let first = series.first ?? 0
        let last = series.last ?? 0
        lines.append("Current MRR (Month \(series.count)): \(Format.dollars(cents: last))")
        lines.append("  - Starting MRR (Month 1): \(Format.dollars(cents: first))")
        let growth = first == 0 ? 0 : Double(last - first) / Double(first)
        lines.append("  - MRR Growth: \(Format.fixed(growth * 100, 0))% over \(series.count) months")
        lines.append("  - Linear fit of the monthly MRR series: R^2 = \(Format.fixed(mrrLinearR2(), 3))")
        lines.append("")

        lines.append("Cohort Retention Analysis:")
        for offset in [0, 5, 12, 17] where offset < parameters.months.count {
            let cohort = parameters.firstMonth.adding(months: offset)
            let members = customers.filter { $0.signup.yearMonth == cohort }
            let retained = members.filter { !$0.isChurned }.count
            let age = cohort.months(to: parameters.lastMonth)
            lines.append("  - \(cohort) cohort (\(age) months after signup month): \(share(retained, of: members.count)) retained (\(retained) of \(members.count))")
        }
        lines.append("  - Pooled retention at period k (cohorts that can observe it):")
        for k in [1, 3, 6, 12, 23] {
            let (retained, eligible) = pooledRetention(k: k)
            lines.append("      k = \(k < 10 ? " " : "")\(k): \(share(retained, of: eligible)) (\(retained) of \(eligible))")
        }
        lines.append("    k = 23 stands for the seed's 24 months: it is the last period a 24-month window can observe.")
        lines.append("")

        lines.append("Data Integrity Checks:")
        for check in checks {
            let mark: String
            switch check.outcome {
            case .passed: mark = "✓"
            case .failed: mark = "✗"
            case .conflict: mark = "⚠"
            }
            lines.append("  \(mark) \(check.name): \(check.detail)")
        }
        if checks.contains(where: { $0.outcome == .conflict }) {
            lines.append("  Conflict: the seed asks for 5-8% monthly churn and for 50-55% of customers retained after")
            lines.append("  24 months; (1 - 0.05)^23 = 31%, so the retention curve wins and the churn target is warn-only.")
        }
        lines.append("")
        lines.append("Database saved to: \(path)")
        lines.append("File size: \(Format.grouped((fileSize + 1023) / 1024)) KB")
        lines.append(String(repeating: "=", count: 60))
        return lines.joined(separator: "\n") + "\n"
    }
}
