import Foundation
import Testing
import TableIO

/// One auditor for any dataset: the built-in SaaS dataset from another source kind, and the
/// foreign-shaped examples under examples/ through their mappings, each figure checked against
/// an independent recomputation (scripts/check/example_metrics.py, DuckDB SQL).
@Suite("roles and mappings (end to end)")
struct RoleMappingTests {
    static func report(_ directory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Writes every table of a SQLite database as NAME.csv (RFC 4180 quoting, NULL as an empty field).
    static func exportCSV(_ database: URL, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let db = try SQLiteConnection(path: database.path, mode: .readOnly)
        for table in try db.tableNames() {
            let columns = try db.columnNames(of: table)
            var text = columns.joined(separator: ",") + "\n"
            for row in try db.query("SELECT * FROM \(SQLiteConnection.quoted(table))") {
                text += row.map { value -> String in
                    switch value {
                    case .null: return ""
                    case .integer(let number): return String(number)
                    case .real(let number): return String(number)
                    case .text(let string):
                        return string.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                            ? "\"" + string.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : string
                    }
                }.joined(separator: ",") + "\n"
            }
            try Data(text.utf8).write(to: folder.appendingPathComponent(table + ".csv"))
        }
    }

    /// Every metric of `a` equals `b`'s to 1e-9 (numbers, series and cohort matrices alike).
    static func expectSameMetrics(_ a: [String: Any], _ b: [String: Any], except: Set<String>, _ context: String) {
        let left = a["metrics"] as? [String: Any] ?? [:], right = b["metrics"] as? [String: Any] ?? [:]
        #expect(Set(left.keys).subtracting(except) == Set(right.keys).subtracting(except), "\(context): metric ids differ")
        func same(_ x: Any?, _ y: Any?) -> Bool {
            switch (x, y) {
            case let (p as NSNumber, q as NSNumber): return abs(p.doubleValue - q.doubleValue) <= 1e-9 * max(1, abs(p.doubleValue))
            case let (p as [Any], q as [Any]): return p.count == q.count && zip(p, q).allSatisfy { same($0, $1) }
            case let (p as [String: Any], q as [String: Any]): return Set(p.keys) == Set(q.keys) && p.keys.allSatisfy { same(p[$0], q[$0]) }
            case let (p as String, q as String): return p == q
            case (is NSNull, is NSNull): return true
            default: return false
            }
        }
        for id in left.keys where !except.contains(id) {
            #expect(same(left[id], right[id]), "\(context): \(id) differs: \(String(describing: left[id]).prefix(200)) vs \(String(describing: right[id]).prefix(200))")
        }
    }

    @Test("the SaaS dataset exported to CSV audits to the same metrics, data tests and verdicts as the database")
    func saasAsCSV() throws {
        let database = try #require(AuditTests.saas)
        let directory = try BinaryRunner.scratch()
        try Self.exportCSV(database, to: directory.appendingPathComponent("csv"))
        let fromDatabase = try BinaryRunner.run(["audit", database.path, "--out", "a", "--quiet"], in: directory)
        let fromCSV = try BinaryRunner.run(["audit", "csv", "--out", "b", "--quiet"], in: directory)
        #expect(fromDatabase.status == 0, "\(fromDatabase.stderr)")
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        let a = try Self.report(directory.appendingPathComponent("a")), b = try Self.report(directory.appendingPathComponent("b"))
        #expect(b["profile"] as? String == "saas", "a folder of day06_*.csv is detected as saas")
        // database.size_bytes describes the SQLite file, which the CSV folder does not have.
        Self.expectSameMetrics(a, b, except: ["database.size_bytes"], "SQLite vs CSV")
        func tests(_ report: [String: Any]) -> [String] {
            (report["integrity"] as? [[String: Any]] ?? []).map { "\($0["test"]!)|\($0["column"]!)|\($0["failures"]!)" }
        }
        #expect(tests(a) == tests(b))
        // The band on database.size_bytes is inconclusive without a database file.
        func verdicts(_ report: [String: Any]) -> [String] {
            (report["checks"] as? [[String: Any]] ?? []).filter { $0["id"] as? String != "database.size_bytes" }.map { "\($0["id"]!)=\($0["status"]!)" }
        }
        #expect(verdicts(a) == verdicts(b))
    }

    /// Loads every CSV file of `folder` into a table of a new SQLite database, every column TEXT,
    /// an empty unquoted field as NULL (what a plain `.import` into typed-later tables gives).
    static func loadSQLite(_ folder: URL, into database: URL) throws {
        let db = try SQLiteConnection(path: database.path, mode: .create)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".csv") {
            let reader = try CSVReader(path: folder.appendingPathComponent(file).path)
            let table = String(file.dropLast(4))
            try db.execute("CREATE TABLE \(SQLiteConnection.quoted(table)) (\(reader.header.map { SQLiteConnection.quoted($0) + " TEXT" }.joined(separator: ", ")))")
            let insert = try db.prepare("INSERT INTO \(SQLiteConnection.quoted(table)) VALUES (\(reader.header.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))")
            try db.transaction {
                try reader.forEachRow { row in
                    try insert.execute((0..<row.count).map { row.isNull($0) ? .null : .text(row.string($0)) })
                }
            }
        }
    }

    @Test("the creator dataset loaded into SQLite audits to the same metrics, data tests and verdicts as its CSV folder")
    func creatorsAsSQLite() throws {
        let run = try #require(GenerateCreatorsTests.defaultRun)
        let directory = try BinaryRunner.scratch()
        try Self.loadSQLite(run.directory, into: directory.appendingPathComponent("creators.db"))
        try FileManager.default.copyItem(at: run.directory.appendingPathComponent("anomalies.json"), to: directory.appendingPathComponent("anomalies.json"))
        let fromCSV = try BinaryRunner.run(["audit", run.directory.path, "--out", "a", "--quiet"], in: directory)
        let fromDatabase = try BinaryRunner.run(["audit", "creators.db", "--out", "b", "--quiet"], in: directory)
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        #expect(fromDatabase.status == 0, "\(fromDatabase.stderr)")
        let a = try Self.report(directory.appendingPathComponent("a")), b = try Self.report(directory.appendingPathComponent("b"))
        #expect(b["profile"] as? String == "creators", "a database with the creators tables is detected as creators")
        Self.expectSameMetrics(a, b, except: [], "CSV vs SQLite")
        func tests(_ report: [String: Any]) -> [String] {
            (report["integrity"] as? [[String: Any]] ?? []).map { "\($0["test"]!)|\(($0["table"] as? String ?? "").replacingOccurrences(of: ".csv", with: ""))|\($0["column"]!)|\($0["failures"]!)" }
        }
        #expect(tests(a) == tests(b))
        func verdicts(_ report: [String: Any]) -> [String] { (report["checks"] as? [[String: Any]] ?? []).map { "\($0["id"]!)=\($0["status"]!)" } }
        #expect(verdicts(a) == verdicts(b))
        func injected(_ report: [String: Any]) -> [String] {
            ((report["anomalies"] as? [String: Any])?["injected"] as? [[String: Any]] ?? []).map { "\($0["id"]!)=\($0["detected"]!)" }
        }
        #expect(injected(a) == injected(b) && injected(a).count == 5)
    }

    /// The figures of SPEC section 9 that the measure families define for every dataset.
    static let sharedCreatorsMetrics = [
        "mrr.series", "mrr.growth", "churn.monthly", "churn.monthly.mean", "churn.hazard.m1", "churn.hazard.m2_3",
        "churn.hazard.m4_12", "churn.hazard.m13_plus", "churn.reason.voluntary", "churn.reason.payment_failed",
        "churn.reason.creator_removed", "retention.km", "retention.km.m1", "retention.km.m3", "retention.km.m6",
        "retention.km.m12", "retention.cohorts", "payments.failure_rate", "payments.recovered_7d", "payments.success_rate",
        "payments.card_expiry_ratio", "billing.day1_3_share", "seasonality.q4_lift", "seasonality.jan_lift",
        "seasonality.summer_lift", "seasonality.strength_daily", "revenue.top10_share", "revenue.top1_share",
        "revenue.top20_share", "revenue.gini", "revenue.powerlaw.alpha", "revenue.powerlaw.xmin", "revenue.powerlaw.n_tail",
        "revenue.powerlaw.ks_distance", "revenue.powerlaw.lr_lognormal", "revenue.powerlaw.p_lognormal",
        "engagement.no_engagement_churn_ratio", "engagement.engaged_share", "mrr.movements.new", "mrr.movements.churn",
        "revenue.nrr.trailing12", "revenue.grr.trailing12", "retention.pooled.k12",
    ]

    @Test("the creators mapping on the measure families (engine: families) gives the streamed engine's SPEC section 9 figures")
    func creatorsOnFamilies() throws {
        let run = try #require(GenerateCreatorsTests.defaultRun)
        let directory = try BinaryRunner.scratch()
        try Data("name: creators-on-families\nextends: creators\nengine: families\n".utf8)
            .write(to: directory.appendingPathComponent("families.yaml"))
        let engine = try BinaryRunner.run(["audit", run.directory.path, "--out", "a", "--quiet"], in: directory)
        let families = try BinaryRunner.run(["audit", run.directory.path, "--profile", "families.yaml", "--out", "b", "--quiet"], in: directory)
        #expect(engine.status == 0, "\(engine.stderr)")
        #expect(families.status == 0, "\(families.stderr)")
        let a = try Self.report(directory.appendingPathComponent("a")), b = try Self.report(directory.appendingPathComponent("b"))
        let left = a["metrics"] as? [String: Any] ?? [:], right = b["metrics"] as? [String: Any] ?? [:]
        // Every metric both report is the same figure; the shared ones at least are in both.
        let common = Set(left.keys).intersection(right.keys)
        #expect(Set(Self.sharedCreatorsMetrics).isSubset(of: common), "missing: \(Set(Self.sharedCreatorsMetrics).subtracting(common).sorted())")
        let engineValues = left.filter { common.contains($0.key) }, familyValues = right.filter { common.contains($0.key) }
        Self.expectSameMetrics(["metrics": engineValues], ["metrics": familyValues], except: [], "engine vs families")
    }

    @Test("a mix of sources in one audit: subscriptions from a SQL query on the database, customers from a CSV file")
    func mixedSources() throws {
        let database = try #require(AuditTests.saas)
        let directory = try BinaryRunner.scratch()
        try Self.exportCSV(database, to: directory.appendingPathComponent("csv"))
        // Only the customers as CSV; the subscriptions through a query on the database, renamed on the way.
        let profile = try BinaryRunner.run(["profile", "show", "saas"]).stdout
        var mapping = profile.replacingOccurrences(of: "name: saas", with: "name: mixed\nprofile: saas")
            .replacingOccurrences(of: "    from: day06_customers", with: "    from: day06_customers.csv")
            .replacingOccurrences(of: "    from: day06_subscriptions\n", with: """
                    query: SELECT subscription_id AS id, customer_id AS who, start_date, end_date, mrr * 100 AS cents, plan_tier FROM day06_subscriptions

                """)
        mapping = mapping.replacingOccurrences(of: "      id: subscription_id\n      subscriber: customer_id", with: "      id: id\n      subscriber: who")
            .replacingOccurrences(of: "      amount: mrr\n", with: "      amount: {column: cents, unit: cents}\n")
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("mixed.yaml"))
        let check = try BinaryRunner.run(["profile", "check", "mixed.yaml"], in: directory)
        #expect(check.status == 0, "\(check.stderr)")
        let mixed = try BinaryRunner.run(["audit", database.path, "csv/day06_customers.csv", "--profile", "mixed.yaml", "--out", "m", "--quiet"],
                                         in: directory)
        let whole = try BinaryRunner.run(["audit", database.path, "--out", "w", "--quiet"], in: directory)
        #expect(mixed.status == 0 || mixed.status == 1, "\(mixed.stderr)")
        #expect(whole.status == 0, "\(whole.stderr)")
        let a = try Self.report(directory.appendingPathComponent("w")), b = try Self.report(directory.appendingPathComponent("m"))
        Self.expectSameMetrics(a, b, except: [], "one database vs database query + CSV")
        let inputs = (b["inputs"] as? [[String: Any]] ?? []).map { "\($0["kind"]!)" }
        #expect(inputs.contains("csv") && inputs.contains("sqlite table"))
    }

    /// The oracle's figures for one example.
    static func oracle(_ example: String) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BinaryRunner.packageRoot.appendingPathComponent("scripts/check/example_metrics.py").path, example,
                             BinaryRunner.packageRoot.appendingPathComponent("examples/\(example)").path]
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the DuckDB oracle failed (it needs `pip install duckdb`, which `make` does): \(message)")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (json["metrics"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    @Test("each foreign-shaped example audits through its mapping to the figures DuckDB recomputes", arguments: [
        ("single-subscriptions", 0 as Int32), ("accounts-churn-events", 0 as Int32), ("stripe-like", 0 as Int32),
    ])
    func example(_ example: String, _ status: Int32) throws {
        let directory = try BinaryRunner.scratch()
        let root = BinaryRunner.packageRoot.appendingPathComponent("examples/\(example)")
        let outcome = try BinaryRunner.run(["audit", root.path, "--profile", root.appendingPathComponent("mapping.yaml").path, "--out", "r", "--quiet"],
                                           in: directory)
        #expect(outcome.status == status, "\(outcome.stderr)")
        let report = try Self.report(directory.appendingPathComponent("r"))
        let metrics = report["metrics"] as? [String: Any] ?? [:]
        let expected = try Self.oracle(example)
        #expect(expected.count >= 8)
        for (id, value) in expected {
            let ours = ((metrics[id] as? [String: Any])?["value"] as? NSNumber)?.doubleValue
            #expect(ours.map { abs($0 - value) <= 1e-9 * max(1, abs(value)) } ?? false, "\(example): \(id) = \(String(describing: ours)), DuckDB \(value)")
        }
        #expect((report["definitions"] as? [String: String])?["churn"]?.isEmpty == false, "the report states its churn definition")
        // The slice scan reads the example's daily series and, on data without incidents, finds none.
        let anomalies = report["anomalies"] as? [String: Any] ?? [:]
        #expect(((anomalies["scan"] as? [String: Any])?["tests"] as? Int ?? 0) > 1_000, "\(example): \(String(describing: anomalies["scan"]))")
        #expect((anomalies["incidents"] as? [Any])?.isEmpty == true, "\(example): \(String(describing: anomalies["incidents"]))")
        if example == "stripe-like" {
            // The prices dimension: its attributes split the series, each reference is tested.
            let series = ((report["anomalies"] as? [String: Any])?["series"] as? [[String: Any]]) ?? []
            let dimensions = Set(series.flatMap { $0["dimensions"] as? [String] ?? [] })
            #expect(dimensions.isSuperset(of: ["prices.product", "prices.interval", "segment", "price"]), "\(dimensions)")
            let tests = (report["integrity"] as? [[String: Any]] ?? []).map { "\($0["test"]!)|\($0["table"]!)|\($0["column"]!)" }
            #expect(tests.contains("relationships|subscriptions.csv|plan_id"))
        }
    }

    @Test("an account whose subscriptions stay open churns at its churn event, not never")
    func churnEventsMatter() throws {
        let directory = try BinaryRunner.scratch()
        let root = BinaryRunner.packageRoot.appendingPathComponent("examples/accounts-churn-events")
        let mapping = try String(contentsOf: root.appendingPathComponent("mapping.yaml"), encoding: .utf8)
        // The same data read with the default definition (no open subscription): nothing ever churns.
        try Data(mapping.replacingOccurrences(of: "definition: churn_events", with: "definition: no_open_subscription").utf8)
            .write(to: directory.appendingPathComponent("open.yaml"))
        #expect(try BinaryRunner.run(["audit", root.path, "--profile", "open.yaml", "--out", "open", "--quiet"], in: directory).status == 0)
        #expect(try BinaryRunner.run(["audit", root.path, "--profile", root.appendingPathComponent("mapping.yaml").path, "--out", "events", "--quiet"],
                                     in: directory).status == 0)
        func value(_ report: [String: Any], _ id: String) -> Double? {
            (((report["metrics"] as? [String: Any])?[id] as? [String: Any])?["value"] as? NSNumber)?.doubleValue
        }
        let open = try Self.report(directory.appendingPathComponent("open")), events = try Self.report(directory.appendingPathComponent("events"))
        #expect(value(open, "churn.monthly.mean") == 0)
        #expect(value(open, "retention.km.m12") == 1)
        #expect((value(events, "churn.monthly.mean") ?? 0) > 0.03)
        #expect((value(events, "retention.km.m12") ?? 1) < 0.6)
        #expect((value(events, "mrr.month24") ?? .infinity) < (value(open, "mrr.month24") ?? 0), "MRR stops at the churn event")
        #expect(value(events, "churn.reason.price") != nil)
    }

    @Test("churn.unit, monthly_numerator and pause_start change the figures as defined, on a dataset small enough to count by hand")
    func churnUnitsByHand() throws {
        let directory = try BinaryRunner.scratch()
        // a: two overlapping subscriptions (one life); b: ends in February; c: pauses on 10 March;
        // d: starts and ends in March.
        try Data("""
            id,customer,start,end,amount,reason,paused
            s1,a,2023-01-01,2023-03-15,10,voluntary,
            s2,a,2023-02-01,,20,,
            s3,b,2023-01-10,2023-02-20,30,payment_failed,
            s4,c,2023-01-05,,40,,2023-03-10
            s5,d,2023-03-02,2023-03-20,5,voluntary,

            """.utf8).write(to: directory.appendingPathComponent("subscriptions.csv"))
        func mapping(_ churn: String) -> String {
            """
            name: hand
            window: [2023-01, 2023-04]
            churn: {\(churn)}
            roles:
              subscriptions:
                from: subscriptions.csv
                fields: {id: id, subscriber: customer, start: start, end: end, amount: amount, churn_reason: reason, pause_start: paused}

            """
        }
        var reports: [String: [String: Any]] = [:]
        for (name, churn) in [("subscriber", "unit: subscriber"), ("subscription", "unit: subscription"),
                              ("endings", "unit: subscription, monthly_numerator: all_endings")] {
            try Data(mapping(churn).utf8).write(to: directory.appendingPathComponent("\(name).yaml"))
            let run = try BinaryRunner.run(["audit", "subscriptions.csv", "--profile", "\(name).yaml", "--out", name, "--quiet"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            reports[name] = try Self.report(directory.appendingPathComponent(name))
        }
        func value(_ name: String, _ id: String) -> Double? {
            (((reports[name]?["metrics"] as? [String: Any])?[id] as? [String: Any])?["value"] as? NSNumber)?.doubleValue
        }
        func near(_ x: Double?, _ y: Double) -> Bool { x.map { abs($0 - y) < 1e-9 } ?? false }
        // Subscribers: February 1 of 3 (b), March 0 of 2, April 0 of 2.
        #expect(near(value("subscriber", "churn.monthly.mean"), 1.0 / 9))
        // Subscriptions: February 1 of 3 (s3), March 1 of 3 (s1; s5 began in March), April 0 of 2.
        #expect(near(value("subscription", "churn.monthly.mean"), 2.0 / 9))
        // Every ending: March counts s5 too, 2 of 3.
        #expect(near(value("endings", "churn.monthly.mean"), 1.0 / 3))
        // MRR: end of January 10 + 30 + 40; end of April 20 (c paused, b and s1 ended).
        for name in reports.keys {
            #expect(near(value(name, "mrr.month1"), 80) && near(value(name, "mrr.month4"), 20) && near(value(name, "mrr.growth"), -0.75), "\(name)")
        }
        let statement = (reports["endings"]?["definitions"] as? [String: Any])?["churn"] as? String ?? ""
        #expect(statement.contains("a subscription churns"), "\(statement)")
    }

    @Test("a subscription referring to a price the prices dimension lacks fails relationships, with its key")
    func dimensionReference() throws {
        let directory = try BinaryRunner.scratch()
        let data = directory.appendingPathComponent("stripe")
        try FileManager.default.copyItem(at: BinaryRunner.packageRoot.appendingPathComponent("examples/stripe-like"), to: data)
        let file = data.appendingPathComponent("subscriptions.csv")
        var text = try String(contentsOf: file, encoding: .utf8)
        text += "sub_99999,cus_00001,active,1700000000,,1700000000,1702592000,,,price_gold_m,1000,month,1\n"
        try Data(text.utf8).write(to: file)
        let outcome = try BinaryRunner.run(["audit", "stripe", "--profile", "stripe/mapping.yaml", "--out", "r", "--quiet"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        let report = try Self.report(directory.appendingPathComponent("r"))
        let failing = (report["integrity"] as? [[String: Any]] ?? []).filter { ($0["failures"] as? Int ?? 0) > 0 }
        #expect(failing.contains { $0["test"] as? String == "relationships" && $0["column"] as? String == "plan_id"
            && ($0["sample_keys"] as? [String]) == ["sub_99999"] }, "\(failing)")
        // An undeclared dimension is a mapping error with its line.
        let mapping = try String(contentsOf: data.appendingPathComponent("mapping.yaml"), encoding: .utf8)
        try Data(mapping.replacingOccurrences(of: "dimension: prices}", with: "dimension: pricez}").utf8).write(to: directory.appendingPathComponent("m.yaml"))
        let check = try BinaryRunner.run(["profile", "check", "m.yaml"], in: directory)
        #expect(check.status == 65)
        #expect(check.stderr.contains("dimension 'pricez' (did you mean 'prices'?) is not declared"), "\(check.stderr)")
    }

    @Test("the shipped mappings follow the mapping JSON Schema")
    func schema() throws {
        let root = BinaryRunner.packageRoot
        let files = ["profiles/saas.yaml", "profiles/creators.yaml", "examples/single-subscriptions/mapping.yaml",
                     "examples/accounts-churn-events/mapping.yaml", "examples/stripe-like/mapping.yaml",
                     "examples/signalpilot-profile.yaml"].map { root.appendingPathComponent($0).path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/check/validate_mapping.py").path] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // And the binary accepts each of them.
        for file in files {
            let check = try BinaryRunner.run(["profile", "check", file])
            #expect(check.status == 0, "\(file): \(check.stderr)")
        }
    }

    @Test("a mapping's problems: every line at once from `profile check`, the first from audit, exit 65")
    func badMapping() throws {
        let directory = try BinaryRunner.scratch()
        try Data("name: x\nroles:\n  subscriptions:\n    from: s.csv\n    fields: {subscriber: a, start: b, ammount: c}\n".utf8)
            .write(to: directory.appendingPathComponent("m.yaml"))
        let check = try BinaryRunner.run(["profile", "check", "m.yaml"], in: directory)
        #expect(check.status == 65, "\(check.stderr)")
        #expect(check.stdout.contains("m.yaml:5: unknown field 'ammount' of subscriptions (did you mean 'amount'?)") ||
                check.stderr.contains("m.yaml:5: unknown field 'ammount' of subscriptions (did you mean 'amount'?)"), "\(check.stdout)\(check.stderr)")
        let audit = try BinaryRunner.run(["audit", directory.path, "--profile", "m.yaml"], in: directory)
        #expect(audit.status == 65)
        #expect(audit.stderr.hasPrefix("synthaudit: m.yaml:"))
        let good = try BinaryRunner.run(["profile", "check", BinaryRunner.packageRoot.appendingPathComponent("examples/accounts-churn-events/mapping.yaml").path])
        #expect(good.status == 0, "\(good.stderr)")
    }
}
