/// The parts of a subscription dataset that every measure reads, whatever the source calls them.
///
/// A mapping (``Mapping``) puts a table or file of the input onto each role and a column or an
/// expression onto each field. Only `subscriptions` is required; a measure whose roles are
/// absent is skipped, with the reason, in the report.
public enum Role: String, CaseIterable, Sendable, Comparable {
    /// Customers, patrons, accounts: one row per subscriber.
    case subscribers
    /// One row per subscription (a pledge, a contract line): who, from when to when, how much a month.
    case subscriptions
    /// Charges and their outcomes.
    case payments
    /// Engagement or usage events.
    case events
    /// Content published (posts).
    case content
    /// Churn recorded apart from the subscriptions: who churned when, and why.
    case churnEvents = "churn_events"
    /// A pre-aggregated table of MRR movements by month, reconciled against the subscriptions.
    case movements

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The fields of this role, in the order data tests and documentation list them.
    public var fields: [Field] {
        switch self {
        case .subscribers:
            return [Field("id", .key, required: true), Field("signup", .time), Field("plan", .category),
                    Field("status", .category), Field("churned_at", .time, nullable: true)]
        case .subscriptions:
            return [Field("id", .key), Field("subscriber", .reference(.subscribers), required: true),
                    Field("start", .time, required: true), Field("end", .time, nullable: true),
                    Field("amount", .amount, required: true), Field("plan", .category), Field("status", .category),
                    Field("churn_reason", .category, nullable: true), Field("group", .category),
                    Field("pause_start", .time, nullable: true)]
        case .payments:
            return [Field("id", .key), Field("subscription", .reference(.subscriptions)), Field("subscriber", .reference(.subscribers)),
                    Field("time", .time, required: true), Field("amount", .amount, required: true), Field("type", .category),
                    Field("status", .category), Field("failure_reason", .category, nullable: true), Field("method", .category)]
        case .events:
            return [Field("id", .key), Field("subscriber", .reference(.subscribers)), Field("subscription", .reference(.subscriptions)),
                    Field("time", .time, required: true), Field("group", .category), Field("kind", .category)]
        case .content:
            return [Field("id", .key), Field("group", .category), Field("time", .time, required: true), Field("kind", .category)]
        case .churnEvents:
            return [Field("subscriber", .reference(.subscribers), required: true), Field("time", .time, required: true),
                    Field("reason", .category, nullable: true)]
        case .movements:
            return [Field("month", .time, required: true), Field("new", .amount), Field("expansion", .amount),
                    Field("contraction", .amount), Field("churn", .amount), Field("reactivation", .amount), Field("net", .amount)]
        }
    }

    /// The field called `name`, if this role has one.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// One field of a role: its name, what kind of value it holds, and whether a mapping must give it.
public struct Field: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The role's own identifier (unique, not null).
        case key
        /// The identifier of a row of another role.
        case reference(Role)
        /// A moment: a date, a timestamp, epoch seconds.
        case time
        /// Money per month or per payment, in the dataset's currency units.
        case amount
        /// A label: a plan, a status, a reason, a method.
        case category
    }

    public var name: String
    public var kind: Kind
    /// A mapping of the role must map this field.
    public var required: Bool
    /// Empty values are expected (an open subscription has no end): no not-null test.
    public var nullable: Bool

    public init(_ name: String, _ kind: Kind, required: Bool = false, nullable: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
        self.nullable = nullable
    }
}
