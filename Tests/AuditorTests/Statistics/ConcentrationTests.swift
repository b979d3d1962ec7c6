import Foundation
import Testing
@testable import Auditor

@Suite("concentration")
struct ConcentrationTests {
    @Test("Gini: 0 for equal values, (n-1)/n for one earner, nil for no revenue", arguments: [1, 2, 10, 500])
    func closedForms(n: Int) throws {
        #expect(try #require(Concentration.gini(Array(repeating: 7, count: n))) == 0)
        let single = try #require(Concentration.gini(Array(repeating: 0, count: n - 1) + [100]))
        #expect(abs(single - Double(n - 1) / Double(n)) < 1e-12)
        #expect(Concentration.gini(Array(repeating: 0, count: n)) == nil)
    }

    @Test("Gini equals the mean absolute difference over twice the mean, and ignores order and scale")
    func definition() throws {
        var state: UInt64 = 42
        for _ in 0..<50 {
            let values = (0..<(5 + Int(state % 60))).map { _ -> Int in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int(state >> 50)
            }
            guard let gini = Concentration.gini(values) else { continue }
            let n = Double(values.count)
            let mean = Double(values.reduce(0, +)) / n
            var differences = 0.0
            for a in values { for b in values { differences += abs(Double(a - b)) } }
            #expect(abs(gini - differences / (n * n) / (2 * mean)) < 1e-12)
            #expect(abs(gini - (Concentration.gini(values.reversed().map { $0 * 3 }) ?? -1)) < 1e-12)
        }
    }
}
