import Foundation
import Testing

/// Values a mapping reads and cannot use: each is counted by a data test that fails, the same
/// cell gives the same answer read as a plain column or through an expression, and no figure is
/// computed from a value that is not finite.
@Suite("hostile values (end to end)")
struct HostileValuesTests {
    static let example = BinaryRunner.packageRoot.appendingPathComponent("examples/single-subscriptions")

    /// A copy of the single-subscriptions example with `cells` written into `monthly_amount` of
    /// its first data rows, and its mapping with `amount` read as `amount`.
    static func dataset(cells: [String], amount: String) throws -> URL {
        let directory = try BinaryRunner.scratch()
        let text = try String(contentsOf: example.appendingPathComponent("subscriptions.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, cell) in cells.enumerated() {
            var fields = lines[index + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[4] = cell.contains(",") ? "\"\(cell)\"" : cell
            lines[index + 1] = fields.joined(separator: ",")
        }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("subscriptions.csv"), atomically: true, encoding: .utf8)
        let mapping = try String(contentsOf: example.appendingPathComponent("mapping.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "amount: monthly_amount", with: "amount: \(amount)")
        try mapping.write(to: directory.appendingPathComponent("mapping.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    static func audit(_ directory: URL) throws -> (BinaryRunner.Outcome, [String: Any]) {
        let out = directory.appendingPathComponent("report")
        let outcome = try BinaryRunner.run(["audit", directory.appendingPathComponent("subscriptions.csv").path,
                                            "--profile", directory.appendingPathComponent("mapping.yaml").path,
                                            "--out", out.path, "--quiet"], limit: 120)
        let data = try Data(contentsOf: out.appendingPathComponent("report.json"))
        return (outcome, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    static func finding(_ report: [String: Any], _ test: String, column: String) -> [String: Any]? {
        (report["integrity"] as? [[String: Any]])?.first { $0["test"] as? String == test && $0["column"] as? String == column }
    }

    /// Every number anywhere in the report is finite (JSON has no NaN, but a writer could print one).
    static func expectFinite(_ value: Any, _ path: String = "") {
        switch value {
        case let number as NSNumber: #expect(number.doubleValue.isFinite, "\(path) is not finite")
        case let list as [Any]: for (index, item) in list.enumerated() { expectFinite(item, "\(path)[\(index)]") }
        case let object as [String: Any]: for (key, item) in object { expectFinite(item, "\(path)/\(key)") }
        default: break
        }
    }

    // (libcsv trims the spaces around an unquoted field, so " 12.5" in a CSV file is 12.5 either way.)
    static let hostile = ["0x1A", "$10", "1,000.00", "1_000", "NaN", "inf", "1e309", "-inf"]

    @Test("amounts that are not numbers fail valid_number with their count, read plainly or through an expression, alike")
    func unusableAmounts() throws {
        var failures: [String: Int] = [:]
        for amount in ["monthly_amount", "\"monthly_amount * 1\"", "\"abs(monthly_amount)\""] {
            let directory = try Self.dataset(cells: Self.hostile, amount: amount)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (outcome, report) = try Self.audit(directory)
            #expect(outcome.status == 1, "\(amount): \(outcome.stderr)")
            let found = try #require(Self.finding(report, "valid_number", column: "monthly_amount"), "\(amount): no valid_number test")
            failures[amount] = found["failures"] as? Int
            #expect(found["failures"] as? Int == Self.hostile.count, "\(amount): \(found)")
            #expect((found["sample_keys"] as? [String])?.count == 5)
            // Not counted twice as missing.
            #expect(Self.finding(report, "not_null", column: "monthly_amount")?["failures"] as? Int == 0, "\(amount)")
            Self.expectFinite(report["metrics"] ?? [:], "metrics")
        }
        #expect(Set(failures.values).count == 1, "\(failures)")
    }

    @Test("a clean amount column has a passing valid_number test, and an empty cell is missing, not invalid")
    func cleanAndEmpty() throws {
        for amount in ["monthly_amount", "\"monthly_amount * 1\""] {
            let directory = try Self.dataset(cells: ["", ""], amount: amount)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (_, report) = try Self.audit(directory)
            #expect(Self.finding(report, "valid_number", column: "monthly_amount")?["failures"] as? Int == 0, "\(amount)")
            #expect(Self.finding(report, "not_null", column: "monthly_amount")?["failures"] as? Int == 2, "\(amount)")
        }
    }

    @Test("an expression whose result is not finite is counted, and no MRR figure is made from it")
    func nonFiniteExpressions() throws {
        for amount in ["\"1e400\"", "\"2e308 / 2e308\"", "\"monthly_amount * 1e308 * 1e308\""] {
            let directory = try Self.dataset(cells: [], amount: amount)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (outcome, report) = try Self.audit(directory)
            #expect(outcome.status == 1, "\(amount): \(outcome.stderr)")
            let found = try #require(Self.finding(report, "valid_number", column: "monthly_amount") ?? Self.finding(report, "valid_number", column: "amount"),
                                     "\(amount): \(String(describing: report["integrity"]).prefix(400))")
            #expect(found["failures"] as? Int == 280, "\(amount): \(found)")
            let metrics = report["metrics"] as? [String: Any] ?? [:]
            #expect(metrics["mrr.linear_r2"] == nil, "\(amount): an all-zero MRR series has no R²")
            Self.expectFinite(metrics, "metrics")
        }
    }

    @Test("control bytes in ids and values are escaped in report.md as in report.json")
    func controlBytesInMarkdown() throws {
        let directory = try Self.dataset(cells: [], amount: "monthly_amount")
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("subscriptions.csv")
        var text = try String(contentsOf: csv, encoding: .utf8)
        // A column name with ESC (it names the plan field's data tests) and a value with BEL and DEL.
        text = text.replacingOccurrences(of: "customer,plan,", with: "customer,pl\u{1B}[31man,")
            .replacingOccurrences(of: "C0001,Business", with: "C0001,Busi\u{07}ness\u{7F}")
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let mapping = directory.appendingPathComponent("mapping.yaml")
        try (try String(contentsOf: mapping, encoding: .utf8)).replacingOccurrences(of: "plan: plan", with: "plan: \"`pl\\e[31man`\"")
            .write(to: mapping, atomically: true, encoding: .utf8)
        let (outcome, _) = try Self.audit(directory)
        #expect([0, 1].contains(outcome.status), "\(outcome.stderr)")
        let markdown = try Data(contentsOf: directory.appendingPathComponent("report/report.md"))
        let controls = markdown.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
        #expect(controls.isEmpty, "report.md holds control bytes \(Set(controls).sorted())")
        #expect(String(decoding: markdown, as: UTF8.self).contains("pl\\x1b[31man"), "the column's name is in the report, escaped")
    }
}
