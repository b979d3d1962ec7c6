import Datasets
import TableIO

/// The creators engine reads its tables by our file and column names (SPEC section 3); a
/// mapping onto the roles with `engine: creators` (profiles/creators.yaml, or a mapping that
/// extends it) says where each of them is in the data.
extension MappingProfile {
    /// The engine's table and columns behind each role field.
    static let roleColumns: [(role: Role, table: String, fields: [String: String])] = [
        (.subscribers, "patrons", ["id": "patron_id", "signup": "created_at", "status": "status"]),
        (.subscriptions, "pledges", ["id": "pledge_id", "subscriber": "patron_id", "start": "started_at", "end": "ended_at",
                                     "amount": "pledge_amount_usd", "status": "pledge_status", "churn_reason": "churn_reason",
                                     "group": "creator_id", "pause_start": "pause_started_at"]),
        (.payments, "transactions", ["id": "transaction_id", "subscription": "pledge_id", "subscriber": "patron_id", "time": "transaction_at",
                                     "amount": "gross_amount_usd", "type": "transaction_type", "status": "transaction_status",
                                     "failure_reason": "failure_reason", "method": "payment_method"]),
        (.events, "engagement_events", ["id": "event_id", "subscriber": "patron_id", "time": "event_at", "group": "creator_id", "kind": "event_type"]),
        (.content, "posts", ["id": "post_id", "group": "creator_id", "time": "published_at", "kind": "post_type"]),
    ]

    /// The engine's dimension tables and their keys.
    static let dimensionTables: [(name: String, key: String)] = [("creators", "creator_id"), ("tiers", "tier_id")]

    /// The rename map the engine reads, from a mapping with `engine: creators`. The engine
    /// streams plain columns: an expression, a filter or a query is refused, with the line.
    init(engine mapping: Mapping) throws {
        self = .creators
        name = mapping.name
        path = mapping.path
        rules = mapping.rules
        churn = mapping.churn
        if let window = mapping.window {
            firstMonth = window.first
            lastMonth = window.last
        }
        func refuse(_ what: String, _ line: Int) -> AuditError {
            .invalidData("\(mapping.path):\(line): the creators engine reads plain columns of its tables (names, files, value maps): \(what)")
        }
        // What the engine cannot honour is refused, never ignored.
        if mapping.asOf != nil { throw refuse("'as_of' is not supported (its as-of moment is the end of the window)", 1) }
        if mapping.timezone != .utc { throw refuse("'timezone' is not supported (its times are read as written, UTC unless they carry an offset)", 1) }
        if let test = mapping.tests.first { throw refuse("declared tests are not supported (the engine runs the data tests of SPEC section 3.3)", test.line) }
        func take(_ table: String, _ roleMapping: RoleMapping, _ fields: [(field: FieldMapping, ours: String)]) throws {
            switch roleMapping.source {
            case .table(let name): files[table] = name.hasSuffix(".csv") ? name : name + ".csv"
            case .query: throw refuse("a query for \(table)", roleMapping.line)
            }
            if roleMapping.filter != nil { throw refuse("a filter on \(table)", roleMapping.line) }
            for (field, ours) in fields {
                guard let column = field.column else {
                    throw refuse("\(table).\(ours) is computed ('\(field.text)' with an expression or a unit)", field.line)
                }
                if field.format != .auto || field.zone != nil {
                    throw refuse("\(table).\(ours) declares a time format or zone (the engine reads ISO 8601 times)", field.line)
                }
                if column != ours { columns[table, default: [:]][ours] = column }
                // The roles name a payment `payment`; the engine reads our `pledge_payment`. A map
                // that leaves every value as it is (the built-in profile's) is no map: the engine's
                // streams keep their byte path, without a String per row.
                let map = ours == "transaction_type" ? field.values.mapValues { $0 == "payment" ? "pledge_payment" : $0 } : field.values
                if map.contains(where: { $0.key != $0.value }) { values[table + "." + ours] = map }
            }
        }
        for (role, table, names) in Self.roleColumns {
            guard let roleMapping = mapping[role] else { continue }
            let fields = names.compactMap { field, ours in roleMapping.fields[field].map { ($0, ours) } }
                + roleMapping.attributes.map { ($0.field, $0.name) }
            try take(table, roleMapping, fields)
        }
        for (name, key) in Self.dimensionTables {
            guard let dimension = mapping.dimensions[name] else { continue }
            let fields = (dimension.fields["id"].map { [($0, key)] } ?? []) + dimension.attributes.map { ($0.field, $0.name) }
            try take(name, dimension, fields)
        }
    }
}
