import Foundation
import Testing
import Datasets
import TableIO
@testable import Auditor

@Suite("mapping profiles")
struct MappingProfileTests {
    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "profile-\(UUID().uuidString).yaml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("window, files, columns and value maps")
    func valid() throws {
        let profile = try MappingProfile.load(path: try Self.write("""
            profile: creators
            name: theirs
            window: [2024-01, 2025-12]
            files: {transactions: payments.csv}
            columns:
              pledges: {started_at: start_ts}
            values:
              pledges.pledge_status: {cancelled: churned}
            """))
        #expect(profile.name == "theirs")
        #expect(profile.firstMonth == YearMonth(year: 2024, month: 1) && profile.lastMonth == YearMonth(year: 2025, month: 12))
        #expect(profile.file("transactions") == "payments.csv" && profile.file("pledges") == "pledges.csv")
        #expect(profile.column("pledges", "started_at") == "start_ts" && profile.column("pledges", "ended_at") == "ended_at")
        #expect(profile.value("pledges", "pledge_status", "cancelled") == "churned")
        #expect(profile.value("pledges", "pledge_status", "active") == "active")
        #expect(profile.mapsValues("pledges", "pledge_status") && !profile.mapsValues("pledges", "churn_reason"))
    }

    @Test("the shipped example for the third-party export extends the creators profile: its window and value maps, none of its rules")
    func example() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let mapping = try MappingLoader.load(path: root.appendingPathComponent("examples/signalpilot-profile.yaml").path)
        #expect(mapping.extends == "creators" && mapping.engine == "creators" && mapping.profile == "creators" && mapping.rules.isEmpty)
        let profile = try MappingProfile(engine: mapping)
        #expect(profile.name == "signalpilot" && profile.lastMonth == YearMonth(year: 2025, month: 12))
        #expect(profile.value("pledges", "pledge_status", "cancelled") == "churned")
        #expect(profile.value("posts", "access_level", "patron_only") == "patrons_only")
        #expect(profile.file("pledges") == "pledges.csv" && profile.column("pledges", "started_at") == "started_at")
        #expect(profile.rules.isEmpty)
        // The built-in profile applies every convention rule.
        let builtIn = try MappingProfile(engine: try #require(try BuiltInProfiles.mapping("creators")))
        #expect(Set(builtIn.rules) == Set(CreatorsAudit.conventionRules))
    }

    @Test("problems are reported with their lines")
    func problems() throws {
        #expect {
            try MappingProfile.load(path: try Self.write("""
                profile: saas
                window: [2025-12, 2024-01]
                files: {payments: p.csv}
                colour: blue
                values:
                  status: {a: b}
                """))
        } throws: { error in
            guard case BandsError.invalid(let problems)? = error as? BandsError else { return false }
            return problems.map(\.line) == [1, 2, 3, 4, 6]
        }
        #expect(throws: InputError(.missing, file: "/nonexistent.yaml")) { try MappingProfile.load(path: "/nonexistent.yaml") }
    }
}
