import Foundation
import Testing
@testable import Auditor

@Suite("band conflicts")
struct BandConflictsTests {
    static func file(_ profile: String, _ bands: String) throws -> BandsFile {
        let parsed = BandsParser.parse("profile: \(profile)\nbands:\n" + bands, path: "test.yaml")
        return try #require(parsed.file, "\(parsed.diagnostics)")
    }

    static func band(_ metric: String, _ target: String) -> String {
        "  - id: \(metric)\n    metric: \(metric)\n    target: \(target)\n    source: s\n"
    }

    @Test("the built-in bands prove the two known conflicts and no other")
    func builtIn() throws {
        let saas = try #require(BuiltInBands.text(for: "saas"))
        let saasConflicts = BandConflicts.prove(try #require(BandsParser.parse(saas.yaml, path: saas.path).file))
        #expect(saasConflicts.map(\.bands) == [["churn.monthly.mean", "retention.pooled.k12"], ["churn.monthly.mean", "retention.pooled.k23"]])
        let creators = try #require(BuiltInBands.text(for: "creators"))
        let creatorConflicts = BandConflicts.prove(try #require(BandsParser.parse(creators.yaml, path: creators.path).file))
        #expect(creatorConflicts.map(\.bands) == [["shape.pledges_per_creator", "size.patrons_500plus_share", "size.patrons_50plus_share"]])
    }

    @Test("churn against retention: a conflict exactly when the churn floor exceeds 1 - L^(1/k)")
    func churnBound() throws {
        // 1 - 0.5^(1/23) = 0.029687...
        let below = try Self.file("saas", Self.band("churn.monthly.mean", "[0.029, 0.08]") + Self.band("retention.pooled.k23", "[0.50, 0.55]"))
        #expect(BandConflicts.prove(below).isEmpty)
        let above = try Self.file("saas", Self.band("churn.monthly.mean", "[0.0297, 0.08]") + Self.band("retention.pooled.k23", "[0.50, 0.55]"))
        #expect(BandConflicts.prove(above).count == 1)
        // The bound is tight: equal hazards at the bound give exactly the retention floor.
        let hazard = 1 - Foundation.pow(0.5, 1.0 / 23)
        #expect(abs(Foundation.pow(1 - hazard, 23) - 0.5) < 1e-12)
    }

    @Test("size tiers against scale: the layer-cake bound 50 s50 + 450 s500")
    func sizeBound() throws {
        func conflicts(_ s50: String, _ s500: String, _ scale: String) throws -> Int {
            BandConflicts.prove(try Self.file("creators", Self.band("size.patrons_50plus_share", "{min: \(s50)}")
                + Self.band("size.patrons_500plus_share", "{min: \(s500)}") + Self.band("shape.pledges_per_creator", scale))).count
        }
        #expect(try conflicts("0.40", "0.10", "[45, 55]") == 1)   // needs 65
        #expect(try conflicts("0.40", "0.10", "[45, 65]") == 0)   // 65 is allowed
        #expect(try conflicts("0.40", "0.02", "[45, 55]") == 0)   // needs 29
        #expect(try conflicts("0.05", "0.10", "[45, 55]") == 0)   // 50+ share is at least the 500+ one: 50
    }
}
