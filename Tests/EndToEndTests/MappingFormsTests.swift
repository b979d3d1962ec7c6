import Foundation
import Testing

/// The same mapping written another way (CRLF line ends, a byte-order mark, flow style) is the
/// same mapping: `profile check` accepts it and the audit gives the same report.
@Suite("mapping forms (end to end)")
struct MappingFormsTests {
    static let example = BinaryRunner.packageRoot.appendingPathComponent("examples/single-subscriptions")

    static func audit(_ mapping: String, in directory: URL, name: String) throws -> (BinaryRunner.Outcome, BinaryRunner.Outcome, Data?) {
        let file = directory.appendingPathComponent(name + ".yaml")
        try Data(mapping.utf8).write(to: file)
        let check = try BinaryRunner.run(["profile", "check", file.path], limit: 60)
        let out = directory.appendingPathComponent(name)
        let audit = try BinaryRunner.run(["audit", example.appendingPathComponent("subscriptions.csv").path, "--profile", file.path,
                                          "--out", out.path, "--quiet"], limit: 120)
        return (check, audit, try? Data(contentsOf: out.appendingPathComponent("report.json")))
    }

    @Test("CRLF line ends, a byte-order mark and flow style audit like the plain mapping")
    func equivalentForms() throws {
        let directory = try BinaryRunner.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try String(contentsOf: Self.example.appendingPathComponent("mapping.yaml"), encoding: .utf8)
        let (_, reference, referenceReport) = try Self.audit(plain, in: directory, name: "plain")
        #expect([0, 1].contains(reference.status), "\(reference.stderr)")
        let referenceJSON = try #require(referenceReport.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        let flow = """
            {name: single-subscriptions, subject: customers, window: [2023-01, 2024-06], plans: [Basic, Team, Business],
             roles: {subscriptions: {from: subscriptions.csv, fields: {subscriber: customer,
               start: {column: started, format: "%m/%d/%Y"}, end: {column: ended, format: "%m/%d/%Y"},
               amount: monthly_amount, plan: plan}}}}
            """
        let forms = ["crlf": plain.replacingOccurrences(of: "\n", with: "\r\n"), "bom": "\u{FEFF}" + plain, "flow": flow]
        for (name, text) in forms.sorted(by: { $0.key < $1.key }) {
            let (check, audit, report) = try Self.audit(text, in: directory, name: name)
            #expect(check.status == 0, "\(name): profile check: \(check.stderr)")
            #expect(audit.status == reference.status, "\(name): \(audit.stderr)")
            let json = try #require(report.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }, "\(name): no report")
            #expect(NSDictionary(dictionary: json["metrics"] as? [String: Any] ?? [:]).isEqual(to: referenceJSON["metrics"] as? [String: Any] ?? [:]),
                    "\(name): metrics differ")
            #expect((json["integrity"] as? [Any])?.count == (referenceJSON["integrity"] as? [Any])?.count, "\(name)")
        }
    }

    @Test("profile check refuses what the audit would refuse of the file itself, and accepts the older rename map the audit accepts")
    func checkAgreesWithAudit() throws {
        let directory = try BinaryRunner.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stripe = try String(contentsOf: BinaryRunner.packageRoot.appendingPathComponent("examples/stripe-like/mapping.yaml"), encoding: .utf8)
        let engine = directory.appendingPathComponent("engine.yaml")
        try Data(("engine: creators\n" + stripe).utf8).write(to: engine)
        let check = try BinaryRunner.run(["profile", "check", engine.path], limit: 60)
        #expect(check.status == 65, "\(check.stderr)")
        #expect(check.errorLines.count == 1 && check.stderr.contains("engine.yaml:") && check.stderr.contains("declared tests"), "\(check.stderr)")
        let renameMap = directory.appendingPathComponent("old.yaml")
        try Data("profile: creators\nname: old\nfiles: {creators: makers.csv}\n".utf8).write(to: renameMap)
        let old = try BinaryRunner.run(["profile", "check", renameMap.path], limit: 60)
        #expect(old.status == 0, "\(old.stderr)")
    }

    @Test("a mapping listing 60,000 plans is refused at once with its line, not measured for hours")
    func tooManyPlans() throws {
        let directory = try BinaryRunner.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plans = (0..<60_000).map { "p\($0)" }.joined(separator: ", ")
        let text = "name: x\nplans: [\(plans)]\nroles:\n  subscriptions:\n    from: subscriptions.csv\n"
            + "    fields: {subscriber: customer, start: started, end: ended, amount: monthly_amount}\n"
        let file = directory.appendingPathComponent("plans.yaml")
        try Data(text.utf8).write(to: file)
        for arguments in [["profile", "check", file.path],
                          ["audit", Self.example.appendingPathComponent("subscriptions.csv").path, "--profile", file.path, "--quiet"]] {
            let outcome = try BinaryRunner.run(arguments, limit: 20)
            #expect(!outcome.timedOut && outcome.status == 65, "\(arguments[0]): \(outcome.stderr)")
            #expect(outcome.stderr.contains("plans.yaml:2:") && outcome.stderr.contains("at most 500"), "\(outcome.stderr)")
        }
    }

    @Test("an argument that is not UTF-8 is a usage error, never an output under another name")
    func nonUTF8Argument() throws {
        let directory = try BinaryRunner.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Foundation's Process takes Strings: the bytes go through a shell's printf.
        let outcome = try BinaryRunner.run(["generate", "saas", "--out", "x.db", "--quiet"], in: directory)
        #expect(outcome.status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$0\" generate saas --out \"$(printf 'a\\377.db')\" --quiet", BinaryRunner.binary.path]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 64, "\(stderr)")
        #expect(stderr.hasPrefix("synthaudit: argument 4 is not UTF-8 text"), "\(stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["x.db"], "\(names)")
    }
}

