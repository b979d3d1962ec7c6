import Datasets
import TableIO

/// The data tests of a dataset, dbt style, derived from its mapping (unique keys, not-null
/// fields, accepted plans, valid and ordered times, no future times, relationships between
/// roles, stored movements balancing the recomputed MRR) plus those the mapping declares and
/// the named rules of a built-in profile. Each reports its failing rows' count and up to five
/// of their keys, the smallest first.
struct DataTests {
    let context: AuditContext
    var findings: [IntegrityFinding] = []
    var skipped: [SkippedMeasure]

    init(_ context: AuditContext, skipped: [SkippedMeasure]) {
        self.context = context
        self.skipped = skipped
    }

    static func run(_ context: AuditContext, skipped: [SkippedMeasure]) -> ([IntegrityFinding], [SkippedMeasure]) {
        var tests = DataTests(context, skipped: skipped)
        tests.all()
        return (tests.findings, tests.skipped)
    }

    private var mapping: Mapping { context.mapping }

    /// The severity a mapping gives a test (`off` drops it), matching on kind, role and field.
    private func severity(_ kind: String, _ role: Role, _ field: String?) -> DeclaredTest.Severity {
        let override = mapping.tests.last { $0.kind.rawValue == kind && $0.role == role && ($0.field == nil || $0.field == field)
            && ($0.severity == .off || $0.isOverride) }
        return override?.severity ?? .error
    }

    private mutating func record(_ test: String, _ table: RoleTable, _ columns: String?, _ keys: SampleKeys, field: String?,
                                 checked: Int? = nil, severity given: DeclaredTest.Severity? = nil) {
        let level = given ?? severity(test, table.role, field)
        guard level != .off else { return }
        findings.append(IntegrityFinding(test: test, table: table.source, column: columns, failures: keys.count,
                                         sampleKeys: keys.keys, checked: checked ?? table.rows, warnOnly: level == .warn))
    }

    private mutating func all() {
        for role in [Role.subscribers, .subscriptions] {
            if let table = context[role] { roleTests(table) }
        }
        relationships()
        dimensionReferences()
        for rule in mapping.rules { ProfileRules.run(rule, context, role: .subscriptions, into: &findings, skipped: &skipped) }
        for role in [Role.payments, .events, .content, .churnEvents] {
            if let table = context[role] { roleTests(table) }
        }
        if let table = context[.payments] { duplicatePayments(table) }
        for role in [Role.payments, .events] {
            if let table = context[role] { missingDays(table) }
        }
        if let table = context[.movements] {
            roleTests(table)
            for rule in mapping.rules { ProfileRules.run(rule, context, role: .movements, into: &findings, skipped: &skipped) }
            movementsBalance(table)
        }
    }

    /// duplicate_payments (``DuplicatePayments``) over the payment attempts: rows whose status is
    /// `succeeded` or `failed` (and, where the type is mapped, whose type is `payment`), owned by
    /// their subscription, else their subscriber.
    private mutating func duplicatePayments(_ table: RoleTable) {
        guard let status = table.texts["status"], let times = table.times["time"], let amounts = table.amounts["amount"],
              let owner = table.texts["subscription"] ?? table.texts["subscriber"] else { return }
        let ownerField = table.texts["subscription"] != nil ? "subscription" : "subscriber"
        let outcome = status.values.map { $0 == "succeeded" ? 1 : ($0 == "failed" ? 0 : -1) }
        let types = table.texts["type"]
        let isPayment = types.map { column in column.values.map { $0 == "payment" } }
        let rows = (0..<table.rows).filter { row in
            guard times[row] != noTime, status.codes[row] >= 0, outcome[Int(status.codes[row])] >= 0 else { return false }
            guard let types, let isPayment else { return true }
            return types.codes[row] >= 0 && isPayment[Int(types.codes[row])]
        }
        let order = rows.sorted { (owner.codes[$0], times[$0], $0) < (owner.codes[$1], times[$1], $1) }
        let cents = amounts.map(DuplicatePayments.cents)
        var keys = SampleKeys()
        let duplicates = DuplicatePayments.find(order: order, owner: owner.codes, time: times, amount: cents,
                                                succeeded: { outcome[Int(status.codes[$0])] == 1 })
        for row in duplicates { keys.add(table.key(row)) }
        record("duplicate_payments", table, [ownerField, "amount", "time"].map(table.columnName).joined(separator: ", "), keys,
               field: nil, checked: rows.count)
    }

    /// no_missing_days (``MissingDays``) on a dated role's rows per day.
    private mutating func missingDays(_ table: RoleTable) {
        guard let times = table.times["time"], let (counts, firstDay) = MissingDays.counts(times, asOf: context.asOf) else { return }
        let level = severity("no_missing_days", table.role, "time")
        guard level != .off else { return }
        var finding = MissingDays.finding(table: table.source, column: table.columnName("time"), counts: counts, firstDay: firstDay)
        finding.warnOnly = level == .warn
        findings.append(finding)
    }

    /// The key a test names a row by: its id, the month of a movements row, else its line.
    static func key(_ table: RoleTable, _ row: Int) -> String {
        if table.role == .movements, let month = table.times["month"]?[row], let day = SubscriptionLedger.day(month) {
            return CivilDate(dayNumber: day).description
        }
        return table.key(row)
    }

    private mutating func roleTests(_ table: RoleTable) {
        let role = table.role
        // unique: every row whose key another row shares.
        if role == .movements, let months = table.times["month"] {
            var counts: [Int64: Int] = [:]
            for value in months where value != noTime { counts[value, default: 0] += 1 }
            var keys = SampleKeys()
            for row in 0..<table.rows where months[row] != noTime && counts[months[row]]! > 1 { keys.add(Self.key(table, row)) }
            record("unique", table, table.columnName("month"), keys, field: "month")
        } else if let ids = table.texts["id"] {
            var counts = Array(repeating: 0, count: ids.dictionary.count)
            for code in ids.codes where code >= 0 { counts[Int(code)] += 1 }
            var keys = SampleKeys()
            for row in 0..<table.rows where ids.codes[row] >= 0 && counts[Int(ids.codes[row])] > 1 { keys.add(table.key(row)) }
            record("unique", table, table.columnName("id"), keys, field: "id")
        }

        // not_null: the role's mapped fields that must hold a value, and the declared ones, in the source's column order.
        var targets = role.fields.filter { !$0.nullable && table.has($0.name) && role != .movements }.map(\.name)
        for test in mapping.tests where test.kind == .notNull && test.role == role && test.severity != .off {
            if let field = test.field, !targets.contains(field), table.has(field) { targets.append(field) }
        }
        // A declared test on a column the source lacks fails as column_exists, never silently passes.
        for test in mapping.tests where test.role == role && test.severity != .off && (!test.isOverride || test.kind == .notNull) {
            guard let field = test.field, table.missing.contains(field) else { continue }
            let column = table.mapping.field(field)?.column ?? field
            guard !findings.contains(where: { $0.test == "column_exists" && $0.table == table.source && $0.column == column }) else { continue }
            findings.append(IntegrityFinding(test: "column_exists", table: table.source, column: column, failures: 1, sampleKeys: [], checked: 1,
                                             warnOnly: test.severity == .warn))
        }
        let position = Dictionary(table.sourceColumns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        targets.sort { (position[table.columnName($0)] ?? Int.max, $0) < (position[table.columnName($1)] ?? Int.max, $1) }
        for field in targets {
            var keys = SampleKeys()
            if let column = table.texts[field] {
                for row in 0..<table.rows where column.codes[row] < 0 { keys.add(table.key(row)) }
            } else {
                keys = table.problems["not_null|" + field] ?? SampleKeys()
            }
            let declared = mapping.tests.last { $0.kind == .notNull && $0.role == role && $0.field == field }
            record("not_null", table, table.columnName(field), keys, field: field, severity: declared.map { $0.severity })
        }

        // accepted_values: the plans, when the mapping lists them; then the declared tests in order.
        if !mapping.plans.isEmpty, let plans = table.texts["plan"] {
            accepted(table, "plan", Set(mapping.plans.map(\.name)), plans, severity: nil)
        }
        for test in mapping.tests where test.role == role && !test.isOverride {
            guard let field = test.field, table.has(field) || test.kind == .relationships else { continue }
            switch test.kind {
            case .acceptedValues:
                if let column = table.texts[field] { accepted(table, field, Set(test.values), column, severity: test.severity) }
            case .range: range(table, field, test)
            case .unique: declaredUnique(table, field, test)
            case .relationships: declaredRelationship(table, field, test)
            default: break
            }
        }
        if role == .subscriptions, mapping.plans.contains(where: { $0.price != nil }), let amounts = table.amounts["amount"],
           let plans = table.texts["plan"] {
            var keys = SampleKeys()
            let ranges = Dictionary(mapping.plans.map { ($0.name, $0.price) }, uniquingKeysWith: { first, _ in first })
            // A plan without a price range, or not a listed plan (accepted_values reports it), is not checked.
            for row in 0..<table.rows where !amounts[row].isNaN {
                guard let plan = plans.text(row), let range = ranges[plan] ?? nil else { continue }
                if !range.contains(amounts[row]) { keys.add(table.key(row)) }
            }
            record("range", table, table.columnName("amount") + "_in_tier_range", keys, field: "amount")
        }

        // Amounts: every non-empty value a number (a computed one finite); other fields only
        // when an expression over them computed a number it cannot use.
        for field in role.fields.map(\.name) + table.mapping.attributes.map(\.name) where table.has(field) {
            let keys = table.problems["valid_number|" + field]
            guard table.amounts[field] != nil || keys != nil else { continue }
            record("valid_number", table, table.columnName(field), keys ?? SampleKeys(), field: field)
        }

        // Times: readable, ordered (an end after its start), not after the as-of moment.
        let timeFields = role.fields.filter { $0.kind == .time && table.has($0.name) }.map(\.name)
        for field in timeFields {
            let format = table.mapping.fields[field]?.format
            let test = format == .date ? "valid_date" : "valid_timestamp"
            record(test, table, table.columnName(field), table.problems[test + "|" + field] ?? SampleKeys(), field: field)
        }
        if let starts = table.times["start"], let ends = table.times["end"] {
            var keys = SampleKeys()
            for row in 0..<table.rows where ends[row] != noTime && starts[row] != noTime && ends[row] <= starts[row] { keys.add(table.key(row)) }
            record("logical_order", table, table.columnName("end"), keys, field: "end")
        }
        let futureFields = timeFields.filter { $0 != "month" }
        if !futureFields.isEmpty {
            var keys = SampleKeys()
            let columns = futureFields.map { table.times[$0]! }
            for row in 0..<table.rows where columns.contains(where: { $0[row] != noTime && $0[row] > context.asOf }) { keys.add(table.key(row)) }
            let dates = futureFields.allSatisfy { table.mapping.fields[$0]?.format == .date }
            record(dates ? "no_future_dates" : "no_future_timestamps", table, futureFields.map { table.columnName($0) }.joined(separator: ", "),
                   keys, field: nil)
        }
    }

    private mutating func accepted(_ table: RoleTable, _ field: String, _ values: Set<String>, _ column: TextColumn,
                                   severity: DeclaredTest.Severity?) {
        let allowed = column.values.map { values.contains($0) }
        var keys = SampleKeys()
        for row in 0..<table.rows where column.codes[row] >= 0 && !allowed[Int(column.codes[row])] { keys.add(table.key(row)) }
        record("accepted_values", table, table.columnName(field), keys, field: field, severity: severity)
    }

    private mutating func range(_ table: RoleTable, _ field: String, _ test: DeclaredTest) {
        var keys = SampleKeys()
        let numbers: [Double?]
        if let amounts = table.amounts[field] {
            numbers = amounts.map { $0.isNaN ? nil : $0 }
        } else if let column = table.texts[field] {
            let parsed = column.values.map { ExpressionValue.text($0).number }
            numbers = column.codes.map { $0 < 0 ? nil : parsed[Int($0)] }
        } else {
            return
        }
        for row in 0..<table.rows {
            guard let value = numbers[row] else { continue }
            var inside = true
            if let low = test.minimum { inside = inside && (test.exclusive ? value > low : value >= low) }
            if let high = test.maximum { inside = inside && (test.exclusive ? value < high : value <= high) }
            if !inside { keys.add(table.key(row)) }
        }
        record("range", table, table.columnName(field), keys, field: field, severity: test.severity)
    }

    private mutating func declaredUnique(_ table: RoleTable, _ field: String, _ test: DeclaredTest) {
        guard let column = table.texts[field] else { return }
        var counts = Array(repeating: 0, count: column.dictionary.count)
        for code in column.codes where code >= 0 { counts[Int(code)] += 1 }
        var keys = SampleKeys()
        for row in 0..<table.rows where column.codes[row] >= 0 && counts[Int(column.codes[row])] > 1 { keys.add(table.key(row)) }
        record("unique", table, table.columnName(field), keys, field: field, severity: test.severity)
    }

    private mutating func declaredRelationship(_ table: RoleTable, _ field: String, _ test: DeclaredTest) {
        guard let column = table.texts[field], let target = test.toRole.flatMap({ context[$0] }),
              let targetColumn = target.texts[test.toField ?? "id"] else { return }
        let present = column.translation(to: targetColumn.dictionary).map { $0 >= 0 }
        var keys = SampleKeys()
        for row in 0..<table.rows where column.codes[row] >= 0 && !present[Int(column.codes[row])] { keys.add(table.key(row)) }
        record("relationships", table, table.columnName(field), keys, field: field, severity: test.severity)
    }

    /// Every reference between roles: a subscription's subscriber, a payment's subscription or
    /// subscriber, an event's, a churn event's; and subscribers without any subscription.
    private mutating func relationships() {
        guard let subscriptions = context[.subscriptions] else { return }
        if let subscribers = context[.subscribers] {
            var keys = SampleKeys()
            for row in context.ledger.orphans { keys.add(subscriptions.key(row)) }
            record("relationships", subscriptions, subscriptions.columnName("subscriber"), keys, field: "subscriber")
            // A subscriber holds a subscription when one row of the subscriptions names it.
            var holding = Array(repeating: false, count: context.ledger.subscriberCount)
            for subscription in context.ledger.subscriptions where subscription.subscriber >= 0 { holding[subscription.subscriber] = true }
            var lacking = SampleKeys()
            for row in 0..<subscribers.rows {
                let subscriber = Int(context.ledger.subscriberOfRow[row])
                if subscriber < 0 || !holding[subscriber] { lacking.add(subscribers.key(row)) }
            }
            record("has_subscription", subscribers, subscribers.columnName("id"), lacking, field: "id")
        }
        for role in [Role.payments, .events, .churnEvents] {
            guard let table = context[role] else { continue }
            for (field, target) in [("subscription", Role.subscriptions), ("subscriber", Role.subscribers)] {
                guard let column = table.texts[field] else { continue }
                let present: [Bool]
                if let targetTable = context[target], let ids = targetTable.texts["id"] {
                    present = column.translation(to: ids.dictionary).map { $0 >= 0 }
                } else if target == .subscribers, context[.subscribers] == nil {
                    present = context.ledger.subscribers(of: column).map { $0 >= 0 }
                } else {
                    continue
                }
                var keys = SampleKeys()
                for row in 0..<table.rows where column.codes[row] >= 0 && !present[Int(column.codes[row])] { keys.add(table.key(row)) }
                record("relationships", table, table.columnName(field), keys, field: field)
            }
        }
    }

    /// Every field holding the key of a dimension table: its values are keys of that table.
    private mutating func dimensionReferences() {
        for role in Role.allCases {
            guard let table = context[role] else { continue }
            let entries = role.fields.compactMap { field in table.mapping.fields[field.name].map { (field.name, $0) } }
                + table.mapping.attributes.map { ($0.name, $0.field) }
            for (name, field) in entries {
                guard let dimension = field.dimension, let keys = context.dimensions[dimension]?.texts["id"], let column = table.texts[name] else { continue }
                let present = column.translation(to: keys.dictionary).map { $0 >= 0 }
                var failing = SampleKeys()
                for row in 0..<table.rows where column.codes[row] >= 0 && !present[Int(column.codes[row])] { failing.add(Self.key(table, row)) }
                record("relationships", table, table.columnName(name), failing, field: name)
            }
        }
    }

    /// Each stored month's net movement against the change of MRR recomputed from the
    /// subscriptions (a month that is not a date fails).
    private mutating func movementsBalance(_ table: RoleTable) {
        guard let nets = table.amounts["net"], let monthTimes = table.times["month"] else { return }
        let months = monthTimes.map { SubscriptionLedger.day($0).map { CivilDate(dayNumber: $0).yearMonth } }
        var keys = SampleKeys()
        if let first = months.compactMap({ $0 }).min(), let last = months.compactMap({ $0 }).max(),
           first.months(to: last) < AuditWindow.maximumMonths {
            let levels = RevenueMeasures.levels(context.ledger, months: Array(first...last)).levels
            for row in 0..<table.rows {
                guard let month = months[row] else {
                    keys.add(table.label(row))
                    continue
                }
                let index = first.months(to: month)
                if !nets[row].isNaN, abs(levels[index + 1] - levels[index] - nets[row]) >= 0.005 { keys.add(Self.key(table, row)) }
            }
        } else {
            for row in 0..<table.rows { keys.add(Self.key(table, row)) }
        }
        record("movements_balance", table, table.columnName("net"), keys, field: "net")
    }
}

extension DeclaredTest {
    /// A declared test that only changes a derived one: `severity: off` or `warn` on a test the
    /// mapping derives anyway (a not_null, valid or no-future test), not a test of its own.
    var isOverride: Bool {
        switch kind {
        case .validDate, .validTimestamp, .logicalOrder, .noFutureDates, .noFutureTimestamps, .hasSubscription,
             .duplicatePayments, .noMissingDays: return true
        case .unique: return field == nil || field == "id"
        case .notNull: return field == nil || role.field(field ?? "") != nil
        case .acceptedValues, .range, .relationships: return severity == .off
        }
    }
}
