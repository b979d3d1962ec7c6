import Foundation
import Testing

/// The short run of the hostile-input campaign (`scripts/fuzz/fuzz.py`, Documentation/fuzzing.md):
/// about a minute of mutated CSV folders, damaged databases, special files, bad YAML and golden
/// reports, kills, races, odd output targets and arguments, hostile mappings (expressions, YAML,
/// SQL queries, odd key values) and hostile cells in the examples' typed fields against the built
/// binary, every case checked against the exit-code, one-line-error and consent contract (and
/// nothing written outside the output target, no control bytes in report.md, no bad value passed
/// silently). The families run round robin, so every one of them gets cases within the minute.
/// The long run is the same script with a larger budget.
@Suite("fuzz campaign, short run (end to end)", .serialized)
struct FuzzCampaignTests {
    @Test("a one-minute fuzz campaign finds no crash, hang, undocumented exit, bad message or unconsented output")
    func shortCampaign() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BinaryRunner.packageRoot.appendingPathComponent("scripts/fuzz/fuzz.py").path,
                             "--bin", BinaryRunner.binary.path, "--budget", "60", "--seed", "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(printed.suffix(4000))")
        let summary = printed.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasSuffix(" passed, 0 failed"), "\(summary)")
        let passed = Int(summary.prefix { $0.isNumber }) ?? 0
        #expect(passed >= 200, "only \(passed) cases ran: \(summary)")
        // Every family, the hostile mappings and values included, ran cases (`FAMILY  CASES ...`).
        for family in ["csv", "sqlite", "special", "yaml", "golden", "kills", "concurrency", "output", "argv", "mapping", "values"] {
            let row = printed.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == family }
            let cases = row.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
            #expect(cases > 0, "no \(family) case ran within the budget")
        }
    }
}
