import TableIO
import Yams

/// Reads and validates a mapping (YAML), reporting every problem with its line.
public enum MappingLoader {
    /// Reads the mapping at `path`.
    public static func load(path: String) throws -> Mapping {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path, limit: BoundedYAML.maximumBytes)
        } catch let error as InputError where error.kind == .missing {
            throw MappingError.missing(path: path)
        } catch let error as InputError where error.kind == .tooLarge(limit: BoundedYAML.maximumBytes) {
            throw MappingError.invalid([MappingDiagnostic(path: path, line: 1, message: BoundedYAML.tooLarge)])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MappingError.invalid([MappingDiagnostic(path: path, line: 1, message: "not UTF-8 text")])
        }
        return try parse(text, path: path)
    }

    /// Reads a mapping from its text; `path` names it in messages.
    public static func parse(_ text: String, path: String, builtIn: Bool = false) throws -> Mapping {
        var reader = Reader(path: path)
        let root: Node
        do {
            guard let node = try BoundedYAML.compose(text, path: path) else {
                throw MappingError.invalid([MappingDiagnostic(path: path, line: 1, message: "empty mapping")])
            }
            root = node
        } catch let failure as BoundedYAML.Failure {
            throw MappingError.invalid([MappingDiagnostic(path: path, line: failure.line, message: failure.message)])
        }
        let mapping = reader.mapping(root, builtIn: builtIn)
        guard let mapping, reader.problems.isEmpty else {
            throw MappingError.invalid(reader.problems.sorted { $0.line < $1.line })
        }
        return mapping
    }

    /// The line a YAML parser error points at (for mappings and bands files alike).
    public static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .reader(_, let offset?, _, let yaml): return 1 + yaml.utf8.prefix(max(0, offset)).filter { $0 == 0x0A }.count
        default: return 1
        }
    }

    /// The parser's problem, its first line and at most 200 characters (a duplicated-key error
    /// quotes the whole document after it).
    public static func summary(of error: YamlError) -> String {
        let text: String
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): text = problem
        case .reader(let problem, _, _, _): text = problem
        default: text = "\(error)"
        }
        let line = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(200)) + "..." : line
    }

    /// The closest of `candidates` to `word`, if it is a plausible misspelling.
    public static func suggestion(_ word: String, _ candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }
}

private struct Reader {
    let path: String
    var problems: [MappingDiagnostic] = []

    init(path: String) {
        self.path = path
    }

    mutating func problem(_ node: Node?, _ message: String) {
        problems.append(MappingDiagnostic(path: path, line: node?.mark?.line ?? 1, message: message))
    }

    mutating func unknown(_ key: Node, _ expected: [String], in place: String) {
        let word = key.string ?? "?"
        let hint = MappingLoader.suggestion(word, expected).map { " (did you mean '\($0)'?)" } ?? ""
        problem(key, "unknown key '\(word)' in \(place)\(hint); expected \(expected.joined(separator: ", "))")
    }

    /// The text of a scalar, as written (a number or a boolean is its source text: `1`, `yes`).
    /// A list or a mapping, a YAML null (nothing, `~`, `null`) and, unless `allowEmpty`, an
    /// empty text are problems.
    mutating func string(_ node: Node, _ what: String, allowEmpty: Bool = false) -> String? {
        guard let scalar = node.scalar else {
            problem(node, "\(what) must be a single value, not a \(node.sequence != nil ? "list" : "mapping")")
            return nil
        }
        if Self.isNull(scalar) {
            problem(node, "\(what) has no value")
            return nil
        }
        if scalar.string.isEmpty && !allowEmpty {
            problem(node, "\(what) is empty")
            return nil
        }
        return scalar.string
    }

    /// Whether a scalar is YAML's null: nothing, `~` or `null` written without quotes.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A list of texts, each non-empty and listed once.
    mutating func strings(_ node: Node, _ what: String) -> [String]? {
        guard let sequence = node.sequence else {
            problem(node, "\(what) must be a list: [a, b]")
            return nil
        }
        var result: [String] = []
        for entry in sequence {
            guard let text = string(entry, "each entry of \(what)") else { continue }
            if result.contains(text) {
                problem(entry, "\(what) lists '\(ExpressionError.shown(text))' twice")
                continue
            }
            result.append(text)
        }
        return result
    }

    /// The spellings of YAML 1.1 booleans; YAML 1.2 readers keep only true and false.
    static let trueWords: Set<String> = ["true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"]
    static let falseWords: Set<String> = ["false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"]

    /// A boolean in any of YAML's spellings; a problem naming them otherwise.
    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        if let text = node.scalar?.string {
            if Self.trueWords.contains(text) { return true }
            if Self.falseWords.contains(text) { return false }
        }
        problem(node, "\(what) must be true or false (also True, yes, on, y; False, no, off, n)")
        return nil
    }

    mutating func number(_ node: Node, _ what: String) -> Double? {
        guard let text = node.scalar?.string, let value = Double(text), value.isFinite else {
            problem(node, "\(what) must be a number")
            return nil
        }
        return value
    }

    mutating func month(_ node: Node, _ what: String) -> YearMonth? {
        guard let text = node.scalar?.string, text.count == 7, let date = CivilDate(text + "-01") else {
            problem(node, "\(what) must be a month YYYY-MM")
            return nil
        }
        return date.yearMonth
    }

    mutating func mapping(_ root: Node, builtIn: Bool) -> Mapping? {
        guard let top = root.mapping else {
            problem(root, "a mapping is a YAML mapping with name and roles")
            return nil
        }
        let keys = ["name", "profile", "description", "subject", "detect", "window", "as_of", "timezone", "churn", "plans", "roles", "tests",
                    "rules", "extras", "extends", "engine", "dimensions"]
        var result = Mapping(name: "", path: path)
        // extends: start from a built-in profile; its rules (our generator's conventions) are not inherited.
        var base: Mapping?
        if let node = top["extends"] {
            if let name = node.string, let text = BuiltInProfiles.text(for: name), !builtIn {
                base = try? MappingLoader.parse(text.yaml, path: text.path, builtIn: true)
            }
            if base == nil {
                problem(node, "'extends' names a built-in profile (\(BuiltInProfiles.names.joined(separator: ", ")))")
            }
        }
        if var base {
            base.builtIn = false
            base.path = path
            base.rules = []
            base.detect = []
            base.extends = base.name
            result = base
        }
        result.builtIn = builtIn
        var roleNode: Node?
        var testsNode: Node?
        var dimensionsNode: Node?
        var profileSet = base != nil
        for (key, value) in top {
            switch key.string ?? "" {
            case "name": result.name = string(value, "'name'") ?? result.name
            case "extends": break
            case "engine":
                guard let text = string(value, "'engine'") else { continue }
                switch text {
                case "creators": result.engine = text
                case "families": result.engine = nil
                default: problem(value, "unknown engine '\(ExpressionError.shown(text))' (expected creators, or families for the measure families on the roles)")
                }
            case "dimensions": dimensionsNode = value
            case "profile":
                result.profile = string(value, "'profile'") ?? ""
                profileSet = true
            case "description": _ = string(value, "'description'", allowEmpty: true)
            case "subject": result.subjectNoun = string(value, "'subject'") ?? result.subjectNoun
            case "detect": result.detect = strings(value, "'detect'") ?? []
            case "window":
                if value.scalar?.string == "auto" { continue }
                guard let pair = value.sequence, pair.count == 2, let first = month(pair[0], "the window's first month"),
                      let last = month(pair[1], "the window's last month") else {
                    if value.sequence?.count != 2 { problem(value, "'window' must be auto or [YYYY-MM, YYYY-MM]") }
                    continue
                }
                if first > last {
                    problem(value, "'window' must be [first, last] with first before last")
                } else if first.months(to: last) >= 1_200 {
                    problem(value, "'window' spans \(first) .. \(last) (\(first.months(to: last) + 1) months); an audit window is at most 1,200 months")
                } else {
                    result.window = (first, last)
                }
            case "as_of":
                guard let text = string(value, "'as_of'") else { continue }
                if text == "auto" { continue }
                let seconds = text.utf8.withContiguousStorageIfAvailable { ValueParsers.timestamp($0) } ?? nil
                guard let seconds else {
                    problem(value, "'as_of' must be a date or timestamp (2024-12-31, 2024-12-31 23:59:59, ISO 8601)")
                    continue
                }
                // A date alone is the end of that day.
                result.asOf = text.count == 10 ? seconds + 86_399 : seconds
            case "timezone":
                guard let text = string(value, "'timezone'") else { continue }
                guard let zone = TimeZoneRule.parse(text) else {
                    problem(value, "unknown time zone '\(ExpressionError.shown(text))' \(TimeZoneRule.accepted)")
                    continue
                }
                result.timezone = zone
            case "churn": result.churn = churn(value)
            case "plans": result.plans = plans(value)
            case "roles": roleNode = value
            case "tests": testsNode = value
            case "rules": result.rules = strings(value, "'rules'") ?? []
            case "extras": result.extras = strings(value, "'extras'") ?? []
            default: unknown(key, keys, in: "the mapping")
            }
        }
        if top["name"] == nil { problem(root, "missing 'name'") }
        if !profileSet { result.profile = result.name }
        if let roleNode {
            result.roles = roles(roleNode, zone: result.timezone, base: result.roles)
        } else if base == nil {
            problem(root, "missing 'roles' (at least subscriptions)")
        }
        if let dimensionsNode {
            guard let entries = dimensionsNode.mapping else {
                problem(dimensionsNode, "'dimensions' maps a name to {from: TABLE, fields: {id: KEY}, attributes: {...}}")
                return result
            }
            if tooMany(dimensionsNode, entries.count, Self.maximumDimensions, "'dimensions'") { return result }
            for (key, value) in entries {
                guard let name = string(key, "a dimension's name") else { continue }
                if let dimension = roleMapping(nil, value, base: result.dimensions[name], what: "dimension \(name)") { result.dimensions[name] = dimension }
            }
        }
        if let testsNode { result.tests = tests(testsNode, roles: result.roles) }
        // Every field naming a dimension names one the mapping declares, in a role or a dimension.
        for roleMapping in Array(result.roles.values) + Array(result.dimensions.values) {
            for field in Array(roleMapping.fields.values) + roleMapping.attributes.map(\.field) {
                guard let dimension = field.dimension, result.dimensions[dimension] == nil else { continue }
                let hint = MappingLoader.suggestion(dimension, Array(result.dimensions.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                problems.append(MappingDiagnostic(path: path, line: field.line, message: "dimension '\(dimension)'\(hint) is not declared under 'dimensions'"))
            }
        }
        for rule in result.rules where !Self.knownRules.contains(rule) {
            let hint = MappingLoader.suggestion(rule, Self.knownRules).map { " (did you mean '\($0)'?)" } ?? ""
            problem(top["rules"], "unknown rule '\(rule)'\(hint); known: \(Self.knownRules.joined(separator: ", "))")
        }
        for extra in result.extras where !Self.knownExtras.contains(extra) {
            problem(top["extras"], "unknown extra '\(extra)'; known: \(Self.knownExtras.joined(separator: ", "))")
        }
        if result.churn.rule == .churnEvents && result.roles[.churnEvents] == nil && roleNode != nil {
            problem(top["churn"], "churn definition churn_events needs the churn_events role")
        }
        if result.churn.rule == .subscriberStatus && result.roles[.subscribers]?.fields["status"] == nil && roleNode != nil {
            problem(top["churn"], "churn definition subscriber_status needs the subscribers role with a status field")
        }
        return result
    }

    /// The named rules of the built-in profiles (Auditor/Integrity/ProfileRules.swift).
    /// How many plans, attributes of one role, dimension tables and declared tests a mapping may
    /// list. Each plan, attribute and dimension becomes metrics or scanned slices, and each test
    /// a pass over its table: far beyond what a dataset's description needs, a list this long is
    /// a mistake (or an attack) that would otherwise run for hours.
    static let maximumPlans = 500
    static let maximumAttributes = 200
    static let maximumDimensions = 64
    static let maximumTests = 2_000

    /// A problem if `count` entries of `what` exceed `limit`.
    mutating func tooMany(_ node: Node, _ count: Int, _ limit: Int, _ what: String) -> Bool {
        guard count > limit else { return false }
        problem(node, "\(what) has \(Format.grouped(count)) entries; a mapping lists at most \(Format.grouped(limit))")
        return true
    }

    static let knownRules = ["day06.subscription_chain", "day06.current_mrr", "day06.movements_net_formula", "day06.movements_nonnegative",
                             "creators.pledge_status", "creators.patron_status", "creators.fees_by_plan", "creators.payment_amounts",
                             "creators.first_pledge_flags", "creators.engagement_while_pledged"]
    /// The domain measures attached to roles (Auditor/Extras).
    static let knownExtras = ["day06.edge_cases"]

    mutating func churn(_ node: Node) -> ChurnDefinition {
        var definition = ChurnDefinition()
        guard let pairs = node.mapping else {
            problem(node, "'churn' is a mapping: {definition: ..., unit: ..., values: [...]}")
            return definition
        }
        for (key, value) in pairs {
            switch key.string ?? "" {
            case "definition": definition.rule = choice(value, "churn.definition") ?? definition.rule
            case "unit": definition.unit = choice(value, "churn.unit") ?? definition.unit
            case "values": definition.values = strings(value, "'churn.values'") ?? definition.values
            case "grace_days":
                guard let days = number(value, "'churn.grace_days'"), days >= 0, days <= 366, days == days.rounded() else {
                    problem(value, "'churn.grace_days' is a whole number of days, 0 to 366")
                    continue
                }
                definition.graceDays = Int(days)
            case "monthly_numerator": definition.monthlyNumerator = choice(value, "churn.monthly_numerator") ?? definition.monthlyNumerator
            case "voluntary": definition.voluntary = strings(value, "'churn.voluntary'") ?? definition.voluntary
            default: unknown(key, ["definition", "unit", "values", "grace_days", "monthly_numerator", "voluntary"], in: "'churn'")
            }
        }
        return definition
    }

    /// One of an enumeration's values, by its raw name; a problem listing the names otherwise.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ what: String) -> Choice? where Choice.RawValue == String {
        guard let text = string(node, "'\(what)'") else { return nil }
        guard let value = Choice(rawValue: text) else {
            problem(node, "unknown \(what) '\(ExpressionError.shown(text))'; expected \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    mutating func plans(_ node: Node) -> [Plan] {
        guard let sequence = node.sequence else {
            problem(node, "'plans' is a list of plans in rank order: [{name: Starter, price: [29, 99]}, ...]")
            return []
        }
        if tooMany(node, sequence.count, Self.maximumPlans, "'plans'") { return [] }
        var plans: [Plan] = []
        var byMetricName: [String: String] = [:]
        for entry in sequence {
            var plan: Plan
            if entry.scalar != nil {
                guard let name = string(entry, "a plan's name") else { continue }
                plan = Plan(name: name)
            } else {
                guard let pairs = entry.mapping, let nameNode = pairs["name"] else {
                    problem(entry, "each plan is a name or {name: ..., price: [low, high]}")
                    continue
                }
                guard let parsed = self.plan(entry, pairs, name: nameNode) else { continue }
                plan = parsed
            }
            if let other = byMetricName[plan.metricName] {
                problem(entry, other == plan.name ? "plan '\(plan.name)' is listed twice"
                        : "plans '\(other)' and '\(plan.name)' have the same metric name '\(plan.metricName)'")
                continue
            }
            byMetricName[plan.metricName] = plan.name
            plans.append(plan)
        }
        return plans
    }

    /// A plan written as `{name: ..., price: [low, high]}`.
    mutating func plan(_ entry: Node, _ pairs: Node.Mapping, name nameNode: Node) -> Plan? {
        guard let name = string(nameNode, "a plan's name") else { return nil }
        var plan = Plan(name: name)
        for (key, value) in pairs {
            switch key.string ?? "" {
            case "name": break
            case "price":
                guard let pair = value.sequence, pair.count == 2, let low = number(pair[0], "a price bound"),
                      let high = number(pair[1], "a price bound"), low <= high else {
                    problem(value, "'price' must be [low, high] with low <= high")
                    continue
                }
                plan.price = low...high
            default: unknown(key, ["name", "price"], in: "a plan")
            }
        }
        return plan
    }

    mutating func roles(_ node: Node, zone: TimeZoneRule, base: [Role: RoleMapping]) -> [Role: RoleMapping] {
        guard let pairs = node.mapping else {
            problem(node, "'roles' maps a role name to its table and fields")
            return base
        }
        var roles = base
        let names = Role.allCases.map(\.rawValue)
        for (key, value) in pairs {
            guard let name = key.string, let role = Role(rawValue: name) else {
                unknown(key, names, in: "'roles'")
                continue
            }
            if let mapping = roleMapping(role, value, base: base[role], what: "role \(role.rawValue)") { roles[role] = mapping }
        }
        if roles[.subscriptions] == nil { problem(node, "the subscriptions role is required (roles: {subscriptions: {from: TABLE, fields: {...}}})") }
        return roles
    }

    mutating func roleMapping(_ role: Role?, _ node: Node, base: RoleMapping?, what: String) -> RoleMapping? {
        guard let pairs = node.mapping else {
            problem(node, "\(what) is a mapping: {from: TABLE, fields: {...}}")
            return nil
        }
        var source: RoleMapping.Source? = base?.source
        var filter: (Expression, String)? = base?.filter.map { ($0, base?.filterText ?? "") }
        var fields: [String: FieldMapping] = base?.fields ?? [:]
        var attributes: [(String, FieldMapping)] = base?.attributes ?? []
        var optional = base?.optional ?? false
        // One of from (or its synonyms table and file) and query gives the rows.
        var sourceKey: String?
        for (key, value) in pairs {
            let name = key.string ?? ""
            if ["from", "table", "file", "query"].contains(name) {
                if let sourceKey {
                    problem(key, "\(what) has both '\(sourceKey)' and '\(name)': give one of from and query")
                    continue
                }
                sourceKey = name
            }
            switch name {
            case "optional":
                optional = boolean(value, "'optional'") ?? optional
                if optional && role == .subscriptions { problem(value, "the subscriptions role cannot be optional") }
            case "from", "table", "file":
                if let text = string(value, "'\(name)' (a table or a CSV file)") { source = .table(text) }
            case "query":
                if let text = string(value, "'query'") { source = .query(text) }
            case "filter":
                guard let text = string(value, "'filter'") else { continue }
                do {
                    filter = (try Expression.parse(text), text)
                } catch let error as ExpressionError {
                    problem(value, "filter '\(ExpressionError.shown(text))': \(error.message)")
                } catch {}
            case "fields":
                guard let entries = value.mapping else {
                    problem(value, "'fields' maps a field of \(what) to a column or an expression")
                    continue
                }
                let known = role?.fields.map(\.name) ?? ["id"]
                for (fieldKey, fieldValue) in entries {
                    guard let name = fieldKey.string, known.contains(name) else {
                        let word = fieldKey.string ?? "?"
                        let hint = MappingLoader.suggestion(word, known).map { " (did you mean '\($0)'?)" } ?? ""
                        problem(fieldKey, "unknown field '\(word)' of \(role?.rawValue ?? what)\(hint); its fields are \(known.joined(separator: ", ")); other columns go under 'attributes'")
                        continue
                    }
                    if let field = fieldMapping(fieldValue, "\(role?.rawValue ?? what).\(name)") { fields[name] = field }
                }
            case "attributes":
                guard let entries = value.mapping else {
                    problem(value, "'attributes' maps a name to a column or an expression")
                    continue
                }
                if tooMany(value, entries.count, Self.maximumAttributes, "'attributes' of \(what)") { continue }
                for (attributeKey, attributeValue) in entries {
                    guard let name = string(attributeKey, "an attribute's name") else { continue }
                    if role?.field(name) != nil {
                        problem(attributeKey, "'\(name)' is a field of \(what): map it under 'fields'")
                        continue
                    }
                    if let field = fieldMapping(attributeValue, "\(role?.rawValue ?? what).\(name)") {
                        attributes.removeAll { $0.0 == name }
                        attributes.append((name, field))
                    }
                }
            default: unknown(key, ["from", "query", "filter", "fields", "attributes", "optional", "table", "file"], in: what)
            }
        }
        guard let source else {
            problem(node, "\(what) needs 'from' (a table or file) or 'query'")
            return nil
        }
        var mapping = RoleMapping(source: source, line: node.mark?.line ?? 1)
        mapping.filter = filter?.0
        mapping.filterText = filter?.1
        mapping.fields = fields
        mapping.attributes = attributes
        mapping.optional = optional && role != .subscriptions
        let missing = (role?.fields ?? [Field("id", .key, required: true)]).filter { $0.required && fields[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            problem(node, "\(what) lacks its required field\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
        }
        return mapping
    }

    mutating func fieldMapping(_ node: Node, _ what: String) -> FieldMapping? {
        func expression(_ text: String, _ at: Node) -> Expression? {
            do {
                return try Expression.parse(text)
            } catch let error as ExpressionError {
                problem(at, "\(what) '\(ExpressionError.shown(text))': \(error.message)")
            } catch {}
            return nil
        }
        if let text = node.scalar?.string {
            guard let parsed = expression(text, node) else { return nil }
            return FieldMapping(expression: parsed, text: text, line: node.mark?.line ?? 1)
        }
        guard let pairs = node.mapping else {
            problem(node, "\(what) is a column, an expression, or {column: ..., format: ..., values: {...}}")
            return nil
        }
        var field: FieldMapping?
        var format: TimeFormat?
        var zone: TimeZoneRule?
        var values: [String: String] = [:]
        var unitScale: Double?
        var dimension: String?
        // One of column, expr (expression) and value (constant) gives the field.
        var sourceKey: String?
        for (key, value) in pairs {
            let name = key.string ?? ""
            if ["column", "expr", "expression", "value", "constant"].contains(name) {
                if let sourceKey {
                    problem(key, "\(what) has both '\(sourceKey)' and '\(name)': give one of column, expr and value")
                    continue
                }
                sourceKey = name
            }
            switch name {
            case "column":
                if let text = string(value, "'column'") {
                    field = FieldMapping(expression: .column(text), text: text, line: value.mark?.line ?? 1)
                }
            case "expr", "expression":
                if let text = string(value, "'expr'"), let parsed = expression(text, value) {
                    field = FieldMapping(expression: parsed, text: text, line: value.mark?.line ?? 1)
                }
            case "value", "constant":
                if let text = string(value, "'value'", allowEmpty: true) {
                    field = FieldMapping(expression: .literal(.text(text)), text: "'\(text)'", line: value.mark?.line ?? 1)
                }
            case "format":
                guard let text = string(value, "'format'") else { continue }
                switch TimeFormat.parse(text) {
                case .success(let parsed): format = parsed
                case .failure(let error): problem(value, "\(what): \(error.message)")
                }
            case "timezone":
                guard let text = string(value, "'timezone'") else { continue }
                zone = TimeZoneRule.parse(text)
                if zone == nil { problem(value, "unknown time zone '\(ExpressionError.shown(text))' \(TimeZoneRule.accepted)") }
            case "values":
                guard let entries = value.mapping else {
                    problem(value, "'values' maps their value to ours: {Basic: Starter}")
                    continue
                }
                // Keys and values are text as written (`1: Starter`, `yes: Pro`); '' maps the empty value.
                for (theirs, ours) in entries {
                    guard let a = string(theirs, "a key of 'values' (their value; '' for the empty one)", allowEmpty: true),
                          let b = string(ours, "'values' of '\(theirs.scalar?.string ?? "?")' (our value)", allowEmpty: true) else { continue }
                    values[a] = b
                }
            case "dimension": dimension = string(value, "'dimension'")
            case "unit":
                guard let text = string(value, "'unit'") else { continue }
                // Divisors: 1999 cents / 100 is the double nearest 19.99 (1999 x 0.01 is not).
                let scales = ["cents": 100.0, "units": 1, "dollars": 1, "thousandths": 1000, "per_year": 12]
                guard let scale = scales[text] else {
                    problem(value, "unknown unit '\(ExpressionError.shown(text))'; expected cents, units, dollars, thousandths or per_year")
                    continue
                }
                unitScale = scale
            default: unknown(key, ["column", "expr", "value", "format", "timezone", "values", "unit", "dimension", "expression", "constant"], in: what)
            }
        }
        guard var result = field else {
            problem(node, "\(what) needs 'column', 'expr' or 'value'")
            return nil
        }
        if let unitScale {
            result.expression = .binary(.divide, result.expression, .literal(.number(unitScale)))
        }
        result.format = format ?? .auto
        result.zone = zone
        result.values = values
        result.dimension = dimension
        return result
    }

    mutating func tests(_ node: Node, roles: [Role: RoleMapping]) -> [DeclaredTest] {
        guard let sequence = node.sequence else {
            problem(node, "'tests' is a list: [{test: unique, role: subscriptions, field: id}, ...]")
            return []
        }
        if tooMany(node, sequence.count, Self.maximumTests, "'tests'") { return [] }
        var tests: [DeclaredTest] = []
        for entry in sequence {
            guard let pairs = entry.mapping else {
                problem(entry, "each test is {test: KIND, role: ROLE, field: FIELD, ...}")
                continue
            }
            guard let kindText = pairs["test"]?.string, let kind = DeclaredTest.Kind(rawValue: kindText) else {
                let word = pairs["test"]?.string ?? ""
                let hint = MappingLoader.suggestion(word, DeclaredTest.Kind.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
                problem(pairs["test"] ?? entry, "unknown test '\(word)'\(hint); expected \(DeclaredTest.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let roleText = pairs["role"]?.string, let role = Role(rawValue: roleText) else {
                problem(pairs["role"] ?? entry, "a test needs 'role' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            let fieldName = pairs["field"].flatMap { string($0, "'field'") }
            if let fieldName, let roleMapping = roles[role], roleMapping.field(fieldName) == nil {
                let known = roleMapping.fields.keys.sorted() + roleMapping.attributes.map(\.name)
                let hint = MappingLoader.suggestion(fieldName, known).map { " (did you mean '\($0)'?)" } ?? ""
                problem(pairs["field"], "role \(role.rawValue) maps no field '\(fieldName)'\(hint)")
            } else if roles[role] == nil {
                problem(pairs["role"], "a test on role \(role.rawValue), which the mapping does not map")
            }
            var test = DeclaredTest(kind: kind, role: role, field: fieldName, line: entry.mark?.line ?? 1)
            for (key, value) in pairs {
                switch key.string ?? "" {
                case "test", "role", "field": break
                case "values": test.values = strings(value, "'values'") ?? []
                case "min": test.minimum = number(value, "'min'")
                case "max": test.maximum = number(value, "'max'")
                case "exclusive": test.exclusive = boolean(value, "'exclusive'") ?? test.exclusive
                case "to":
                    // to: subscribers.id
                    guard let text = string(value, "'to'") else { continue }
                    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 2, let target = Role(rawValue: parts[0]), !parts[1].isEmpty else {
                        problem(value, "'to' names ROLE.FIELD (subscribers.id)")
                        continue
                    }
                    if let targetMapping = roles[target] {
                        if targetMapping.field(parts[1]) == nil {
                            let known = targetMapping.fields.keys.sorted() + targetMapping.attributes.map(\.name)
                            let hint = MappingLoader.suggestion(parts[1], known).map { " (did you mean '\($0)'?)" } ?? ""
                            problem(value, "role \(target.rawValue) maps no field '\(parts[1])'\(hint)")
                        }
                    } else {
                        problem(value, "'to' names role \(target.rawValue), which the mapping does not map")
                    }
                    test.toRole = target
                    test.toField = parts[1]
                case "severity":
                    // off turns a test off; YAML 1.1 reads a bare off (or no) as false, which means the same.
                    guard let text = string(value, "'severity'"),
                          let severity = DeclaredTest.Severity(rawValue: text) ?? (Self.falseWords.contains(text) ? .off : nil) else {
                        problem(value, "'severity' is error, warn or off (false is off)")
                        continue
                    }
                    test.severity = severity
                default: unknown(key, ["test", "role", "field", "values", "min", "max", "exclusive", "to", "severity"], in: "a test")
                }
            }
            if let minimum = test.minimum, let maximum = test.maximum, minimum > maximum {
                problem(pairs["min"], "'min' \(minimum) is above 'max' \(maximum)")
            }
            if test.severity != .off {
                if kind == .acceptedValues && test.values.isEmpty { problem(entry, "accepted_values needs 'values'") }
                if kind == .range && test.minimum == nil && test.maximum == nil { problem(entry, "range needs 'min' or 'max'") }
                if kind == .relationships && test.toRole == nil { problem(entry, "relationships needs 'to: ROLE.FIELD'") }
                if [.unique, .notNull, .acceptedValues, .range, .relationships].contains(kind) && fieldName == nil {
                    problem(entry, "\(kind.rawValue) needs 'field'")
                }
            }
            tests.append(test)
        }
        return tests
    }
}
