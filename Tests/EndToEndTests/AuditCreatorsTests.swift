import Foundation
import Testing

/// `synthaudit audit` on folders of CSV files: the default creator-economy dataset (against the
/// DuckDB oracle and the golden report), the third-party export, and broken files.
@Suite("audit creators (end to end)", .serialized)
struct AuditCreatorsTests {
    /// The default dataset, generated afresh under its default name.
    static let dataset: URL? = {
        guard let directory = try? BinaryRunner.scratch(),
              let outcome = try? BinaryRunner.run(["generate", "creators", "--quiet"], in: directory),
              outcome.status == 0 else { return nil }
        return directory.appendingPathComponent("data/creators")
    }()

    static func metrics(_ data: Data) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["metrics"] as? [String: Any])
    }

    @Test("the default dataset: no band fails (seasonal lifts on 24 months and the top 10% share of 500 creators are inconclusive), the golden report holds (the golden gate)")
    func goldenGate() throws {
        let dataset = try #require(Self.dataset)
        let golden = BinaryRunner.packageRoot.appendingPathComponent("golden/creators").path
        let outcome = try BinaryRunner.run(["audit", "data/creators", "--golden", golden],
                                           in: dataset.deletingLastPathComponent().deletingLastPathComponent())
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("28 pass, 3 warn, 0 fail, 4 inconclusive; 0 of 63 integrity tests failing"))
    }

    @Test("every metric equals the DuckDB oracle's to 1e-9 (independent SQL from SPEC section 9)")
    func agreesWithOracle() throws {
        let dataset = try #require(Self.dataset)
        let out = try BinaryRunner.scratch().appendingPathComponent("report")
        let audit = try BinaryRunner.run(["audit", dataset.path, "--out", out.path, "--quiet"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let ours = try Self.metrics(Data(contentsOf: out.appendingPathComponent("report.json")))
        let measured = try GenerateCreatorsTests.measure(dataset)
        var compared = 0
        for (id, reference) in measured.metrics where !id.hasPrefix("integrity.") {
            let entry = try #require(ours[id] as? [String: Any], "the audit lacks \(id)")
            switch reference.value {
            case .number(let expected):
                let value = try #require(entry["value"] as? Double, "\(id) has no number")
                #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(id): audit \(value), oracle \(expected)")
            case .text(let expected):
                #expect(entry["value"] as? String == expected, "\(id)")
            }
            compared += 1
        }
        #expect(compared >= 27)
    }

    @Test("the third-party export (no transactions.csv) is audited: findings, skipped measures, exit 1")
    func thirdParty() throws {
        let path = BinaryRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/thirdparty/signalpilot").path
        try #require(FileManager.default.fileExists(atPath: path), "the third-party export is missing at \(path)")
        let outcome = try BinaryRunner.run(["audit", path])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("transactions.csv is missing"))
        #expect(outcome.stdout.contains("| no_future_timestamps | pledges |"))
        #expect(outcome.stdout.contains("inconclusive (not measured)"))
    }

    @Test("a broken CSV stops the audit with file, line and column (65); a missing file is 66")
    func brokenFiles() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "small", "--quiet"], in: directory).status == 0)
        let pledges = directory.appendingPathComponent("small/pledges.csv")
        let pristine = try Data(contentsOf: pledges)
        var lines = String(decoding: pristine, as: UTF8.self).components(separatedBy: "\n")
        lines[5] = lines[5].components(separatedBy: ",").dropLast(2).joined(separator: ",")
        try lines.joined(separator: "\n").write(to: pledges, atomically: true, encoding: .utf8)
        let ragged = try BinaryRunner.run(["audit", "small"], in: directory)
        #expect(ragged.status == 65)
        #expect(ragged.stderr == "synthaudit: ragged row in 'pledges.csv' at line 6, column 10: expected 11 fields, found 9\n")
        try pristine.write(to: pledges)

        // Every other structural fault of SPEC section 5, one at a time, in posts.csv.
        let posts = directory.appendingPathComponent("small/posts.csv")
        let original = try Data(contentsOf: posts)
        let header = String(String(decoding: original, as: UTF8.self).prefix { $0 != "\n" })
        let row = { (field: [UInt8]) -> Data in
            Data((header + "\npo_1,cr_1,").utf8) + Data(field) + Data(",text,public,,2023-05-01 00:00:00,false\n".utf8)
        }
        let cases: [(Data, String)] = [
            (row(Array("\"unterminated".utf8)), "unterminated quote in 'posts.csv' at line 2, column 3"),
            (row(Array("t".utf8) + [0]), "NUL byte in 'posts.csv' at line 2, column 3"),
            (row([0xFF, 0xFE]), "invalid UTF-8 in 'posts.csv' at line 2, column 3"),
            (row(Array("a\"b".utf8)), "malformed quoted field in 'posts.csv' at line 2, column 3"),
            (Data(), "empty file 'posts.csv': expected a header row"),
            (Data((header + "\n").utf8), "no data rows in 'posts.csv': only a header"),
            (Data("post_id,creator_id\npo_1,cr_1\n".utf8), "bad header in 'posts.csv': missing column 'published_at'"),
        ]
        for (content, message) in cases {
            try content.write(to: posts)
            let outcome = try BinaryRunner.run(["audit", "small"], in: directory)
            #expect(outcome.status == 65, "\(message): \(outcome.stderr)")
            #expect(outcome.stderr == "synthaudit: \(message)\n")
        }
        // A byte-order mark and CRLF line ends are accepted.
        let crlf = Data([0xEF, 0xBB, 0xBF]) + Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        try crlf.write(to: posts)
        let accepted = try BinaryRunner.run(["audit", "small", "--quiet"], in: directory)
        #expect(accepted.status == 0 || accepted.status == 1, "\(accepted.stderr)")
        #expect(!accepted.stderr.contains("posts.csv"))

        try FileManager.default.removeItem(at: pledges)
        let missing = try BinaryRunner.run(["audit", "small"], in: directory)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no such file 'small/pledges.csv'"))
    }
}

@Suite("audit with a mapping profile (end to end)")
struct AuditMappingTests {
    @Test("the third-party export, mapped: its own window, its values translated, findings reported")
    func mapped() throws {
        let root = BinaryRunner.packageRoot
        let data = root.deletingLastPathComponent().appendingPathComponent("shared/thirdparty/signalpilot").path
        try #require(FileManager.default.fileExists(atPath: data), "the third-party export is missing at \(data)")
        let outcome = try BinaryRunner.run(["audit", data, "--profile", root.appendingPathComponent("examples/signalpilot-profile.yaml").path,
                                            "--bands", root.appendingPathComponent("bands/creators.yaml").path])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("# Audit report: creators (mapping: signalpilot)"))
        #expect(outcome.stdout.contains("as of 2025-12-31 23:59:59"))
        #expect(outcome.stdout.contains("| no_future_timestamps | pledges | started_at, ended_at | 85 |"))
        // The value maps translate their sets: no accepted_values failures remain.
        #expect(!outcome.stdout.contains("| accepted_values |"))
        let unmapped = try BinaryRunner.run(["audit", data, "--bands", root.appendingPathComponent("bands/creators.yaml").path])
        #expect(unmapped.stdout.contains("| accepted_values | pledges | pledge_status |"))
        let bad = try BinaryRunner.run(["audit", data, "--profile", "/nonexistent.yaml"])
        #expect(bad.status == 66)
    }
}

@Suite("creators data tests on damaged files (end to end)")
struct AuditCreatorsDamageTests {
    /// Replaces field `column` of data row `row` (1-based, after the header) of `file`.
    static func edit(_ file: URL, row: Int, column: Int, to value: String) throws -> String {
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        var fields = lines[row].components(separatedBy: ",")
        fields[column] = value
        lines[row] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        return fields[0]
    }

    @Test("each kind of damage fails its data test, naming the row's key")
    func damage() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "d", "--quiet"], in: directory).status == 0)
        let base = directory.appendingPathComponent("d")
        let payment = try Self.edit(base.appendingPathComponent("transactions.csv"), row: 3, column: 6, to: "777.77")
        let event = try Self.edit(base.appendingPathComponent("engagement_events.csv"), row: 2, column: 5, to: "2019-06-01 00:00:00")
        let patron = try Self.edit(base.appendingPathComponent("patrons.csv"), row: 4, column: 6, to: "-1.00")
        let pledge = try Self.edit(base.appendingPathComponent("pledges.csv"), row: 5, column: 4, to: "0.00")
        let badDate = try Self.edit(base.appendingPathComponent("posts.csv"), row: 2, column: 6, to: "2024-13-45 99:00:00")
        let emptyStart = try Self.edit(base.appendingPathComponent("pledges.csv"), row: 7, column: 7, to: "")
        let badRank = try Self.edit(base.appendingPathComponent("tiers.csv"), row: 2, column: 3, to: "9")
        let outcome = try BinaryRunner.run(["audit", "d"], in: directory)
        #expect(outcome.status == 1)
        let lines = outcome.stdout.components(separatedBy: "\n")
        func failing(_ test: String, _ table: String, _ key: String) -> Bool {
            lines.contains { $0.hasPrefix("| \(test) | \(table) |") && $0.contains("`\(key)`") }
        }
        #expect(failing("payment_amount_is_a_tier_price", "transactions", payment))
        #expect(failing("fees_by_plan", "transactions", payment))
        #expect(failing("engagement_while_pledged", "engagement_events", event))
        #expect(failing("positive_amounts", "patrons", patron))
        #expect(failing("lifetime_spend", "patrons", patron))
        #expect(failing("positive_amounts", "pledges", pledge))
        // A value that cannot be read is a failing row, not a stop.
        #expect(failing("valid_timestamp", "posts", badDate))
        #expect(failing("not_null", "pledges", emptyStart))
        #expect(failing("range", "tiers", badRank))
    }
}

@Suite("creators audit with missing columns (end to end)")
struct AuditMissingColumnsTests {
    /// Drops column `name` from a CSV file (no quoted commas in the generated files' affected rows).
    static func drop(_ name: String, from file: URL) throws {
        let rows = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        guard let index = rows[0].components(separatedBy: ",").firstIndex(of: name) else { return }
        let kept = rows.map { line -> String in
            guard !line.isEmpty else { return line }
            var fields = line.components(separatedBy: ",")
            if index < fields.count { fields.remove(at: index) }
            return fields.joined(separator: ",")
        }
        try kept.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    @Test("a missing column skips only what reads it; the report lists it")
    func missingColumns() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "creators", "--scale", "0.05", "--out", "m", "--quiet"], in: directory).status == 0)
        let base = directory.appendingPathComponent("m")
        try Self.drop("churn_reason", from: base.appendingPathComponent("pledges.csv"))
        try Self.drop("failure_reason", from: base.appendingPathComponent("transactions.csv"))
        try Self.drop("lifetime_spend_usd", from: base.appendingPathComponent("patrons.csv"))
        let outcome = try BinaryRunner.run(["audit", "m", "--out", "r", "--quiet"], in: directory)
        #expect(outcome.status == 0 || outcome.status == 1, "\(outcome.stderr)")
        let markdown = try String(contentsOf: directory.appendingPathComponent("r/report.md"), encoding: .utf8)
        #expect(markdown.contains("missing column pledges.churn_reason"))
        #expect(markdown.contains("missing column transactions.failure_reason"))
        #expect(markdown.contains("data test lifetime_spend on patrons.lifetime_spend_usd: missing column patrons.lifetime_spend_usd"))
        #expect(markdown.contains("[churn.reason.voluntary]") && markdown.contains("inconclusive (not measured)"))
        #expect(markdown.contains("[churn.hazard.m1]"))
        #expect(!markdown.contains("| lifetime_spend |"))
    }
}
