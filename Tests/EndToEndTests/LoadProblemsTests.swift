import Foundation
import Testing

/// The data tests for problems of loading rather than of rows: a day loaded twice
/// (`duplicate_payments`) and a day not loaded (`no_missing_days`), on the streamed creators
/// engine and on the measure families (a mapped Stripe-like export).
@Suite("load problems: duplicated and missing days (end to end)", .serialized)
struct LoadProblemsTests {
    static func findings(_ folder: URL) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var result: [String: [String: Any]] = [:]
        for entry in report["integrity"] as? [[String: Any]] ?? [] {
            result["\(entry["test"]!)|\(entry["table"]!)"] = entry
        }
        return result
    }

    static func lines(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func write(_ lines: [String], to file: URL) throws {
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    @Test("creators: one day's transactions appended again under new ids fail duplicate_payments once per succeeded payment; a day removed from both large files fails no_missing_days with that date; the clean copy passes both")
    func creators() throws {
        let directory = try BinaryRunner.scratch()
        #expect(try BinaryRunner.run(["generate", "creators", "--scale", "0.2", "--out", "d", "--quiet"], in: directory).status == 0)
        let base = directory.appendingPathComponent("d")
        try FileManager.default.removeItem(at: base.appendingPathComponent("anomalies.json"))
        #expect(try BinaryRunner.run(["audit", "d", "--out", "clean", "--quiet"], in: directory).status == 0)
        let clean = try Self.findings(directory.appendingPathComponent("clean"))
        for key in ["duplicate_payments|transactions", "no_missing_days|transactions", "no_missing_days|engagement_events"] {
            #expect(clean[key]?["failures"] as? Int == 0, "\(key): \(String(describing: clean[key]))")
        }

        let transactions = base.appendingPathComponent("transactions.csv")
        var rows = try Self.lines(transactions)
        if rows.last == "" { rows.removeLast() }
        // 2024-03-01: a billing day loaded twice; 2024-05-14: a quiet mid-month day not loaded at all.
        let doubled = rows.filter { $0.contains(",2024-03-01 ") }
        let succeeded = doubled.filter { $0.contains(",pledge_payment,succeeded,") }.count
        #expect(succeeded > 100)
        var next = rows.count
        let copies = doubled.map { row -> String in
            var fields = row.components(separatedBy: ",")
            next += 1
            fields[0] = "tx_9" + String(next)
            return fields.joined(separator: ",")
        }
        rows = rows.filter { !$0.contains(",2024-05-14 ") } + copies
        try Self.write(rows + [""], to: transactions)
        let events = base.appendingPathComponent("engagement_events.csv")
        try Self.write(try Self.lines(events).filter { !$0.contains(",2024-05-14 ") }, to: events)

        let outcome = try BinaryRunner.run(["audit", "d", "--out", "broken", "--quiet"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        let broken = try Self.findings(directory.appendingPathComponent("broken"))
        #expect(broken["duplicate_payments|transactions"]?["failures"] as? Int == succeeded)
        let keys = broken["duplicate_payments|transactions"]?["sample_keys"] as? [String] ?? []
        #expect(keys.count == 5 && keys.allSatisfy { $0.hasPrefix("pl_") && $0.contains(" at 2024-03-01 ") }, "\(keys)")
        for table in ["transactions", "engagement_events"] {
            #expect(broken["no_missing_days|\(table)"]?["failures"] as? Int == 1)
            #expect(broken["no_missing_days|\(table)"]?["sample_keys"] as? [String] == ["2024-05-14"])
        }
    }

    @Test("a mapped export (Stripe-like invoices in cents, epoch seconds): an invoice repeated under a new id fails duplicate_payments with its key; a retried invoice after a failed one does not")
    func mapped() throws {
        let directory = try BinaryRunner.scratch()
        let source = BinaryRunner.packageRoot.appendingPathComponent("examples/stripe-like")
        let copy = directory.appendingPathComponent("stripe")
        try FileManager.default.copyItem(at: source, to: copy)
        let invoices = copy.appendingPathComponent("invoices.csv")
        var rows = try Self.lines(invoices)
        if rows.last == "" { rows.removeLast() }
        let paid = try #require(rows.dropFirst().first { $0.hasSuffix(",paid") })
        var fields = paid.components(separatedBy: ",")
        let time = try #require(Int(fields[3]))
        // The same invoice again 40 minutes later under a new id: a replayed charge.
        fields[0] = "in_dup001"
        fields[3] = String(time + 2_400)
        rows.append(fields.joined(separator: ","))
        // Another subscription's failed invoice and its paid retry an hour later: not a duplicate.
        let other = try #require(rows.dropFirst().first { $0.hasSuffix(",paid") && !$0.contains("," + paid.components(separatedBy: ",")[2] + ",") })
        var failed = other.components(separatedBy: ",")
        let otherTime = try #require(Int(failed[3]))
        failed[0] = "in_fail001"
        failed[3] = String(otherTime - 3_600)
        failed[6] = "uncollectible"
        rows.append(failed.joined(separator: ","))
        try Self.write(rows + [""], to: invoices)
        let outcome = try BinaryRunner.run(["audit", copy.path, "--profile", copy.appendingPathComponent("mapping.yaml").path,
                                            "--out", "r", "--quiet"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        let found = try Self.findings(directory.appendingPathComponent("r"))
        let entry = found["duplicate_payments|invoices.csv"]
        #expect(entry?["failures"] as? Int == 1, "\(String(describing: entry))")
        #expect(entry?["sample_keys"] as? [String] == ["in_dup001"])
        #expect(entry?["column"] as? String == "subscription, amount_due, created")
        #expect(found["no_missing_days|invoices.csv"] != nil && found["no_missing_days|events.csv"] != nil)
    }
}
