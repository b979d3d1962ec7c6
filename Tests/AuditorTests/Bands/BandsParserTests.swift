import Foundation
import Testing
import TableIO
@testable import Auditor

@Suite("bands files")
struct BandsParserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func parse(_ text: String) -> (BandsFile?, [String]) {
        let (file, diagnostics) = BandsParser.parse(text, path: "b.yaml")
        return (file, diagnostics.map(\.description))
    }

    @Test("the shipped bands files are valid and carry every target with its source", arguments: ["saas", "creators"])
    func shippedFiles(profile: String) throws {
        let file = try BandsLoader.load(path: Self.root.appendingPathComponent("bands/\(profile).yaml").path)
        #expect(file.profile == profile)
        #expect(file.bands.allSatisfy { !$0.source.isEmpty && $0.id == $0.metric })
        let warnOnly = file.bands.filter { $0.severity == .warn }.map(\.id)
        #expect(warnOnly == (profile == "saas" ? ["churn.monthly.mean"]
            : ["creators.emerging_under20_share", "size.patrons_500plus_share", "size.patrons_50plus_share"]))
        #expect(file.bands.filter { $0.severity == .warn }.allSatisfy { $0.note?.contains("onflict") == true })
        #expect(file.bands.count == (profile == "saas" ? 26 : 35))
    }

    @Test("targets: ranges, one-sided bounds, exact numbers, labels")
    func targets() throws {
        let (file, problems) = Self.parse("""
            profile: creators
            bands:
              - {id: a, metric: payments.success_rate, target: [0.90, 0.94], tolerance: [0.88, 0.96], min_n: 100, source: s}
              - {id: b, metric: payments.card_expiry_ratio, target: {min: 1.5}, source: s}
              - {id: c, metric: churn.hazard.m13_plus, target: {max: 0.04}, severity: warn, source: s, note: n}
              - {id: d, metric: engagement.top_category, target: video, source: s}
              - {id: e, metric: shape.pledges_per_creator, target: 50, source: s}
              - {id: f, metric: payments.card_expiry_ratio, target: [1.5, .inf], source: s}
            """)
        #expect(problems.isEmpty)
        let bands = try #require(file).bands
        #expect(bands.map(\.target) == [.range(lower: 0.9, upper: 0.94), .range(lower: 1.5, upper: .infinity),
                                        .range(lower: -.infinity, upper: 0.04), .label("video"), .range(lower: 50, upper: 50),
                                        .range(lower: 1.5, upper: .infinity)])
        #expect(bands[0].tolerance == .range(lower: 0.88, upper: 0.96) && bands[0].minimumN == 100)
        #expect(bands[2].severity == .warn && bands[2].note == "n")
        #expect(bands.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(bands.map(\.target.description) == ["0.9 .. 0.94", ">= 1.5", "<= 0.04", "= video", "= 50", ">= 1.5"])
    }

    @Test("every problem is reported with its line")
    func problems() {
        let (file, problems) = Self.parse("""
            profile: creators
            bands:
              - id: a
                metric: payments.success_rat
                target: [0.90, 0.94]
                source: s
              - id: b
                metric: payments.success_rate
                target: [0.94, 0.90]
                source: s
              - id: a
                metric: churn.hazard.m1
                target: [22, 28]
                source: s
              - id: c
                metric: payments.success_rate
                target: [0.90, 0.94]
                tolerance: [0.91, 0.95]
                severity: maybe
                min_n: -4
                colour: blue
              - id: d
                metric: engagement.top_category
                target: [1, 2]
                source: s
            """)
        #expect(file == nil)
        #expect(problems == [
            "b.yaml:4: unknown metric 'payments.success_rat' for profile 'creators'",
            "b.yaml:9: inverted band: target lower bound 0.94 is above its upper bound 0.9",
            "b.yaml:11: duplicate band id 'a' (first at line 3)",
            "b.yaml:13: target 22 .. 28 is outside [0, 1], but the metric is a share (write 0.62, not 62)",
            "b.yaml:15: band is missing 'source'",
            "b.yaml:18: tolerance 0.91 .. 0.95 does not contain the target 0.9 .. 0.94",
            "b.yaml:19: 'severity' must be 'fail' or 'warn'",
            "b.yaml:20: 'min_n' must be a non-negative integer",
            "b.yaml:21: unknown key 'colour' in a band (expected id, metric, min_n, note, severity, source, target, tolerance)",
            "b.yaml:24: the metric is a label: its target must be a word, not a number",
        ])
    }

    @Test("structure: YAML syntax, profile, bands list")
    func structure() {
        #expect(Self.parse("profile: saas\nbands: [\n").1.first?.hasPrefix("b.yaml:") == true)
        #expect(Self.parse("profile: saas\nbands: [\n").1.first?.contains("not valid YAML") == true)
        #expect(Self.parse("").1 == ["b.yaml:1: empty bands file: expected 'profile' and 'bands'"])
        #expect(Self.parse("profile: retail\nbands: []\n").1 == ["b.yaml:1: unknown profile 'retail' (expected one of saas, creators)"])
        #expect(Self.parse("profile: saas\n").1 == ["b.yaml:1: missing 'bands' (a list of bands)"])
        #expect(Self.parse("profile: saas\nbands: []\nextra: 1\n").1 == ["b.yaml:3: unknown key 'extra' (expected 'profile' and 'bands')"])
        #expect(Self.parse("- 1\n- 2\n").1 == ["b.yaml:1: expected a mapping with 'profile' and 'bands'"])
    }

    @Test("a missing file and a directory are told apart from a bad one")
    func loading() {
        #expect(throws: BandsError.missing(path: "/nonexistent.yaml")) { try BandsLoader.load(path: "/nonexistent.yaml") }
        #expect(BandsError.missing(path: "x").exitStatus == .noInput)
        #expect(BandsError.invalid([]).exitStatus == .dataError)
        #expect {
            try BandsLoader.load(path: NSTemporaryDirectory())
        } throws: { ($0 as? InputError)?.exitStatus == .noInput }
    }

    @Test("an alias bomb as a key of a bands file is refused at once, with its line; a BOM is ignored")
    func aliasBomb() {
        let bomb = "profile: saas\nx:\n  - &a0 [x, x, x, x, x, x, x, x, x]\n" + (1...9).map { level in
            "  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }.joined() + "bands:\n  - ? *a9\n    : x\n"
        let clock = ContinuousClock()
        var problems: [String] = []
        let elapsed = clock.measure { problems = Self.parse(bomb).1 }
        #expect(elapsed < .seconds(1), "\(elapsed)")
        #expect(problems == ["b.yaml:8: aliases expand to more than 100,000 nodes (at '*a4')"], "\(problems)")
        #expect(Self.parse("profile: saas\nbands:\n  - &k id\n  - {? *k : x}\n").1 == ["b.yaml:4: alias '*k' as a mapping key; write the key itself"])
        #expect(Self.parse("\u{FEFF}profile: saas\nbands: []\n").1 == [])
    }
}
