import TableIO

/// Reads the in-memory tables of a creator-economy dataset from its CSV files.
///
/// References are resolved by lookup: a pledge whose patron, creator or tier is not in its
/// table keeps -1 there and counts as a relationships failure with its key; an unreadable date
/// or amount counts as a value failure. Structural faults (a ragged row, a bad quote, a missing
/// column) stop the load with the file, line and column.
struct CreatorsLoader {
    let directory: String
    let profile: MappingProfile

    func load() throws -> CreatorsTables {
        var tables = CreatorsTables()
        try loadCreators(&tables)
        try loadTiers(&tables)
        try loadPatrons(&tables)
        try loadPledges(&tables)
        try loadPosts(&tables)
        return tables
    }

    private func reader(_ table: String) throws -> (CSVReader, Columns) {
        let file = profile.file(table)
        let reader = try CSVReader(path: directory + "/" + file, displayName: file)
        return (reader, Columns(reader, table: table, profile: profile))
    }

    /// Counts a value outside its enumeration as an accepted_values failure.
    private func accept(_ value: String, _ table: String, _ column: String, key: @autoclosure () -> String,
                        _ tables: inout CreatorsTables) {
        if let allowed = CreatorsEnumerations.sets[table + "." + column], !allowed.contains(value) {
            tables.note("accepted_values", table, column, key: key())
        }
    }

    /// Reads every row of `name` with `body`, then records the file's digest.
    private func rows(_ reader: CSVReader, _ tables: inout CreatorsTables, _ body: (CSVRow, inout CreatorsTables) throws -> Void) throws {
        try reader.forEachRow { row in try body(row, &tables) }
        guard reader.rowCount > 0 else { throw CSVError(.headerOnly, file: reader.displayName) }
        tables.digests[reader.displayName] = reader.sha256
    }

    private func loadCreators(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("creators")
        let id = try columns.require("creator_id")
        let category = try columns.require("category")
        let created = try columns.require("created_at")
        let first = try columns.require("first_pledge_received_at")
        let lastPost = try columns.require("last_post_at")
        let plan = try columns.require("plan_type")
        try rows(reader, &tables) { row, tables in
            let before = tables.creators.count
            let number = tables.creators.intern(row[id])
            guard number == before else {
                tables.note("unique", "creators", "creator_id", key: row.string(id))
                return
            }
            tables.creatorCategory.append(Int32(tables.categories.intern(row[category])))
            tables.creatorCreated.append(checkedTime(row, created, &tables, "creators", "created_at", key: row.string(id)))
            tables.creatorFirstPledge.append(checkedTime(row, first, &tables, "creators", "first_pledge_received_at", key: row.string(id)))
            tables.creatorLastPost.append(checkedTime(row, lastPost, &tables, "creators", "last_post_at", key: row.string(id)))
            let planText = columns.value(row, plan, "plan_type")
            accept(planText, "creators", "plan_type", key: row.string(id), &tables)
            if let status = columns.optional("status") { accept(columns.value(row, status, "status"), "creators", "status", key: row.string(id), &tables) }
            tables.creatorPlan.append(planText == "lite" ? 0 : planText == "pro" ? 1 : planText == "premium" ? 2 : -1)
        }
    }

    private func loadTiers(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("tiers")
        let id = try columns.require("tier_id")
        let creator = try columns.require("creator_id")
        let rank = try columns.require("tier_rank")
        let price = try columns.require("price_usd")
        try rows(reader, &tables) { row, tables in
            let before = tables.tiers.count
            guard tables.tiers.intern(row[id]) == before else {
                tables.note("unique", "tiers", "tier_id", key: row.string(id))
                return
            }
            let owner = tables.creators.lookup(row[creator])
            if owner == nil { tables.note("relationships", "tiers", "creator_id", key: row.string(id)) }
            tables.tierCreator.append(Int32(owner ?? -1))
            tables.tierRank.append(Int8(clamping: ValueParsers.integer(row[rank]) ?? 0))
            tables.tierPriceCents.append(ValueParsers.cents(row[price]) ?? -1)
        }
    }

    private func loadPatrons(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("patrons")
        let id = try columns.require("patron_id")
        let first = try columns.require("first_pledge_at")
        let spend = try columns.require("lifetime_spend_usd")
        let status = try columns.require("status")
        let created = try columns.require("created_at")
        try rows(reader, &tables) { row, tables in
            let before = tables.patrons.count
            guard tables.patrons.intern(row[id]) == before else {
                tables.note("unique", "patrons", "patron_id", key: row.string(id))
                return
            }
            tables.patronFirstPledge.append(checkedTime(row, first, &tables, "patrons", "first_pledge_at", key: row.string(id)))
            tables.patronSpendCents.append(ValueParsers.cents(row[spend]) ?? Int.min)
            tables.patronCreated.append(checkedTime(row, created, &tables, "patrons", "created_at", key: row.string(id)))
            let statusText = columns.value(row, status, "status")
            accept(statusText, "patrons", "status", key: row.string(id), &tables)
            tables.patronActive.append(statusText == "active")
        }
    }

    private func loadPledges(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("pledges")
        let id = try columns.require("pledge_id")
        let patron = try columns.require("patron_id")
        let creator = try columns.require("creator_id")
        let tier = try columns.require("tier_id")
        let amount = try columns.require("pledge_amount_usd")
        let first = try columns.require("is_first_pledge")
        let started = try columns.require("started_at")
        let ended = try columns.require("ended_at")
        let paused = try columns.require("pause_started_at")
        let reason = try columns.require("churn_reason")
        try rows(reader, &tables) { row, tables in
            let before = tables.pledges.count
            guard tables.pledges.intern(row[id]) == before else {
                tables.note("unique", "pledges", "pledge_id", key: row.string(id))
                return
            }
            let key = row.string(id)
            let patronNumber = tables.patrons.lookup(row[patron])
            let creatorNumber = tables.creators.lookup(row[creator])
            let tierNumber = tables.tiers.lookup(row[tier])
            if patronNumber == nil { tables.note("relationships", "pledges", "patron_id", key: key) }
            if creatorNumber == nil { tables.note("relationships", "pledges", "creator_id", key: key) }
            if tierNumber == nil || (creatorNumber != nil && tables.tierCreator[tierNumber!] != Int32(creatorNumber!)) {
                tables.note("relationships", "pledges", "tier_id", key: key)
            }
            tables.pledgePatron.append(Int32(patronNumber ?? -1))
            tables.pledgeCreator.append(Int32(creatorNumber ?? -1))
            tables.pledgeTier.append(Int32(tierNumber ?? -1))
            tables.pledgeAmountCents.append(ValueParsers.cents(row[amount]) ?? -1)
            tables.pledgeFirst.append(ValueParsers.boolean(row[first]) ?? false)
            let start = checkedTime(row, started, &tables, "pledges", "started_at", key: key)
            tables.pledgeStart.append(start)
            tables.pledgeEnd.append(checkedTime(row, ended, &tables, "pledges", "ended_at", key: key))
            tables.pledgePause.append(checkedTime(row, paused, &tables, "pledges", "pause_started_at", key: key))
            if let status = columns.optional("pledge_status") {
                let statusText = columns.value(row, status, "pledge_status")
                accept(statusText, "pledges", "pledge_status", key: key, &tables)
                tables.pledgeStatus.append(Int8(["active", "paused", "churned", "declined"].firstIndex(of: statusText) ?? -1))
            } else {
                tables.pledgeStatus.append(-1)
            }
            let reasonText = columns.value(row, reason, "churn_reason")
            accept(reasonText, "pledges", "churn_reason", key: key, &tables)
            switch reasonText {
            case "": tables.pledgeReason.append(-1)
            case "voluntary": tables.pledgeReason.append(0)
            case "payment_failed": tables.pledgeReason.append(1)
            case "creator_removed": tables.pledgeReason.append(2)
            default: tables.pledgeReason.append(3)
            }
        }
    }

    private func loadPosts(_ tables: inout CreatorsTables) throws {
        let (reader, columns) = try reader("posts")
        let id = try columns.require("post_id")
        let creator = try columns.require("creator_id")
        let published = try columns.require("published_at")
        try rows(reader, &tables) { row, tables in
            let before = tables.posts.count
            guard tables.posts.intern(row[id]) == before else {
                tables.note("unique", "posts", "post_id", key: row.string(id))
                return
            }
            let owner = tables.creators.lookup(row[creator])
            if owner == nil { tables.note("relationships", "posts", "creator_id", key: row.string(id)) }
            tables.postCreator.append(Int32(owner ?? -1))
            tables.postPublished.append(checkedTime(row, published, &tables, "posts", "published_at", key: row.string(id)))
            for column in ["post_type", "access_level"] {
                if let position = columns.optional(column) {
                    accept(columns.value(row, position, column), "posts", column, key: row.string(id), &tables)
                }
            }
        }
    }

    /// A timestamp, counting an unreadable one as a `valid_timestamp` failure (stored as absent).
    private func checkedTime(_ row: CSVRow, _ column: Int, _ tables: inout CreatorsTables, _ table: String, _ name: String,
                             key: String) -> Int64 {
        if let value = row.time(column) { return value }
        tables.note("valid_timestamp", table, name, key: key)
        return noTime
    }
}
