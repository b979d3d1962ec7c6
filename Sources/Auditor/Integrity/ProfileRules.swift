import Datasets
import TableIO

/// The rules of the built-in saas profile: conventions of our own generator that a mapping
/// applies only by naming them (`rules:`), never to someone else's data by default.
///
/// - `day06.subscription_chain`: a customer's first subscription starts on its signup date and
///   each next one starts the day the previous one ends.
/// - `day06.current_mrr`: a customer's plan, status and current MRR are those of its latest subscription.
/// - `day06.movements_net_formula`: net = new + expansion - contraction - churn, within half a cent.
/// - `day06.movements_nonnegative`: the four movements are not negative.
enum ProfileRules {
    static func run(_ rule: String, _ context: AuditContext, role: Role, into findings: inout [IntegrityFinding],
                    skipped: inout [SkippedMeasure]) {
        switch (rule, role) {
        case ("day06.subscription_chain", .subscriptions): subscriptionChain(context, &findings)
        case ("day06.current_mrr", .subscriptions):
            if let subscribers = context[.subscribers], let lacking = ["mrr_current", "plan", "status"].first(where: { !subscribers.has($0) }) {
                skipped.append(SkippedMeasure(measure: "data test current_mrr on \(subscribers.source)",
                                              reason: "\(subscribers.source) has no column for \(lacking)"))
            } else if let subscriptions = context[.subscriptions], !subscriptions.has("plan") {
                skipped.append(SkippedMeasure(measure: "data test current_mrr on \(subscriptions.source)",
                                              reason: "\(subscriptions.source) has no plan column"))
            } else {
                currentMRR(context, &findings)
            }
        case ("day06.movements_net_formula", .movements), ("day06.movements_nonnegative", .movements): movements(rule, context, &findings)
        default: break
        }
    }

    private static func subscriptionChain(_ context: AuditContext, _ findings: inout [IntegrityFinding]) {
        guard let table = context[.subscriptions], let subscribers = context[.subscribers] else { return }
        let ledger = context.ledger
        let signups = subscribers.times["signup"]
        var keys = SampleKeys()
        for subscriber in 0..<ledger.subscriberCount {
            let row = ledger.subscriberRow[subscriber]
            let signup = row >= 0 ? signups.flatMap { SubscriptionLedger.day($0[row]) } : nil
            var previousEnd: Int?? = .none
            for (position, index) in ledger.bySubscriber[subscriber].enumerated() {
                let subscription = ledger.subscriptions[index]
                let start = subscription.start!
                var failing = signup.map { start < $0 } ?? false
                if position == 0 {
                    failing = failing || signup.map { start != $0 } ?? false
                } else if case .some(let end) = previousEnd {
                    failing = failing || end == nil || end! != start
                }
                if failing { keys.add(table.key(subscription.row)) }
                previousEnd = .some(subscription.end)
            }
        }
        findings.append(IntegrityFinding(test: "subscription_chain", table: table.source, column: table.columnName("start"),
                                         failures: keys.count, sampleKeys: keys.keys, checked: table.rows))
    }

    private static func currentMRR(_ context: AuditContext, _ findings: inout [IntegrityFinding]) {
        guard let table = context[.subscriptions], let subscribers = context[.subscribers] else { return }
        let ledger = context.ledger
        let plans = table.texts["plan"]
        let current = subscribers.texts["mrr_current"]
        let status = subscribers.texts["status"]
        let plan = subscribers.texts["plan"]
        var keys = SampleKeys()
        for row in 0..<subscribers.rows {
            let subscriber = Int(ledger.subscriberOfRow[row])
            guard subscriber >= 0, let latestIndex = ledger.bySubscriber[subscriber].last else { continue }
            let latest = ledger.subscriptions[latestIndex]
            let mrr = current?.text(row).flatMap { ExpressionValue.text($0).number }
            let state = status?.text(row)
            var failing = plan?.text(row) != plans?.text(latest.row)
            if latest.end == nil {
                failing = failing || state != "active" || mrr.map { abs($0 - latest.amount) >= 0.005 } ?? false
            } else {
                failing = failing || state != "churned" || mrr.map { $0 != 0 } ?? false
            }
            if failing { keys.add(subscribers.key(row)) }
        }
        let columns = ["mrr_current", "plan", "status"].map { subscribers.columnName($0) }.joined(separator: ", ")
        findings.append(IntegrityFinding(test: "current_mrr", table: subscribers.source, column: columns,
                                         failures: keys.count, sampleKeys: keys.keys, checked: subscribers.rows))
    }

    private static func movements(_ rule: String, _ context: AuditContext, _ findings: inout [IntegrityFinding]) {
        guard let table = context[.movements] else { return }
        let names = ["new", "expansion", "contraction", "churn"]
        guard let columns = Optional(names.compactMap { table.amounts[$0] }), columns.count == 4 else { return }
        var keys = SampleKeys()
        for row in 0..<table.rows {
            let values = columns.map { $0[row] }
            guard !values.contains(where: \.isNaN) else { continue }
            if rule == "day06.movements_net_formula" {
                guard let net = table.amounts["net"]?[row], !net.isNaN else { continue }
                if abs(net - (values[0] + values[1] - values[2] - values[3])) >= 0.005 { keys.add(DataTests.key(table, row)) }
            } else if values.contains(where: { $0 < 0 }) {
                keys.add(DataTests.key(table, row))
            }
        }
        let test = rule == "day06.movements_net_formula" ? "net_formula" : "range"
        let column = rule == "day06.movements_net_formula" ? table.columnName("net") : names.map { table.columnName($0) }.joined(separator: ", ")
        findings.append(IntegrityFinding(test: test, table: table.source, column: column, failures: keys.count,
                                         sampleKeys: keys.keys, checked: table.rows))
    }
}
