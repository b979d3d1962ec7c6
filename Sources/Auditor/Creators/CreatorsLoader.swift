import TableIO

/// Reads the in-memory tables of a creator-economy dataset from its CSV files.
///
/// References are resolved by lookup: a pledge whose patron, creator or tier is not in its
/// table keeps -1 there and counts as a relationships failure with its key; an unreadable date
/// or amount counts as a value failure. Structural faults (a ragged row, a bad quote, a missing
/// column) stop the load with the file, line and column.
struct CreatorsLoader {
    let source: CreatorsSource
    let profile: MappingProfile

    // The audit loads in steps (CreatorsAudit.run): creators and tiers first (the others refer
    // to them); then posts and patrons on a second thread while pledges load on the first, their
    // patron keys kept as bytes and resolved once the patrons are in.

    /// Creators and tiers (the other tables refer to them).
    func loadCore() throws -> CreatorsTables {
        var tables = CreatorsTables()
        try loadCreators(&tables)
        try loadTiers(&tables)
        return tables
    }

    /// Posts and patrons, into a copy of the core tables (for a second thread).
    func loadSide(_ core: CreatorsTables) throws -> CreatorsTables {
        var part = core
        let phases = Phases()
        try phases.time("  posts.csv (thread 2)") { try loadPosts(&part) }
        try phases.time("  patrons.csv (thread 2)") { try loadPatrons(&part) }
        return part
    }

    /// Pledges, their patron keys kept as bytes until the patrons are in.
    func loadPledges(_ tables: inout CreatorsTables, patronKeys: inout KeyList) throws {
        try Phases().time("  pledges.csv") { try loadPledgeRows(&tables, patronKeys: &patronKeys) }
    }

    /// The side tables merged in, and the pledges' patrons resolved.
    func assemble(_ tables: inout CreatorsTables, side part: CreatorsTables, patronKeys: KeyList) {
        tables.posts = part.posts
        tables.postCreator = part.postCreator
        tables.postPublished = part.postPublished
        tables.patrons = part.patrons
        tables.patronFirstPledge = part.patronFirstPledge
        tables.patronSpendCents = part.patronSpendCents
        tables.patronActive = part.patronActive
        tables.patronCreated = part.patronCreated
        tables.missing.formUnion(part.missing)
        tables.digests.merge(part.digests) { first, _ in first }
        tables.findings.merge(part.findings) { first, _ in first }
        Phases().time("  pledges' patrons resolved") { resolvePatrons(&tables, patronKeys) }
    }

    /// Byte strings one after another (the pledges' patron keys, in pledge order).
    struct KeyList {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        mutating func append(_ key: UnsafeBufferPointer<UInt8>) {
            bytes.append(contentsOf: key)
            ends.append(bytes.count)
        }
    }

    /// Each pledge's patron by its key; an unknown patron is a relationships failure.
    private func resolvePatrons(_ tables: inout CreatorsTables, _ keys: KeyList) {
        var cache = LookupCache()
        tables.pledgePatron.reserveCapacity(keys.ends.count)
        keys.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for (pledge, end) in keys.ends.enumerated() {
                let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end
                let number = tables.patrons.lookup(key, cache: &cache)
                if number == nil {
                    let key = tables.pledges.string(pledge)
                    tables.note("relationships", "pledges", "patron_id", key: key)
                }
                tables.pledgePatron.append(Int32(number ?? -1))
            }
        }
    }

    private func reader(_ table: String) throws -> (any RowStream, Columns) {
        let reader = try source.open(profile.file(table))
        return (reader, Columns(reader, table: table, profile: profile))
    }

    /// Reads every row of `name` with `body`, then records the file's digest.
    private func rows(_ reader: any RowStream, _ tables: inout CreatorsTables, _ body: (CSVRow, inout CreatorsTables) throws -> Void) throws {
        try reader.forEachRow { row in try body(row, &tables) }
        guard reader.rowCount > 0 else { throw CSVError(.headerOnly, file: reader.displayName) }
        tables.digests[reader.displayName] = reader.sha256
    }

    private func loadCreators(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("creators")
        let id = try columns.require("creator_id")
        let category = optional(columns, "category", &tables)
        let created = optional(columns, "created_at", &tables)
        let first = optional(columns, "first_pledge_received_at", &tables)
        let lastPost = optional(columns, "last_post_at", &tables)
        let plan = optional(columns, "plan_type", &tables).flatMap { _ in columns.enumeration("plan_type", ["lite", "pro", "premium"]) }
        let status = columns.enumeration("status", ["active", "paused", "suspended", "deleted"])
        try rows(reader, &tables) { row, tables in
            if row[id].isEmpty { tables.note("not_null", "creators", "creator_id", key: "(line \(row.line))") }
            let before = tables.creators.count
            let number = tables.creators.intern(row[id])
            guard number == before else {
                tables.note("unique", "creators", "creator_id", key: row.string(id))
                return
            }
            tables.creatorCategory.append(Int32(category.map { tables.categories.intern(row[$0]) } ?? tables.categories.intern(UnsafeBufferPointer(start: nil, count: 0))))
            tables.creatorCreated.append(checkedTime(row, created, &tables, "creators", "created_at", key: row.string(id)))
            tables.creatorFirstPledge.append(checkedTime(row, first, &tables, "creators", "first_pledge_received_at", key: row.string(id)))
            tables.creatorLastPost.append(checkedTime(row, lastPost, &tables, "creators", "last_post_at", key: row.string(id)))
            let planCode = plan.map { $0.index(row) }
            if planCode == .some(nil) { tables.note("accepted_values", "creators", "plan_type", key: row.string(id)) }
            if let status, status.index(row) == nil { tables.note("accepted_values", "creators", "status", key: row.string(id)) }
            tables.creatorPlan.append(Int8((planCode ?? nil) ?? -1))
        }
    }

    private func loadTiers(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("tiers")
        let id = try columns.require("tier_id")
        let creator = try columns.require("creator_id")
        let rank = optional(columns, "tier_rank", &tables)
        let price = optional(columns, "price_usd", &tables)
        try rows(reader, &tables) { row, tables in
            if row[id].isEmpty { tables.note("not_null", "tiers", "tier_id", key: "(line \(row.line))") }
            let before = tables.tiers.count
            guard tables.tiers.intern(row[id]) == before else {
                tables.note("unique", "tiers", "tier_id", key: row.string(id))
                return
            }
            let owner = tables.creators.lookup(row[creator])
            if owner == nil { tables.note("relationships", "tiers", "creator_id", key: row.string(id)) }
            tables.tierCreator.append(Int32(owner ?? -1))
            let rankValue = rank.flatMap { ValueParsers.integer(row[$0]) } ?? 0
            if rank != nil && !(1...4).contains(rankValue) { tables.note("range", "tiers", "tier_rank", key: row.string(id)) }
            tables.tierRank.append(Int8(clamping: rankValue))
            tables.tierPriceCents.append(price.map { ValueParsers.cents(row[$0]) ?? -1 } ?? 1)
        }
    }

    private func loadPatrons(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("patrons")
        let id = try columns.require("patron_id")
        let first = optional(columns, "first_pledge_at", &tables)
        let spend = optional(columns, "lifetime_spend_usd", &tables)
        let status = optional(columns, "status", &tables).flatMap { _ in columns.enumeration("status", ["active", "churned"]) }
        let created = optional(columns, "created_at", &tables)
        try rows(reader, &tables) { row, tables in
            if row[id].isEmpty { tables.note("not_null", "patrons", "patron_id", key: "(line \(row.line))") }
            let before = tables.patrons.count
            guard tables.patrons.intern(row[id]) == before else {
                tables.note("unique", "patrons", "patron_id", key: row.string(id))
                return
            }
            tables.patronFirstPledge.append(checkedTime(row, first, &tables, "patrons", "first_pledge_at", key: row.string(id)))
            tables.patronSpendCents.append(spend.map { ValueParsers.cents(row[$0]) ?? Int.min } ?? 0)
            tables.patronCreated.append(checkedTime(row, created, &tables, "patrons", "created_at", key: row.string(id)))
            let statusCode = status.map { $0.index(row) } ?? 0
            if statusCode == nil { tables.note("accepted_values", "patrons", "status", key: row.string(id)) }
            tables.patronActive.append(statusCode == 0)
        }
    }

    private func loadPledgeRows(_ tables: inout CreatorsTables, patronKeys: inout KeyList) throws {
        let (reader, columns) = try reader("pledges")
        let id = try columns.require("pledge_id")
        let patron = try columns.require("patron_id")
        let creator = try columns.require("creator_id")
        let tier = optional(columns, "tier_id", &tables)
        let amount = optional(columns, "pledge_amount_usd", &tables)
        let first = optional(columns, "is_first_pledge", &tables)
        let started = try columns.require("started_at")
        let ended = optional(columns, "ended_at", &tables)
        let paused = optional(columns, "pause_started_at", &tables)
        let reason = optional(columns, "churn_reason", &tables).flatMap { _ in
            columns.enumeration("churn_reason", ["voluntary", "payment_failed", "creator_removed", ""])
        }
        let pledgeStatus = columns.enumeration("pledge_status", ["active", "paused", "churned", "declined"])
        var creatorCache = LookupCache()
        var tierCache = LookupCache()
        try rows(reader, &tables) { row, tables in
            if row[id].isEmpty { tables.note("not_null", "pledges", "pledge_id", key: "(line \(row.line))") }
            let before = tables.pledges.count
            guard tables.pledges.intern(row[id]) == before else {
                tables.note("unique", "pledges", "pledge_id", key: row.string(id))
                return
            }
            func key() -> String { row.string(id) }
            patronKeys.append(row[patron])
            let creatorNumber = tables.creators.lookup(row[creator], cache: &creatorCache)
            let tierNumber = tier.flatMap { tables.tiers.lookup(row[$0], cache: &tierCache) }
            if creatorNumber == nil { tables.note("relationships", "pledges", "creator_id", key: key()) }
            if tier != nil && (tierNumber == nil || (creatorNumber != nil && tables.tierCreator[tierNumber!] != Int32(creatorNumber!))) {
                tables.note("relationships", "pledges", "tier_id", key: key())
            }
            tables.pledgeCreator.append(Int32(creatorNumber ?? -1))
            tables.pledgeTier.append(Int32(tierNumber ?? -1))
            tables.pledgeAmountCents.append(amount.map { ValueParsers.cents(row[$0]) ?? -1 } ?? 1)
            tables.pledgeFirst.append(first.flatMap { ValueParsers.boolean(row[$0]) } ?? false)
            let start = checkedTime(row, started, &tables, "pledges", "started_at", key: key())
            if start == noTime && (row.isNull(started) || row[started].isEmpty) { tables.note("not_null", "pledges", "started_at", key: key()) }
            tables.pledgeStart.append(start)
            tables.pledgeEnd.append(checkedTime(row, ended, &tables, "pledges", "ended_at", key: key()))
            tables.pledgePause.append(checkedTime(row, paused, &tables, "pledges", "pause_started_at", key: key()))
            if let pledgeStatus {
                let code = pledgeStatus.index(row)
                if code == nil { tables.note("accepted_values", "pledges", "pledge_status", key: key()) }
                tables.pledgeStatus.append(Int8(code ?? -1))
            } else {
                tables.pledgeStatus.append(-1)
            }
            // -1 none, 0 voluntary, 1 payment_failed, 2 creator_removed, 3 another value.
            if let reason {
                let code = reason.index(row)
                if code == nil { tables.note("accepted_values", "pledges", "churn_reason", key: key()) }
                tables.pledgeReason.append(code.map { $0 == 3 ? -1 : Int8($0) } ?? 3)
            } else {
                tables.pledgeReason.append(-1)
            }
        }
    }

    private func loadPosts(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("posts")
        let id = try columns.require("post_id")
        let creator = try columns.require("creator_id")
        let published = try columns.require("published_at")
        let enumerations = [columns.enumeration("post_type", ["text", "image", "video", "audio", "poll"]),
                            columns.enumeration("access_level", ["public", "patrons_only", "tier_locked"])].compactMap { $0 }
        try rows(reader, &tables) { row, tables in
            if row[id].isEmpty { tables.note("not_null", "posts", "post_id", key: "(line \(row.line))") }
            let before = tables.posts.count
            guard tables.posts.intern(row[id]) == before else {
                tables.note("unique", "posts", "post_id", key: row.string(id))
                return
            }
            let owner = tables.creators.lookup(row[creator])
            if owner == nil { tables.note("relationships", "posts", "creator_id", key: row.string(id)) }
            tables.postCreator.append(Int32(owner ?? -1))
            tables.postPublished.append(checkedTime(row, published, &tables, "posts", "published_at", key: row.string(id)))
            if row.isNull(published) || row[published].isEmpty { tables.note("not_null", "posts", "published_at", key: row.string(id)) }
            for enumeration in enumerations where enumeration.index(row) == nil {
                tables.note("accepted_values", "posts", enumeration.name, key: row.string(id))
            }
        }
    }

    /// The position of an optional column, or nil after noting it as missing.
    private func optional(_ columns: Columns, _ name: String, _ tables: inout CreatorsTables) -> Int? {
        if let position = columns.optional(name) { return position }
        tables.missing.insert(columns.table + "." + name)
        return nil
    }

    /// A timestamp, counting an unreadable one as a `valid_timestamp` failure (stored as absent);
    /// absent when the column is.
    private func checkedTime(_ row: CSVRow, _ column: Int?, _ tables: inout CreatorsTables, _ table: String, _ name: String,
                             key: @autoclosure () -> String) -> Int64 {
        guard let column else { return noTime }
        if let value = row.time(column) { return value }
        tables.note("valid_timestamp", table, name, key: key())
        return noTime
    }
}
