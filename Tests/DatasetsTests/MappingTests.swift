import Foundation
import Testing
import TableIO
@testable import Datasets

@Suite("expressions of a mapping")
struct ExpressionTests {
    static func value(_ text: String, _ row: [String: ExpressionValue] = [:]) throws -> ExpressionValue {
        try Expression.parse(text).evaluate { row[$0] ?? .null }
    }

    @Test("arithmetic, comparisons, lists, nulls and functions follow SQL's rules")
    func evaluation() throws {
        #expect(try Self.value("arr_amount / 12", ["arr_amount": .text("1200")]) == .number(100))
        #expect(try Self.value("amount_cents * 0.01 + 1", ["amount_cents": .number(250)]) == .number(3.5))
        #expect(try Self.value("-x", ["x": .text("2")]) == .number(-2))
        #expect(try Self.value("a / 0", ["a": .number(1)]) == .null)
        #expect(try Self.value("is_trial != 'true'", ["is_trial": .text("false")]).isTrue)
        #expect(try !Self.value("is_trial != 'true'", ["is_trial": .text("true")]).isTrue)
        #expect(try !Self.value("is_trial != 'true'").isTrue, "a null compares to nothing: the row is not kept")
        #expect(try Self.value("status in ('active', 'past_due')", ["status": .text("past_due")]).isTrue)
        #expect(try Self.value("status not in ('active')", ["status": .text("past_due")]).isTrue)
        #expect(try Self.value("mrr > 0 and plan is not null", ["mrr": .text("5"), "plan": .text("x")]).isTrue)
        #expect(try Self.value("ended is null or ended > '2024-01-01'", [:]).isTrue)
        #expect(try Self.value("coalesce(ended_at, cancel_at)", ["cancel_at": .text("2024")]) == .text("2024"))
        #expect(try Self.value("lower(trim(plan))", ["plan": .text("  Pro ")]) == .text("pro"))
        #expect(try Self.value("round(x, 2)", ["x": .number(1.23456)]) == .number(1.23))
        #expect(try Self.value("`Monthly Amount` / 100", ["Monthly Amount": .text("990")]) == .number(9.9))
        #expect(try Self.value("not a = 1", ["a": .number(2)]).isTrue)
        #expect(try Self.value("round(x, -2)", ["x": .number(1_234)]) == .number(1_200))
        #expect(try Self.value("round(x, 1e999)", ["x": .number(1.5)]) == .invalid, "an infinite number of digits is a number the mapping cannot use, not a crash")
        // A 0/1 column (a SQLite integer) against a boolean word compares as booleans.
        #expect(try Self.value("is_trial != 'true'", ["is_trial": .number(0)]).isTrue)
        #expect(try !Self.value("is_trial != 'true'", ["is_trial": .number(1)]).isTrue)
        #expect(try Self.value("flag = false", ["flag": .text("no")]).isTrue)
        #expect(try Self.value("code != 'x'", ["code": .number(5)]).isTrue, "a number against other text compares as text")
        #expect(try Expression.parse("arr / 12 + fee").columns == ["arr", "fee"])
        #expect(try Expression.parse("customer_id").plainColumn == "customer_id")
    }

    @Test("a malformed expression says where it stops")
    func errors() {
        let cases: [(String, String)] = [("a +", "ends too early"), ("(a", "expected ')'"), ("'open", "unterminated"),
                                         ("a is 3", "expected 'null'"), ("f(a)", "unknown function 'f'"), ("a $ b", "unexpected character"),
                                         ("round()", "takes 1 to 2 arguments")]
        for (text, message) in cases {
            #expect(throws: ExpressionError.self, "\(text)") { try Expression.parse(text) }
            do { _ = try Expression.parse(text) } catch let error as ExpressionError {
                #expect(error.message.contains(message), "\(text): \(error.message)")
            } catch {}
        }
    }
}

@Suite("time formats of a mapping")
struct TimeFormatTests {
    static func seconds(_ format: String, _ text: String, zone: TimeZoneRule = .utc) -> Int64? {
        guard case .success(let parsed) = TimeFormat.parse(format) else { return nil }
        var copy = text
        return copy.withUTF8 { parsed.seconds($0, zone: zone) }
    }

    @Test("patterns, epochs, ISO forms and zones give UTC seconds")
    func reading() {
        let day = Int64(CivilDate(year: 2024, month: 3, day: 5).dayNumber) * 86_400
        #expect(Self.seconds("%d-%m-%Y", "05-03-2024") == day)
        #expect(Self.seconds("%m/%d/%Y", "3/5/2024") == day)
        #expect(Self.seconds("%m/%d/%Y %I:%M %p", "03/05/2024 02:30 PM") == day + 14 * 3_600 + 1_800)
        #expect(Self.seconds("%d %b %Y", "05 March 2024") == day)
        #expect(Self.seconds("%Y-%m-%dT%H:%M:%S%z", "2024-03-05T10:00:00+0200") == day + 8 * 3_600)
        #expect(Self.seconds("epoch_s", "1709596800") == day)
        #expect(Self.seconds("epoch_ms", "1709596800000") == day)
        #expect(Self.seconds("auto", "2024-03-05T10:00:00+02:00") == day + 8 * 3_600)
        #expect(Self.seconds("auto", "2024-03-05 10:00:00", zone: .fixed(3_600)) == day + 9 * 3_600)
        #expect(Self.seconds("auto", "2024-03-05 10:00:00", zone: TimeZoneRule.parse("Europe/Berlin")!) == day + 9 * 3_600)
        #expect(Self.seconds("auto", "2024-07-05 10:00:00", zone: TimeZoneRule.parse("Europe/Berlin")!)
                == Int64(CivilDate(year: 2024, month: 7, day: 5).dayNumber) * 86_400 + 8 * 3_600, "summer time")
        #expect(Self.seconds("date", "2024-03-05") == day)
        // A date without a time of day is that calendar day in any zone (not the day before in Berlin).
        #expect(Self.seconds("auto", "2024-03-05", zone: TimeZoneRule.parse("Europe/Berlin")!) == day)
        #expect(Self.seconds("%d-%m-%Y", "05-03-2024", zone: .fixed(3_600)) == day)
        #expect(Self.seconds("%d-%m-%Y %H:%M", "05-03-2024 10:00", zone: .fixed(3_600)) == day + 9 * 3_600)
        #expect(Self.seconds("date", "2024-03-05 00:00:00") == nil, "a date format takes a date only")
        #expect(Self.seconds("%d-%m-%Y", "31-02-2024") == nil)
        #expect(Self.seconds("%d-%m-%Y", "05-03-2024x") == nil)
        if case .failure(let error) = TimeFormat.parse("%Q") { #expect(error.message.contains("unknown directive")) } else { Issue.record("%Q accepted") }
        if case .failure = TimeFormat.parse("%H:%M") {} else { Issue.record("a format without a date accepted") }
    }
}

@Suite("mapping files")
struct MappingLoaderTests {
    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try MappingLoader.parse(yaml, path: "m.yaml")
            return []
        } catch let error as MappingError {
            if case .invalid(let list) = error { return list.map(\.description) }
            return [error.description]
        } catch {
            return ["\(error)"]
        }
    }

    @Test("every problem is reported with its line, with a suggestion for a misspelling")
    func validation() {
        let found = Self.problems("""
            name: x
            windw: [2024-01, 2024-12]
            churn: {definition: no_open, monthly_numerator: all, voluntary: [voluntary]}
            engine: roles
            roles:
              subscriptions:
                from: subs.csv
                fields:
                  subscriber: account
                  ammount: mrr
                  start: {column: started, format: "%Q"}
                filter: "is_trial = "
            tests:
              - {test: uniqe, role: subscriptions, field: id}
            """)
        let expected = ["m.yaml:2: unknown key 'windw'", "(did you mean 'window'?)", "m.yaml:3: unknown churn.definition 'no_open'",
                        "m.yaml:3: unknown churn.monthly_numerator 'all'; expected at_risk, all_endings", "m.yaml:4: unknown engine 'roles'",
                        "m.yaml:10: unknown field 'ammount' of subscriptions (did you mean 'amount'?)", "m.yaml:11:", "unknown directive '%Q'",
                        "m.yaml:12: filter 'is_trial = ': the expression ends too early", "m.yaml:14: unknown test 'uniqe' (did you mean 'unique'?)",
                        "lacks its required field amount"]
        for fragment in expected {
            #expect(found.contains { $0.contains(fragment) }, "\(fragment) not in \(found)")
        }
    }

    @Test("a mapping reads its fields, formats, value maps, filters, churn rule and tests")
    func reading() throws {
        let mapping = try MappingLoader.parse("""
            name: acme
            subject: accounts
            window: [2023-01, 2024-12]
            as_of: 2024-12-31
            timezone: Europe/Berlin
            churn: {definition: churn_events}
            plans: [Basic, {name: Pro, price: [10, 50]}]
            roles:
              subscribers: {from: accounts, fields: {id: account_id}}
              subscriptions:
                from: subs.csv
                filter: is_trial != 'true'
                fields:
                  subscriber: account_id
                  start: {column: started, format: "%d-%m-%Y"}
                  amount: {column: amount_cents, unit: cents}
                  plan: {column: plan, values: {basic: Basic}}
                attributes: {country: country}
              churn_events: {from: churn.csv, fields: {subscriber: account_id, time: churned_on}}
            tests:
              - {test: accepted_values, role: subscribers, field: id, values: [a], severity: warn}
            """, path: "m.yaml")
        #expect(mapping.subjectNoun == "accounts")
        #expect(mapping.window?.first == YearMonth(year: 2023, month: 1))
        #expect(mapping.asOf == Int64(CivilDate(year: 2024, month: 12, day: 31).dayNumber) * 86_400 + 86_399)
        #expect(mapping.timezone == .named("Europe/Berlin"))
        #expect(mapping.churn.rule == .churnEvents)
        #expect(mapping.plans == [Plan(name: "Basic"), Plan(name: "Pro", price: 10...50)])
        let subscriptions = try #require(mapping[.subscriptions])
        #expect(subscriptions.source == .table("subs.csv"))
        #expect(subscriptions.filterText == "is_trial != 'true'")
        #expect(subscriptions.fields["plan"]?.values == ["basic": "Basic"])
        #expect(subscriptions.fields["amount"]?.expression.evaluate { _ in .text("1999") } == .number(19.99))
        #expect(subscriptions.attributes.map(\.name) == ["country"])
        #expect(mapping.tests.first?.severity == .warn)
    }

    @Test("the built-in profiles are the files under profiles/ and parse")
    func builtIns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in BuiltInProfiles.names {
            let file = try String(contentsOf: root.appendingPathComponent("profiles/\(name).yaml"), encoding: .utf8)
            #expect(BuiltInProfiles.text(for: name)?.yaml == String(file.dropLast()), "run scripts/embed-profiles.sh")
            let mapping = try #require(try BuiltInProfiles.mapping(name))
            #expect(mapping.builtIn)
        }
        #expect(try BuiltInProfiles.detect(["day06_customers", "other"])?.name == "saas")
        #expect(try BuiltInProfiles.detect(["customers"]) == nil)
    }
}

@Suite("mapping values and bounded YAML")
struct MappingValueTests {
    static func problems(_ yaml: String) -> [String] { MappingLoaderTests.problems(yaml) }

    /// A mapping whose subscriptions role is complete, with `extra` appended to the role.
    static func mapping(role extra: String = "", top: String = "") -> String {
        "name: x\n\(top)roles:\n  subscriptions:\n    from: s.csv\n    fields: {subscriber: a, start: b, amount: c}\n\(extra)"
    }

    /// Nine anchors of nine aliases each: 9^10 (over 10^9) nodes expanded, from 500 bytes.
    static let bomb = "  - &a0 [x, x, x, x, x, x, x, x, x]\n" + (1...9).map { level in
        "  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
    }.joined()

    @Test("an alias bomb as a mapping key is refused at once, with the line of an alias")
    func aliasBombAsKey() {
        let clock = ContinuousClock()
        var found: [String] = []
        let elapsed = clock.measure {
            found = Self.problems("name: x\ndetect:\n\(Self.bomb)roles:\n  ? *a9\n  : {from: s.csv}\n")
        }
        #expect(elapsed < .seconds(1), "\(elapsed)")
        #expect(found.count == 1 && found[0].hasPrefix("m.yaml:") && found[0].contains("aliases expand to more than"), "\(found)")
        let line = Int(found.first?.split(separator: ":")[1] ?? "") ?? 0
        #expect((3...13).contains(line), "the line of an alias: \(found)")
        // Elsewhere too, and a small alias as a key.
        #expect(Self.problems("name: x\ndetect:\n\(Self.bomb)").first?.contains("aliases expand to more than") == true)
        #expect(Self.problems("name: x\nroles:\n  s: &k subscriptions\n  ? *k\n  : {}\n") == ["m.yaml:4: alias '*k' as a mapping key; write the key itself"])
        // Ordinary anchors and merge-free aliases still read.
        let shared = "name: x\nroles:\n  subscriptions:\n    from: &s s.csv\n    fields: {subscriber: *s, start: b, amount: c}\n"
        #expect(Self.problems(shared) == [])
    }

    @Test("YAML text is bounded: size, nesting; one leading byte-order mark is dropped")
    func boundsAndBOM() {
        #expect(Self.problems("\u{FEFF}" + Self.mapping()) == [])
        #expect(Self.problems("# " + String(repeating: "x", count: BoundedYAML.maximumBytes) + "\n" + Self.mapping())
                == ["m.yaml:1: " + BoundedYAML.tooLarge])
        let deep = "name: x\ndetect: " + String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000) + "\n"
        #expect(Self.problems(deep).first?.contains("nested more than 256 levels") == true)
    }

    @Test("booleans take YAML's spellings and name them otherwise")
    func booleans() throws {
        for word in ["true", "True", "TRUE", "yes", "on", "y", "Y"] {
            let mapping = try MappingLoader.parse(Self.mapping(role: "  payments: {from: p.csv, optional: \(word), fields: {time: t, amount: a}}\n"), path: "m.yaml")
            #expect(mapping[.payments]?.optional == true, "\(word)")
        }
        for word in ["false", "no", "off", "N"] {
            let mapping = try MappingLoader.parse(Self.mapping(role: "  payments: {from: p.csv, optional: \(word), fields: {time: t, amount: a}}\n"), path: "m.yaml")
            #expect(mapping[.payments]?.optional == false, "\(word)")
        }
        for word in ["maybe", "1", "[true]", "''"] {
            let found = Self.problems(Self.mapping(role: "  payments: {from: p.csv, optional: \(word), fields: {time: t, amount: a}}\n"))
            #expect(found.first?.contains("'optional' must be true or false (also True, yes, on, y") == true, "\(word): \(found)")
        }
        let exclusive = try MappingLoader.parse(Self.mapping(top: "tests:\n  - {test: range, role: subscriptions, field: amount, min: 0, exclusive: yes}\n"), path: "m.yaml")
        #expect(exclusive.tests.first?.exclusive == true)
        #expect(Self.problems(Self.mapping(top: "tests:\n  - {test: range, role: subscriptions, field: amount, min: 0, exclusive: maybe}\n"))
            .first?.contains("'exclusive' must be true or false") == true)
    }

    @Test("a mapping without the subscriptions role is refused at load, with its line")
    func emptyRoles() {
        #expect(Self.problems("name: x\nroles: {}\n") == ["m.yaml:2: the subscriptions role is required (roles: {subscriptions: {from: TABLE, fields: {...}}})"])
        #expect(Self.problems("name: x\nextends: saas\nroles: {}\n") == [], "extending, an empty override changes nothing")
    }

    @Test("a dimension inside a dimension must be declared")
    func nestedDimension() {
        let found = Self.problems(Self.mapping(top: "dimensions:\n  prices:\n    from: prices.csv\n    fields: {id: id}\n    attributes: {product: {column: product_id, dimension: productz}}\n"))
        #expect(found == ["m.yaml:6: dimension 'productz' is not declared under 'dimensions'"], "\(found)")
    }

    @Test("a value map reads scalars as written and refuses lists and mappings")
    func valueMaps() throws {
        let mapping = try MappingLoader.parse(Self.mapping(role: "    attributes:\n      tier: {column: plan, values: {1: Starter, yes: Pro, '': none, 2.50: 3}}\n"), path: "m.yaml")
        #expect(mapping[.subscriptions]?.field("tier")?.values == ["1": "Starter", "yes": "Pro", "": "none", "2.50": "3"])
        for entry in ["{[a]: b}", "{a: [b]}", "{{a: 1}: b}", "{a: {b: c}}", "{a: }", "{~: b}"] {
            let found = Self.problems(Self.mapping(role: "    attributes:\n      tier: {column: plan, values: \(entry)}\n"))
            #expect(found.count == 1 && found[0].hasPrefix("m.yaml:7:"), "\(entry): \(found)")
        }
    }

    @Test("time zones: UTC, Z, offsets up to 14 hours, and zone names only")
    func timeZones() {
        #expect(TimeZoneRule.parse("+02:00") == .fixed(7_200))
        #expect(TimeZoneRule.parse("-0530") == .fixed(-19_800))
        #expect(TimeZoneRule.parse("+05") == .fixed(18_000))
        #expect(TimeZoneRule.parse("+14:00") == .fixed(50_400))
        #expect(TimeZoneRule.parse("+00:00") == .utc)
        #expect(TimeZoneRule.parse("Z") == .utc)
        #expect(TimeZoneRule.parse("Asia/Kolkata") == .named("Asia/Kolkata"))
        for text in ["+:::1200", "+12::00", "+1:200", "+15:00", "+14:30", "+23:59", "+02:60", "+2", "+020", "02:00", "GMT+5", "UTC+1", "Europe/Nowhere", "", "+"] {
            #expect(TimeZoneRule.parse(text) == nil, "\(text)")
        }
        #expect(Self.problems(Self.mapping(top: "timezone: '+:::1200'\n")).first?.contains("unknown time zone '+:::1200'") == true)
    }

    @Test("severity: error, warn, off, and false (a bare off in YAML 1.1) as off")
    func severity() throws {
        for (word, expected) in [("error", DeclaredTest.Severity.error), ("warn", .warn), ("'off'", .off), ("off", .off), ("false", .off), ("no", .off)] {
            let mapping = try MappingLoader.parse(Self.mapping(top: "tests:\n  - {test: not_null, role: subscriptions, field: amount, severity: \(word)}\n"), path: "m.yaml")
            #expect(mapping.tests.first?.severity == expected, "\(word)")
        }
        #expect(Self.problems(Self.mapping(top: "tests:\n  - {test: not_null, role: subscriptions, field: amount, severity: true}\n"))
            .first?.contains("'severity' is error, warn or off") == true)
    }

    @Test("keys take the kind of value the schema gives them: lists, single values, one source, no duplicates")
    func kinds() {
        let cases: [(String, String)] = [
            (Self.mapping(top: "detect: subscriptions\n"), "m.yaml:2: 'detect' must be a list: [a, b]"),
            (Self.mapping(top: "rules: [day06.current_mrr, day06.current_mrr]\n"), "m.yaml:2: 'rules' lists 'day06.current_mrr' twice"),
            (Self.mapping(top: "subject: ''\n"), "m.yaml:2: 'subject' is empty"),
            (Self.mapping(top: "profile: [a]\n"), "m.yaml:2: 'profile' must be a single value, not a list"),
            (Self.mapping(top: "plans: [Pro, pro]\n"), "m.yaml:2: plans 'Pro' and 'pro' have the same metric name 'pro'"),
            (Self.mapping(top: "plans: [Pro, Pro]\n"), "m.yaml:2: plan 'Pro' is listed twice"),
            (Self.mapping(role: "    query: SELECT 1\n"), "m.yaml:6: role subscriptions has both 'from' and 'query'"),
            (Self.mapping(role: "    attributes: {x: {column: a, expr: b}}\n"), "m.yaml:6: subscriptions.x has both 'column' and 'expr'"),
            (Self.mapping(role: "    attributes: {x: {column: ''}}\n"), "m.yaml:6: 'column' is empty"),
            (Self.mapping(role: "    attributes: {[x]: a}\n"), "m.yaml:6: an attribute's name must be a single value"),
            (Self.mapping(role: "    optional: true\n"), "m.yaml:6: the subscriptions role cannot be optional"),
            (Self.mapping(top: "tests:\n  - {test: unique, role: subscriptions, field: [amount]}\n"), "m.yaml:3: 'field' must be a single value"),
            (Self.mapping(top: "tests:\n  - {test: range, role: subscriptions, field: amount, min: 5, max: 1}\n"), "m.yaml:3: 'min' 5.0 is above 'max' 1.0"),
            (Self.mapping(top: "tests:\n  - {test: relationships, role: subscriptions, field: subscriber, to: subscribers.id}\n"),
             "m.yaml:3: 'to' names role subscribers, which the mapping does not map"),
            (Self.mapping(top: "tests:\n  - {test: relationships, role: subscriptions, field: subscriber, to: subscriptions.subscribr}\n"),
             "m.yaml:3: role subscriptions maps no field 'subscribr' (did you mean 'subscriber'?)"),
            (Self.mapping(top: "dimensions: {[a]: {from: a.csv, fields: {id: id}}}\n"), "m.yaml:2: a dimension's name must be a single value"),
            (Self.mapping().replacingOccurrences(of: "name: x", with: "name: ~"), "m.yaml:1: 'name' has no value"),
        ]
        for (yaml, expected) in cases {
            let found = Self.problems(yaml)
            #expect(found.contains { $0.hasPrefix(expected) }, "\(expected) not in \(found)")
        }
    }
}
