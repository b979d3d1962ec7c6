import Foundation
import Testing

/// Hostile mappings through the binary: an alias bomb and a mapping without its subscriptions
/// role are refused at load time, at once, with one line naming the file and the line.
@Suite("hostile mapping YAML")
struct HostileMappingYAMLTests {
    /// Nine anchors of nine aliases each (over 10^9 nodes expanded), the last used as a key of `roles`.
    static let bombAsKey = "name: bomb\ndetect:\n  - &a0 [x, x, x, x, x, x, x, x, x]\n" + (1...9).map { level in
        "  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
    }.joined() + "roles:\n  ? *a9\n  : {from: s.csv}\n"

    @Test("an alias bomb as a mapping key: profile check and audit exit 65 at once, one line with file and line")
    func aliasBomb() throws {
        let directory = try BinaryRunner.scratch()
        try Data(Self.bombAsKey.utf8).write(to: directory.appendingPathComponent("bomb.yaml"))
        try Data("subscriber,start,amount\na,2024-01-01,10\n".utf8).write(to: directory.appendingPathComponent("s.csv"))
        for arguments in [["profile", "check", "bomb.yaml"], ["audit", "s.csv", "--profile", "bomb.yaml", "--out", "r"]] {
            let start = Date()
            let outcome = try BinaryRunner.run(arguments, in: directory, limit: 20)
            #expect(!outcome.timedOut, "\(arguments)")
            #expect(Date().timeIntervalSince(start) < 5, "\(arguments)")
            #expect(outcome.status == 65, "\(arguments): \(outcome.stderr)")
            let lines = outcome.errorLines.filter { $0.hasPrefix("synthaudit:") || $0.hasPrefix("bomb.yaml:") }
            let named = outcome.errorLines.filter { $0.contains("bomb.yaml:") && $0.contains("aliases expand to more than") }
            #expect(named.count == 1, "\(arguments): \(outcome.stderr)")
            #expect(outcome.errorLines.filter { $0.hasPrefix("synthaudit:") }.count == 1, "\(arguments): \(outcome.stderr)")
            #expect(!lines.isEmpty)
        }
    }

    @Test("roles: {} is refused by profile check with its line, exit 65")
    func emptyRoles() throws {
        let directory = try BinaryRunner.scratch()
        try Data("name: x\nroles: {}\n".utf8).write(to: directory.appendingPathComponent("m.yaml"))
        let outcome = try BinaryRunner.run(["profile", "check", "m.yaml"], in: directory, limit: 20)
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("m.yaml:2: the subscriptions role is required"), "\(outcome.stderr)")
    }
}
