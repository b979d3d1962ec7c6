import Foundation
import Datasets
import TableIO

/// One audit of any subscription dataset: its roles read through the mapping from the inputs,
/// the measure families on the roles, the data tests.
///
///     inputs -> role tables -> ledger -> retention, churn, revenue, plans, extras, anomalies, data tests
struct RoleAudit {
    let inputs: InputSet
    let mapping: Mapping
    /// The inputs as given, for messages.
    let inputNames: [String]

    func run() throws -> (Measurements, [AuditInput]) {
        let (tables, empty) = try readRoles()
        guard let subscriptions = tables[.subscriptions] else { throw AuditError.invalidData("no subscriptions") }
        var result = Measurements()
        result.definitions["churn"] = mapping.churn.statement
        for role in Role.allCases where mapping[role] != nil && tables[role] == nil {
            result.skipped.append(SkippedMeasure(measure: "every measure reading \(mapping[role]!.sourceName)",
                                                 reason: "table \(mapping[role]!.sourceName) (role \(role.rawValue)) is \(empty.contains(role) ? "empty" : "missing")"))
        }
        for table in tables.values.sorted(by: { $0.role < $1.role }) where !table.missing.isEmpty {
            let columns = table.missing.map { field in table.mapping.field(field)?.expression.columns.first.map { "\(table.source).\($0)" } ?? field }
            result.skipped.append(SkippedMeasure(measure: "what reads \(table.missing.map { "\(table.role.rawValue).\($0)" }.joined(separator: ", "))",
                                                 reason: "\(columns.joined(separator: ", ")) \(columns.count == 1 ? "is" : "are") missing"))
        }
        let ledger = SubscriptionLedger(subscribers: tables[.subscribers], subscriptions: subscriptions,
                                        churnEvents: tables[.churnEvents], mapping: mapping)
        let (first, last) = try window(tables)
        let months = Array(first...last)
        let asOf = mapping.asOf ?? Int64(last.lastDay.dayNumber + 1) * 86_400 - 1
        var context = AuditContext(mapping: mapping, tables: tables, ledger: ledger, months: months, asOf: asOf)
        context.dimensions = try readDimensions()
        result.asOf = asOf % 86_400 == 86_399 ? CivilDate(dayNumber: context.asOfDay).description : Self.timestamp(asOf)

        if inputs.databases.count == 1, let size = try? FileManager.default.attributesOfItem(atPath: inputs.databases[0].path)[.size] as? Int {
            result.metrics["database.size_bytes"] = Measurement(value: Double(size), n: 1)
        }
        result.metrics["customers.count"] = Measurement(value: Double(tables[.subscribers]?.rows ?? ledger.subscriberCount), n: 1)
        if subscriptions.has("plan") {
            PlanMeasures.measure(context, into: &result)
        } else if !mapping.plans.isEmpty {
            for measure in ["tiers.first.*, prices.first.out_of_range", "lifecycle.*"] {
                result.skipped.append(SkippedMeasure(measure: measure, reason: "\(subscriptions.source) has no plan column (subscriptions.plan)"))
            }
        }
        RetentionMeasures.measure(context, into: &result)
        ChurnMeasures.measure(context, into: &result)
        RevenueMeasures.measure(context, into: &result)
        SubscriberMovements.measure(context, into: &result)
        GroupRevenue.measure(context, into: &result)
        PaymentMeasures.measure(context, into: &result)
        EngagementMeasures.measure(context, into: &result)
        SeasonalityMeasures.measure(context, into: &result)
        if mapping.extras.contains("day06.edge_cases") { Day06EdgeCases.measure(context, into: &result) }
        var anomalies = AnomalyAnalysis.analyze(SubscriptionSeries.build(context), groundTruth: nil,
                                                scanOnly: SubscriptionSeries.daily(context))
        anomalies.notes.append("the dataset carries no ground truth (anomalies.json): anomalies are found, not scored")
        result.anomalies = anomalies
        (result.integrity, result.skipped) = DataTests.run(context, skipped: result.skipped)
        return (result, try inputsInfo(tables))
    }

    static func timestamp(_ seconds: Int64) -> String {
        let day = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(day) * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate(dayNumber: day)) \(two(rest / 3_600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
    }

    /// Every mapped role that an input holds; what a required role lacks is one error naming all of it.
    private func readRoles() throws -> (tables: [Role: RoleTable], empty: Set<Role>) {
        let reader = RoleReader(inputs: inputs, mapping: mapping)
        var tables: [Role: RoleTable] = [:]
        var lacking: [String] = []
        var emptyOptional: Set<Role> = []
        for role in Role.allCases {
            guard let roleMapping = mapping[role] else { continue }
            if case .table(let name) = roleMapping.source, try inputs.table(name) == nil {
                if !roleMapping.optional {
                    lacking.append("table \(name)" + (mapping.builtIn ? "" : " (role \(role.rawValue), \(mapping.path):\(roleMapping.line))"))
                }
                continue
            }
            do {
                guard let table = try reader.read(role) else { continue }
                guard table.sourceRows > 0 else {
                    // An optional role's empty table is skipped, as an absent one is; a required one is an error.
                    if roleMapping.optional {
                        emptyOptional.insert(role)
                    } else {
                        lacking.append("rows in \(table.source) (it is empty)")
                    }
                    continue
                }
                for field in role.fields where field.required && table.has(field.name) && Self.allAbsent(table, field.name) {
                    lacking.append("values in \(table.source).\(table.columnName(field.name)) (every row is NULL)")
                }
                tables[role] = table
            } catch let error as LackingColumns {
                lacking += error.items
            }
        }
        guard lacking.isEmpty else {
            let source = inputNames.count == 1 ? "'\(inputNames[0])'" : "the inputs"
            throw AuditError.invalidData("\(source) lack\(inputNames.count == 1 ? "s" : "") what the \(mapping.name) profile requires: \(lacking.joined(separator: "; "))")
        }
        if let subscriptions = tables[.subscriptions], subscriptions.rows == 0 {
            throw AuditError.invalidData("the filter of subscriptions (\(mapping.path):\(mapping[.subscriptions]!.line)) keeps none of the \(subscriptions.sourceRows) rows of \(subscriptions.source)")
        }
        return (tables, emptyOptional)
    }

    /// The dimension tables the mapping declares; a missing one is an error unless `optional`.
    private func readDimensions() throws -> [String: RoleTable] {
        let reader = RoleReader(inputs: inputs, mapping: mapping)
        var result: [String: RoleTable] = [:]
        for name in mapping.dimensions.keys.sorted() {
            let dimension = mapping.dimensions[name]!
            if case .table(let table) = dimension.source, try inputs.table(table) == nil {
                guard dimension.optional else {
                    throw AuditError.invalidData("no input holds table '\(table)' of dimension \(name) (\(mapping.path):\(dimension.line))")
                }
                continue
            }
            do {
                result[name] = try reader.readDimension(name)
            } catch let error as LackingColumns {
                throw AuditError.invalidData("dimension \(name) lacks \(error.items.joined(separator: "; ")) (\(mapping.path):\(dimension.line))")
            }
        }
        return result
    }

    static func allAbsent(_ table: RoleTable, _ field: String) -> Bool {
        guard table.rows > 0 else { return false }
        if let times = table.times[field] { return times.allSatisfy { $0 == noTime } && (table.problems["not_null|" + field]?.count ?? 0) == table.rows }
        if let amounts = table.amounts[field] { return amounts.allSatisfy(\.isNaN) && (table.problems["not_null|" + field]?.count ?? 0) == table.rows }
        if let texts = table.texts[field] { return texts.codes.allSatisfy { $0 < 0 } }
        return false
    }

    /// The mapping's window, else the months of the movements, else of the subscriptions.
    private func window(_ tables: [Role: RoleTable]) throws -> (YearMonth, YearMonth) {
        if let window = mapping.window { return window }
        func month(_ seconds: Int64) -> YearMonth? { SubscriptionLedger.day(seconds).map { CivilDate(dayNumber: $0).yearMonth } }
        var bounds: (YearMonth, YearMonth)?
        var source = ""
        if let movements = tables[.movements], let times = movements.times["month"] {
            let months = times.compactMap(month)
            if let low = months.min(), let high = months.max() { bounds = (low, high) }
            source = "\(movements.source).\(movements.columnName("month"))"
        } else if let subscriptions = tables[.subscriptions] {
            let starts = subscriptions.times["start"]!
            let ends = subscriptions.times["end"]
            var low: YearMonth?, high: YearMonth?
            for row in 0..<subscriptions.rows {
                guard let start = month(starts[row]) else { continue }
                let last = ends.flatMap { month($0[row]) } ?? start
                low = min(low ?? start, start)
                high = max(high ?? start, start, last)
            }
            if let low, let high { bounds = (low, high) }
            source = "\(subscriptions.source) dates"
        }
        guard let (first, last) = bounds else { throw AuditError.invalidData("\(inputNames.first ?? "the input"): no dates to take a window from; give the mapping a window") }
        let place = inputNames.count == 1 ? "'\(inputNames[0])': \(source)" : source
        guard first.months(to: last) < AuditWindow.maximumMonths else {
            throw AuditError.invalidData(AuditWindow.tooLong(first: first, last: last, source: place))
        }
        return (first, last)
    }

    /// Each input table with its rows and digest: every table of a SQLite input (its digest is the
    /// database file's), every CSV file read.
    private func inputsInfo(_ tables: [Role: RoleTable]) throws -> [AuditInput] {
        var result: [AuditInput] = []
        for (path, connection) in inputs.databases {
            let digest = try SHA256.hexDigest(ofFile: path)
            for table in try connection.tableNames() {
                let rows = Int(try connection.scalar("SELECT COUNT(*) FROM \(SQLiteConnection.quoted(table))").integer ?? 0)
                result.append(AuditInput(name: "\((path as NSString).lastPathComponent):\(table)", kind: "sqlite table", rows: rows, sha256: digest))
            }
        }
        var seen = Set<String>()
        for table in tables.values.sorted(by: { $0.source < $1.source }) where table.sha256 != nil && seen.insert(table.source).inserted {
            result.append(AuditInput(name: table.source, kind: "csv", rows: table.sourceRows, sha256: table.sha256!))
        }
        return result
    }
}
