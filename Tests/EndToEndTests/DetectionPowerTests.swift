import Foundation
import Testing

/// The detection-power harness (scripts/check/detection_power.py) on a small corpus: one seed,
/// each incident kind at full effect in mid-month late in the window, and one clean copy. The
/// full table (three seeds, four effects, four placements) is in Documentation/anomalies.md.
@Suite("detection power (end to end)")
struct DetectionPowerTests {
    @Test("each incident kind at full effect: the baseline finds at least four of five, the auditor finds the day loaded twice first (its data test) and the churn wave in its top 5, and reports no more findings on clean data than the baseline")
    func smallCorpus() throws {
        let directory = try BinaryRunner.scratch()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BinaryRunner.packageRoot.appendingPathComponent("scripts/check/detection_power.py").path,
                             "--bin", BinaryRunner.binary.path, "--seeds", "1", "--clean-seeds", "1", "--effects", "1.0",
                             "--placements", "mid-late", "--work", directory.appendingPathComponent("work").path,
                             "--json", directory.appendingPathComponent("power.json").path]
        let error = Pipe()
        process.standardOutput = Pipe()
        process.standardError = error
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the harness failed (it needs numpy, scipy and duckdb, which `make` installs): \(message)")
        let data = try Data(contentsOf: directory.appendingPathComponent("power.json"))
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let incidents = try #require(result["incidents"] as? [[String: Any]])
        var byKind: [String: [String: Any]] = [:]
        for incident in incidents { byKind[incident["kind"] as! String] = incident }
        #expect(Set(byKind.keys) == ["outage", "missing_revenue", "churn_wave", "engagement", "duplicate_load"])
        for incident in incidents { #expect((incident["changed"] as? Int ?? 0) > 0, "\(incident)") }
        #expect(incidents.filter { $0["baseline"] is Int }.count >= 4, "\(incidents)")
        #expect(byKind["duplicate_load"]?["auditor"] as? Int == 1, "\(String(describing: byKind["duplicate_load"]))")
        #expect((byKind["churn_wave"]?["auditor"] as? Int).map { $0 <= 5 } == true, "\(String(describing: byKind["churn_wave"]))")
        let clean = try #require((result["clean"] as? [[String: Any]])?.first)
        #expect((clean["auditor"] as? Int ?? .max) <= (clean["baseline"] as? Int ?? 0), "\(clean)")
    }
}
