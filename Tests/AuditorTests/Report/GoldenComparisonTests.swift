import Foundation
import Testing
@testable import Auditor

@Suite("golden comparison")
struct GoldenComparisonTests {
    static func compare(_ golden: String, _ current: String) throws -> [String] {
        try GoldenComparison.compare(golden: Data(golden.utf8), current: Data(current.utf8)).map(\.description)
    }

    @Test("numbers within tolerance are equal; statuses, additions and removals are drift")
    func drift() throws {
        let golden = """
            {"metrics": {"a.b": {"value": 0.5, "n": 10}, "gone": {"value": 1, "n": 1}},
             "checks": [{"id": "x", "status": "pass"}, {"id": "y", "status": "pass"}]}
            """
        let current = """
            {"metrics": {"a.b": {"value": 0.5000000001, "n": 10}, "new": {"value": 2, "n": 1}},
             "checks": [{"id": "y", "status": "fail"}, {"id": "x", "status": "pass"}]}
            """
        #expect(try Self.compare(golden, current) == [
            "changed  checks[y]/status: \"pass\" -> \"fail\"",
            "removed  metrics/gone/n (was 1)",
            "removed  metrics/gone/value (was 1)",
            "added    metrics/new/n = 1",
            "added    metrics/new/value = 2",
        ])
        #expect(try Self.compare(golden, golden).isEmpty)
        let moved = try Self.compare("{\"v\": 100.0}", "{\"v\": 100.01}")
        #expect(moved.count == 1 && moved[0].hasPrefix("changed  v: 100") && moved[0].hasSuffix("-> 100.01"))
    }
}
