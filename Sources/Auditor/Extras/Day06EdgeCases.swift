import Datasets
import TableIO

/// The edge cases the SaaS request names (seeds/saas-day06.md), attached to the built-in saas
/// profile as the extra `day06.edge_cases`: customers with two upgrades in a row, a downgrade
/// right after an upgrade, churn in the first period, active through the whole window, and
/// Enterprise subscriptions at $2,000 or more.
enum Day06EdgeCases {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        let ledger = context.ledger
        let customers = ledger.subscriberCount
        var twoUpgrades = 0, downgradeAfterUpgrade = 0, churnFirstPeriod = 0, wholeWindow = 0
        let firstDay = context.months[0].firstDay.dayNumber
        for subscriber in 0..<ledger.subscriberCount {
            let steps = PlanMeasures.changes(ledger, subscriber)
            if steps.count > 1 {
                let pairs = zip(steps, steps.dropFirst())
                if pairs.contains(where: { $0 > 0 && $1 > 0 }) { twoUpgrades += 1 }
                if pairs.contains(where: { $0 > 0 && $1 < 0 }) { downgradeAfterUpgrade += 1 }
            }
            // The end of the last life: none while a subscription is open, else the latest end.
            let list = ledger.bySubscriber[subscriber]
            guard let signup = ledger.signup[subscriber], !list.isEmpty else { continue }
            let churn: Int? = list.contains { ledger.subscriptions[$0].end == nil } ? nil : list.compactMap { ledger.subscriptions[$0].end }.max()
            let cohort = CivilDate(dayNumber: signup).yearMonth
            if let churn, churn <= cohort.adding(months: 1).lastDay.dayNumber { churnFirstPeriod += 1 }
            if signup <= firstDay && (churn.map { $0 > context.asOfDay } ?? true) { wholeWindow += 1 }
        }
        result.metrics["edge_cases.two_upgrades"] = Measurement(value: Double(twoUpgrades), n: customers)
        result.metrics["edge_cases.downgrade_after_upgrade"] = Measurement(value: Double(downgradeAfterUpgrade), n: customers)
        result.metrics["edge_cases.churn_period1"] = Measurement(value: Double(churnFirstPeriod), n: customers)
        result.metrics["edge_cases.active_whole_window"] = Measurement(value: Double(wholeWindow), n: customers)
        let enterprise = context.mapping.plans.firstIndex { $0.name == "Enterprise" } ?? -1
        let large = ledger.subscriptions.filter { $0.plan == enterprise && enterprise >= 0 && $0.amount >= 2000 }.count
        result.metrics["edge_cases.enterprise_2000"] = Measurement(value: Double(large), n: ledger.subscriptions.count)
    }
}
