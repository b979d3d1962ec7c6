import Foundation
import Testing

/// `--fail-on warn|inconclusive` (and `--strict`, the same as `--fail-on warn`): a status that
/// fails the run only because an option says so is named with that option, even with `--quiet`.
@Suite("--fail-on (end to end)")
struct FailOnTests {
    @Test("the default dataset (1 warn, 9 inconclusive) passes by default and fails under --strict, --fail-on warn or inconclusive, saying why")
    func failOn() throws {
        let database = try #require(AuditTests.saas).path
        let plain = try BinaryRunner.run(["audit", database, "--quiet"], limit: 120)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.isEmpty)
        let cases: [([String], String)] = [
            (["--strict"], "synthaudit: exit 1: 1 warn and --strict counts a warning as a failure"),
            (["--fail-on", "warn"], "synthaudit: exit 1: 1 warn and --fail-on warn counts a warning as a failure"),
            (["--fail-on", "inconclusive"], "synthaudit: exit 1: 9 inconclusive and --fail-on inconclusive counts that as a failure"),
            (["--fail-on", "warn", "--fail-on", "inconclusive"],
             "synthaudit: exit 1: 1 warn and --fail-on warn counts a warning as a failure; 9 inconclusive and --fail-on inconclusive counts that as a failure"),
        ]
        for (options, reason) in cases {
            let outcome = try BinaryRunner.run(["audit", database, "--quiet"] + options, limit: 120)
            #expect(outcome.status == 1, "\(options): \(outcome.stderr)")
            #expect(outcome.errorLines == [reason], "\(options): \(outcome.stderr)")
        }
        let failOnFail = try BinaryRunner.run(["audit", database, "--quiet", "--fail-on", "fail"], limit: 120)
        #expect(failOnFail.status == 0, "\(failOnFail.stderr)")
        let bogus = try BinaryRunner.run(["audit", database, "--fail-on", "sometimes"], limit: 60)
        #expect(bogus.status == 64 && bogus.errorLines.count == 1 && bogus.stderr.contains("'warn', 'inconclusive' or 'fail'"), "\(bogus.stderr)")
    }
}
