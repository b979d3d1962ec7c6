import TableIO

/// A timestamp column value that is absent (an empty field).
let noTime = Int64.max

/// The five tables of a creator-economy dataset that fit in memory (creators, tiers, patrons,
/// pledges, posts), held column by column with identifiers interned to dense integers.
/// Transactions and engagement events are streamed separately.
struct CreatorsTables {
    var creators = ByteInterner(capacity: 1 << 12)
    var creatorCategory: [Int32] = []
    var creatorCreated: [Int64] = []
    var creatorFirstPledge: [Int64] = []
    var creatorLastPost: [Int64] = []
    var creatorPlan: [Int8] = []
    var categories = ByteInterner(capacity: 16)

    var tiers = ByteInterner(capacity: 1 << 12)
    var tierCreator: [Int32] = []
    var tierRank: [Int8] = []
    var tierPriceCents: [Int] = []

    var patrons = ByteInterner(capacity: 1 << 14)
    var patronFirstPledge: [Int64] = []
    var patronSpendCents: [Int] = []
    var patronActive: [Bool] = []
    var patronCreated: [Int64] = []

    var pledges = ByteInterner(capacity: 1 << 15)
    var pledgeCreator: [Int32] = []
    var pledgePatron: [Int32] = []
    var pledgeTier: [Int32] = []
    var pledgeAmountCents: [Int] = []
    var pledgeStart: [Int64] = []
    var pledgeEnd: [Int64] = []
    var pledgePause: [Int64] = []
    /// 0 voluntary, 1 payment_failed, 2 creator_removed, 3 another value, -1 none.
    var pledgeReason: [Int8] = []
    var pledgeFirst: [Bool] = []
    /// 0 active, 1 paused, 2 churned, 3 declined, -1 another value (after the value map).
    var pledgeStatus: [Int8] = []

    var posts = ByteInterner(capacity: 1 << 13)
    var postCreator: [Int32] = []
    var postPublished: [Int64] = []

    /// Columns the files lack ("pledges.churn_reason"): the measures and tests reading them are skipped.
    var missing: Set<String> = []

    func has(_ table: String, _ column: String) -> Bool { !missing.contains(table + "." + column) }

    /// The SHA-256 of each file read, by file name.
    var digests: [String: String] = [:]

    /// Value-level problems found while loading (unparseable dates, unknown references), by test.
    var findings: [String: (table: String, column: String, failures: Int, keys: [String], checked: Int)] = [:]

    mutating func note(_ test: String, _ table: String, _ column: String, key: @autoclosure () -> String, checked: Int = 0) {
        var entry = findings[test + "|" + table + "|" + column] ?? (table, column, 0, [], 0)
        entry.failures += 1
        if entry.keys.count < 5 { entry.keys.append(key()) }
        findings[test + "|" + table + "|" + column] = entry
    }
}

/// The column positions of one file, found by header name through the mapping profile.
struct Columns {
    let file: String
    let table: String
    let profile: MappingProfile
    let positions: [String: Int]

    init(_ reader: any RowStream, table: String, profile: MappingProfile) {
        self.file = reader.displayName
        self.table = table
        self.profile = profile
        var positions: [String: Int] = [:]
        for (index, name) in reader.header.enumerated() { positions[name] = index }
        self.positions = positions
    }

    /// The position of our column `name`, or a `CSVError` naming the missing column.
    func require(_ name: String) throws -> Int {
        let theirs = profile.column(table, name)
        guard let position = positions[theirs] else {
            throw CSVError(.badHeader("missing column '\(theirs)'"), file: file)
        }
        return position
    }

    /// The position of our column `name`, if the file has it.
    func optional(_ name: String) -> Int? { positions[profile.column(table, name)] }

    /// Field `column` of `row` as our value (through the profile's value map).
    func value(_ row: CSVRow, _ column: Int, _ name: String) -> String {
        let raw = row.isNull(column) ? "" : row.string(column)
        return profile.value(table, name, raw)
    }
}

/// An enumerated column read from bytes: the index of a field's value among the accepted ones
/// (after the profile's value map, when the column has one), nil for any other value.
struct EnumeratedColumn {
    let position: Int
    let accepted: [String]
    /// The accepted values' bytes one after another, and where each ends.
    private let bytes: [UInt8]
    private let ends: [Int]
    private let columns: Columns
    let name: String
    private let mapped: Bool

    init(position: Int, accepted: [String], columns: Columns, name: String) {
        self.position = position
        self.accepted = accepted
        self.bytes = accepted.flatMap { Array($0.utf8) }
        var ends: [Int] = []
        var end = 0
        for value in accepted {
            end += value.utf8.count
            ends.append(end)
        }
        self.ends = ends
        self.columns = columns
        self.name = name
        self.mapped = columns.profile.mapsValues(columns.table, name)
    }

    @inline(__always)
    func index(_ row: CSVRow) -> Int? {
        if mapped {
            let value = columns.value(row, position, name)
            return accepted.firstIndex(of: value)
        }
        let field = row.isNull(position) ? UnsafeBufferPointer(start: nil, count: 0) : row[position]
        return bytes.withUnsafeBufferPointer { all in
            ends.withUnsafeBufferPointer { ends in
                var start = 0
                for index in 0..<ends.count {
                    let end = ends[index]
                    if end - start == field.count {
                        var same = true
                        for offset in 0..<field.count where all[start + offset] != field[offset] {
                            same = false
                            break
                        }
                        if same { return index }
                    }
                    start = end
                }
                return nil
            }
        }
    }
}

extension Columns {
    /// Column `name` as an enumeration of `accepted`, if the file has it.
    func enumeration(_ name: String, _ accepted: [String]) -> EnumeratedColumn? {
        optional(name).map { EnumeratedColumn(position: $0, accepted: accepted, columns: self, name: name) }
    }
}

/// The accepted values of the creators profile's enumerations (SPEC 3.1 and the documented sets).
enum CreatorsEnumerations {
    static let sets: [String: Set<String>] = [
        "creators.plan_type": ["lite", "pro", "premium"],
        "creators.status": ["active", "paused", "suspended", "deleted"],
        "pledges.pledge_status": ["active", "paused", "churned", "declined"],
        "pledges.churn_reason": ["voluntary", "payment_failed", "creator_removed", ""],
        "patrons.status": ["active", "churned"],
        "posts.post_type": ["text", "image", "video", "audio", "poll"],
        "posts.access_level": ["public", "patrons_only", "tier_locked"],
        "transactions.transaction_type": ["pledge_payment", "refund", "chargeback"],
        "transactions.transaction_status": ["pending", "succeeded", "failed", "refunded"],
        "transactions.payment_method": ["card", "paypal", "apple_pay", "google_pay"],
        "engagement_events.event_type": ["view", "like", "comment", "share"],
    ]
}

extension CSVRow {
    /// A timestamp field: the moment, `noTime` when empty, `nil` when unreadable.
    func time(_ column: Int) -> Int64? {
        if isNull(column) || self[column].isEmpty { return noTime }
        return ValueParsers.timestamp(self[column])
    }
}
