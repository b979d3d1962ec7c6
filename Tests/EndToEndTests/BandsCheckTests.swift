import Foundation
import Testing

@Suite("bands check (end to end)")
struct BandsCheckTests {
    @Test("the shipped bands files are valid (exit 0)", arguments: ["saas", "creators"])
    func shipped(profile: String) throws {
        let outcome = try BinaryRunner.run(["bands", "check", BinaryRunner.packageRoot.appendingPathComponent("bands/\(profile).yaml").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("bands for profile '\(profile)', valid"))
        // The conflicts that follow from the targets alone are proved, with their numbers.
        if profile == "saas" {
            #expect(outcome.stdout.contains("2 conflicts proved from the targets alone:"))
            #expect(outcome.stdout.contains("churn.monthly.mean vs retention.pooled.k23: retention after 23 months of at least 50.00%"))
            #expect(outcome.stdout.contains("= 2.97%"))
        } else {
            #expect(outcome.stdout.contains("1 conflict proved from the targets alone:"))
            #expect(outcome.stdout.contains("pledges per creator are at least 50 × 0.40 + 450 × 0.10 = 65.0; the scale band allows at most 55.0"))
        }
    }

    @Test("problems are listed as FILE:LINE: message with exit 65; a missing file is exit 66")
    func problems() throws {
        let directory = try BinaryRunner.scratch()
        try Data("profile: saas\nbands:\n  - id: x\n    metric: mrr.month99\n    target: [2, 1]\n    source: s\n".utf8)
            .write(to: directory.appendingPathComponent("bad.yaml"))
        let bad = try BinaryRunner.run(["bands", "check", "bad.yaml"], in: directory)
        #expect(bad.status == 65)
        #expect(bad.stderr == """
            bad.yaml:4: unknown metric 'mrr.month99' for profile 'saas'
            bad.yaml:5: inverted band: target lower bound 2 is above its upper bound 1
            synthaudit: 2 problems in 'bad.yaml'

            """)
        let missing = try BinaryRunner.run(["bands", "check", "nope.yaml"], in: directory)
        #expect(missing.status == 66)
        #expect(missing.stderr == "synthaudit: no such bands file 'nope.yaml'\n")
        let usage = try BinaryRunner.run(["bands", "check"], in: directory)
        #expect(usage.status == 64)
    }
}
