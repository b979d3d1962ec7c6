import TableIO

/// How one dataset maps onto the roles (``Role``): which table or file holds each role, which
/// column or expression each field comes from, how times are written, which rows count, how
/// churn is defined, and which data tests apply beyond those derived from the mapping.
///
/// Written in YAML (`Documentation/profiles.md`, schema `Documentation/schema/mapping.schema.json`);
/// the built-in `saas` and `creators` profiles are mappings in the same language.
public struct Mapping: Sendable {
    /// Shown in the report as its profile.
    public var name: String
    /// The bands profile this mapping's figures answer to (defaults to `name`).
    public var profile: String
    public var path: String
    /// Shipped with the tool (its rules encode our generator's conventions).
    public var builtIn = false
    /// Table or file names any of which identifies the dataset (auto-detection of built-ins).
    public var detect: [String] = []
    /// The plural noun the report uses for the subscribers ("customers", "accounts").
    public var subjectNoun = "subscribers"
    /// The first and last month audited; nil: from the data.
    public var window: (first: YearMonth, last: YearMonth)?
    /// The moment the data is as of (seconds since 1970 UTC); nil: the end of the window's last month.
    public var asOf: Int64?
    /// The zone of times written without an offset.
    public var timezone: TimeZoneRule = .utc
    public var churn = ChurnDefinition()
    /// Plans (tiers) in rank order, for upgrades, downgrades and price ranges.
    public var plans: [Plan] = []
    public var roles: [Role: RoleMapping] = [:]
    /// Dimension tables joined by key (creators, tiers, plans): each a source, its key field
    /// (`id`) and attributes.
    public var dimensions: [String: RoleMapping] = [:]
    /// The built-in profile this mapping starts from (`extends:`), if any.
    public var extends: String?
    /// The engine that measures the roles: nil for the measure families of every mapping,
    /// `creators` for the streamed creator-economy measures of SPEC section 9.
    public var engine: String?
    /// Tests declared beside the derived ones, and derived ones turned off or relaxed.
    public var tests: [DeclaredTest] = []
    /// Named rules of a built-in profile (`day06.subscription_chain`): conventions of our own
    /// generator, applied only where a mapping names them.
    public var rules: [String] = []
    /// Domain measures attached to the roles they read (`day06.edge_cases`).
    public var extras: [String] = []

    public init(name: String, path: String) {
        self.name = name
        self.profile = name
        self.path = path
    }

    /// The mapping of `role`, if the dataset has it.
    public subscript(role: Role) -> RoleMapping? { roles[role] }
}

/// Where a role's rows come from and how its fields are computed.
public struct RoleMapping: Sendable {
    public enum Source: Sendable, Equatable {
        /// A table of a SQLite input or a CSV file (by file name or name without `.csv`).
        case table(String)
        /// A SQL query on the SQLite input.
        case query(String)
    }

    public var source: Source
    /// Rows kept: those for which the expression is true.
    public var filter: Expression?
    public var filterText: String?
    /// Role fields by name (`id`, `start`, ...).
    public var fields: [String: FieldMapping] = [:]
    /// Further columns kept as dimensions (plan families, countries, creators), by name.
    public var attributes: [(name: String, field: FieldMapping)] = []
    /// The audit runs without it when its table is absent (its measures are skipped).
    public var optional = false
    public var line: Int

    public init(source: Source, line: Int) {
        self.source = source
        self.line = line
    }

    /// The source name shown in messages and data tests.
    public var sourceName: String {
        switch source {
        case .table(let name): return name
        case .query: return "query"
        }
    }

    /// The field or attribute called `name`.
    public func field(_ name: String) -> FieldMapping? {
        fields[name] ?? attributes.first { $0.name == name }?.field
    }
}

/// One field: the expression that computes it and how its text is read.
public struct FieldMapping: Sendable {
    public var expression: Expression
    /// As written in the mapping.
    public var text: String
    public var format: TimeFormat = .auto
    public var zone: TimeZoneRule?
    /// Their value -> ours, applied before the value is interpreted.
    public var values: [String: String] = [:]
    /// The dimension table whose key this field holds (its attributes become dimensions of the row).
    public var dimension: String?
    public var line: Int

    public init(expression: Expression, text: String, line: Int) {
        self.expression = expression
        self.text = text
        self.line = line
    }

    /// The column it reads, when it is a plain column (what its data tests name).
    public var column: String? { expression.plainColumn }
}

/// When a subscriber (or, with `unit: subscription`, a subscription) counts as churned.
public struct ChurnDefinition: Sendable, Equatable {
    public enum Rule: String, Sendable, CaseIterable {
        /// No subscription open: churned at the end of the last one.
        case noOpenSubscription = "no_open_subscription"
        /// The subscriber's `status` field says so (one of `values`), at its `churned_at` or its last end.
        case subscriberStatus = "subscriber_status"
        /// A row of the churn-events role: its activity stops at that time.
        case churnEvents = "churn_events"
    }

    public enum Unit: String, Sendable, CaseIterable {
        case subscriber, subscription
    }

    public var rule: Rule = .noOpenSubscription
    public var unit: Unit = .subscriber
    /// The status values that mean churned (rule `subscriber_status`).
    public var values: [String] = ["churned"]
    /// A subscription starting within this many days after the previous one ended continues the
    /// life (1 by default: exports that write inclusive end dates start the next one a day later).
    public var graceDays = 1
    /// What the monthly churn rate of month m counts over those active at the end of m - 1.
    public var monthlyNumerator: MonthlyNumerator = .atRisk
    /// The churn reasons (after the value map) that mean the subscriber chose to leave; when
    /// given, the engagement-churn ratio counts these endings only (voluntary churn).
    public var voluntary: [String] = []

    public enum MonthlyNumerator: String, Sendable, CaseIterable {
        /// The lives active at the end of m - 1 that ended in m (a proper rate: at most 1).
        case atRisk = "at_risk"
        /// Every life that ended in m, including those that began in m (SPEC section 9's pledges).
        case allEndings = "all_endings"
    }

    public init() {}

    /// The sentence the report states.
    public var statement: String {
        let who = unit == .subscriber ? "a subscriber" : "a subscription"
        switch rule {
        case .noOpenSubscription:
            return unit == .subscriber ? "\(who) churns when none of its subscriptions is open (at the end of the last one); a new subscription more than \(graceDays) day\(graceDays == 1 ? "" : "s") after that is a reactivation"
                : "\(who) churns at its end date"
        case .subscriberStatus:
            return "\(who) churns when its status is \(values.map { "'\($0)'" }.joined(separator: " or ")) (at churned_at, else at the end of its last subscription)"
        case .churnEvents:
            return "\(who) churns at each row of the churn-events table; its subscriptions count as closed from then until a later start"
        }
    }

    /// The sentence on the monthly rate and on voluntary churn, when they differ from the default.
    public var rateStatement: String? {
        var parts: [String] = []
        if monthlyNumerator == .allEndings {
            parts.append("the monthly churn rate counts every \(unit.rawValue) that ended in the month, also those that began in it, over those active at the end of the month before")
        }
        if !voluntary.isEmpty {
            parts.append("voluntary churn is an ending with reason \(voluntary.map { "'\($0)'" }.joined(separator: " or "))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// A plan or tier: its rank (order of the list) and, optionally, its price range per month.
public struct Plan: Sendable, Equatable {
    public var name: String
    public var price: ClosedRange<Double>?

    public init(name: String, price: ClosedRange<Double>? = nil) {
        self.name = name
        self.price = price
    }

    /// The id used in metric names (`tiers.first.starter_share`).
    public var metricName: String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

/// A data test a mapping declares, in dbt's vocabulary, or a derived one turned off (`severity: off`).
public struct DeclaredTest: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case unique, notNull = "not_null", acceptedValues = "accepted_values", relationships, range
        case validTimestamp = "valid_timestamp", validDate = "valid_date", logicalOrder = "logical_order"
        case noFutureTimestamps = "no_future_timestamps", noFutureDates = "no_future_dates", hasSubscription = "has_subscription"
        case duplicatePayments = "duplicate_payments", noMissingDays = "no_missing_days"
    }

    public enum Severity: String, Sendable, CaseIterable {
        case error, warn, off
    }

    public var kind: Kind
    public var role: Role
    /// nil: every field the test applies to.
    public var field: String?
    public var values: [String] = []
    public var minimum: Double?
    public var maximum: Double?
    /// The bounds exclude themselves (`> 0` rather than `>= 0`).
    public var exclusive = false
    /// For `relationships`: the role and field referred to.
    public var toRole: Role?
    public var toField: String?
    public var severity: Severity = .error
    public var line: Int

    public init(kind: Kind, role: Role, field: String?, line: Int) {
        self.kind = kind
        self.role = role
        self.field = field
        self.line = line
    }
}

/// A problem in a mapping file, with its line.
public struct MappingDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { Console.printable("\(path):\(line): \(message)") }
}

/// Why a mapping cannot be used (exit 65, or 66 when the file is missing).
public enum MappingError: ReportableError, Equatable {
    case missing(path: String)
    case invalid([MappingDiagnostic])

    public var description: String {
        switch self {
        case .missing(let path): return "no such mapping '\(Console.printable(path))'"
        case .invalid(let diagnostics):
            guard let first = diagnostics.first else { return "invalid mapping" }
            let more = diagnostics.count - 1
            return first.description + (more > 0 ? " (and \(more) more problem\(more == 1 ? "" : "s"); see `synthaudit profile check`)" : "")
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .missing: return .noInput
        case .invalid: return .dataError
        }
    }
}
