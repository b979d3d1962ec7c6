import Foundation
import Testing

/// The anomaly analysis of `synthaudit audit`: the five injected anomalies of the default dataset
/// scored against `anomalies.json`, and an outage of the test's own found blind.
@Suite("anomalies (end to end)", .serialized)
struct AnomalyTests {
    static func anomalies(_ report: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: report.appendingPathComponent("report.json"))) as? [String: Any]
        return try #require(object?["anomalies"] as? [String: Any])
    }

    @Test("the default dataset: all five injected anomalies detected, their root cause ranked first, none obvious; answered in report.md with charts")
    func injected() throws {
        let dataset = try #require(AuditCreatorsTests.dataset)
        let out = try BinaryRunner.scratch().appendingPathComponent("report")
        let audit = try BinaryRunner.run(["audit", dataset.path, "--out", out.path, "--quiet"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let anomalies = try Self.anomalies(out)
        #expect(anomalies["ground_truth"] as? String == "anomalies.json")
        let injected = try #require(anomalies["injected"] as? [[String: Any]])
        let expected = ["viral_spike": "platform_mrr_monthly", "payment_outage": "daily_payment_failure_rate",
                        "holiday_churn": "monthly_churn_rate", "creator_exodus": "platform_mrr_monthly",
                        "category_collapse": "category_mrr_monthly:games"]
        #expect(Set(injected.compactMap { $0["id"] as? String }) == Set(expected.keys))
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for entry in injected {
            let id = try #require(entry["id"] as? String)
            #expect(entry["series"] as? String == expected[id], "\(id)")
            #expect(entry["detected"] as? Bool == true, "\(id) not detected")
            #expect(entry["obvious"] as? Bool == false, "\(id) is obvious")
            let z = try #require(entry["z"] as? Double)
            #expect(abs(z) >= 3.5 && abs(z) <= 15, "\(id): z \(z)")
            let cause = try #require(entry["root_cause"] as? [String: Any])
            #expect(cause["rank"] as? Int == 1, "\(id): root cause rank \(String(describing: cause["rank"]))")
            #expect((cause["share"] as? Double ?? 0) > 0.5, "\(id): share \(String(describing: cause["share"]))")
            let answer = try #require(entry["answer"] as? String)
            #expect(answer.contains("rank 1 of"), "\(id): \(answer)")
            #expect(markdown.contains("### \(id): "), "\(id) has no section")
            #expect(markdown.contains(answer), "\(id)'s answer is not in report.md")
            let series = try #require(entry["series"] as? String)
            let chart = out.appendingPathComponent("chart-anomaly-" + series.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined() + ".svg")
            let svg = try String(contentsOf: chart, encoding: .utf8)
            #expect(svg.contains("<circle"), "\(chart.lastPathComponent) marks no flagged point")
        }
        // Without being told, the platform series show the same events.
        let found = try #require(anomalies["found"] as? [[String: Any]])
        func finds(_ series: String, _ start: String, _ dimension: String, _ value: String) -> Bool {
            found.contains { entry in
                let window = entry["window"] as? [String] ?? []
                let cause = entry["root_cause"] as? [String: Any]
                return entry["series"] as? String == series && window.first.map { $0 <= start } == true
                    && window.last.map { $0 >= start } == true
                    && cause?["dimension"] as? String == dimension && cause?["value"] as? String == value
            }
        }
        #expect(finds("daily_payment_failure_rate", "2024-02-14", "failure_reason", "processor_unavailable"))
        #expect(finds("monthly_churn_rate", "2024-01", "churn_reason", "voluntary"))
        #expect(finds("monthly_churn_rate", "2024-05", "churn_reason", "creator_removed"))
        #expect(finds("new_pledges_monthly", "2023-08", "category", "education") || finds("new_pledges_monthly", "2023-08", "creator_id", "cr_0151"))
        let strengths = found.compactMap { ($0["z"] as? Double).map(abs) }
        #expect(strengths == strengths.sorted(by: >), "found is not strongest first")
        // The slice scan (README): the exodus's three creators first, each once with its endings
        // and its missing payments, then the viral creator; the February outage among 18.
        let incidents = try #require(anomalies["incidents"] as? [[String: Any]])
        func cause(_ incident: [String: Any]) -> [String: String] {
            (incident["root_cause"] as? [String: Any])?["conditions"] as? [String: String] ?? [:]
        }
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: dataset.appendingPathComponent("anomalies.json"))) as? [String: Any]
        let exodus = (truth?["anomalies"] as? [[String: Any]])?.first { $0["id"] as? String == "creator_exodus" }
        let departing = Set(try #require((exodus?["entities"] as? [String: Any])?["creator_id"] as? [String]))
        #expect(departing.count == 3)
        #expect(incidents.count == 18, "\(incidents.count) incidents")
        #expect(Set(incidents.prefix(3).compactMap { cause($0)["creator_id"] }) == departing, "\(incidents.prefix(3).map(cause))")
        for incident in incidents.prefix(3) {
            #expect((incident["series"] as? [String])?.first == "daily_pledge_churn_rate", "\(incident)")
        }
        #expect(incidents.count > 3 && cause(incidents[3]) == ["creator_id": "cr_0151"], "\(incidents.map(cause))")
        #expect(incidents.contains { ($0["window"] as? [String]) == ["2024-02-14", "2024-02-16"] && ($0["series"] as? [String]) == ["daily_payment_failure_rate"] })
        // The months: January's holiday churn and September's collapse of the games category.
        #expect(incidents.contains { ($0["window"] as? [String]) == ["2024-01-01", "2024-01-31"] && ($0["series"] as? [String]) == ["daily_pledge_churn_rate"] })
        #expect(incidents.contains { ($0["window"] as? [String]) == ["2024-09-01", "2024-09-30"] && cause($0) == ["category": "games"] })
        #expect(markdown.contains("### Incidents (slice scan)"))
        // Each incident one entry of report.md: its heading with the cause, its answer, its chart
        // (the cause's slice around the window, its discovered days marked).
        for (index, incident) in incidents.enumerated() {
            let rank = index + 1
            let window = incident["window"] as? [String] ?? []
            #expect(markdown.contains("#### Incident \(rank): \(window.first ?? "") .. \(window.last ?? "")"), "incident \(rank)")
            #expect(markdown.contains((incident["answer"] as? String ?? "?") + "."), "incident \(rank)'s answer")
            #expect(markdown.contains("![incident \(rank)](chart-incident-\(rank).svg)"), "incident \(rank)'s chart")
            let svg = try String(contentsOf: out.appendingPathComponent("chart-incident-\(rank).svg"), encoding: .utf8)
            #expect(svg.contains("<circle") && svg.contains("Incident \(rank): "), "chart-incident-\(rank).svg")
        }
    }

    @Test("a copy without anomalies.json and with an outage of the test's own: found blind, its failure reason first")
    func blindOutage() throws {
        let dataset = try #require(AuditCreatorsTests.dataset)
        let directory = try BinaryRunner.scratch()
        let copy = directory.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: dataset, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("anomalies.json"))
        // 2024-10-08 .. 10: two of every five succeeded payments fail with a reason the generator never writes.
        let file = copy.appendingPathComponent("transactions.csv")
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        var changed = 0
        for index in lines.indices {
            let line = lines[index]
            guard line.contains(",2024-10-08 ") || line.contains(",2024-10-09 ") || line.contains(",2024-10-10 ") else { continue }
            var fields = line.components(separatedBy: ",")
            guard fields.count == 13, fields[4] == "pledge_payment", fields[5] == "succeeded", index % 5 < 2 else { continue }
            fields[5] = "failed"
            fields[7] = "0.00"
            fields[8] = "0.00"
            fields[9] = "0.00"
            fields[11] = "gateway_timeout"
            lines[index] = fields.joined(separator: ",")
            changed += 1
        }
        #expect(changed >= 20)
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("report")
        let audit = try BinaryRunner.run(["audit", copy.path, "--out", out.path, "--quiet"])
        #expect(audit.status == 0 || audit.status == 1, "\(audit.stderr)")
        let anomalies = try Self.anomalies(out)
        #expect((anomalies["injected"] as? [Any])?.isEmpty == true)
        #expect(anomalies["ground_truth"] is NSNull)
        let found = try #require(anomalies["found"] as? [[String: Any]])
        let outage = found.first { entry in
            let window = entry["window"] as? [String] ?? []
            return entry["series"] as? String == "daily_payment_failure_rate" && window.first.map { $0 <= "2024-10-09" } == true
                && window.last.map { $0 >= "2024-10-09" } == true
        }
        let entry = try #require(outage, "the outage of 2024-10-08 .. 10 was not found")
        let cause = try #require(entry["root_cause"] as? [String: Any])
        #expect(cause["dimension"] as? String == "failure_reason")
        #expect(cause["value"] as? String == "gateway_timeout")
        #expect((cause["share"] as? Double ?? 0) > 0.8)
        #expect((entry["z"] as? Double ?? 0) >= 3.5)
    }
}
