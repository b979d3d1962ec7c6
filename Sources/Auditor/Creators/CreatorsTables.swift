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

    var posts = ByteInterner(capacity: 1 << 13)
    var postCreator: [Int32] = []
    var postPublished: [Int64] = []

    /// The SHA-256 of each file read, by file name.
    var digests: [String: String] = [:]

    /// Value-level problems found while loading (unparseable dates, unknown references), by test.
    var findings: [String: (table: String, column: String, failures: Int, keys: [String], checked: Int)] = [:]

    mutating func note(_ test: String, _ table: String, _ column: String, key: String, checked: Int = 0) {
        var entry = findings[test + "|" + table + "|" + column] ?? (table, column, 0, [], 0)
        entry.failures += 1
        if entry.keys.count < 5 { entry.keys.append(key) }
        findings[test + "|" + table + "|" + column] = entry
    }
}

/// The column positions of one file, found by header name.
struct Columns {
    let file: String
    let positions: [String: Int]

    init(_ reader: CSVReader, file: String) {
        self.file = file
        var positions: [String: Int] = [:]
        for (index, name) in reader.header.enumerated() { positions[name] = index }
        self.positions = positions
    }

    /// The position of `name`, or a `CSVError` naming the missing column.
    func require(_ name: String) throws -> Int {
        guard let position = positions[name] else {
            throw CSVError(.badHeader("missing column '\(name)'"), file: file)
        }
        return position
    }
}

extension CSVRow {
    /// A timestamp field: the moment, `noTime` when empty, `nil` when unreadable.
    func time(_ column: Int) -> Int64? {
        if isNull(column) || self[column].isEmpty { return noTime }
        return ValueParsers.timestamp(self[column])
    }
}
