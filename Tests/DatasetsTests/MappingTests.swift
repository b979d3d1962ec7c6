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
        #expect(try Self.value("round(x, 1e999)", ["x": .number(1.5)]) == .null, "an infinite number of digits is no rounding, not a crash")
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
