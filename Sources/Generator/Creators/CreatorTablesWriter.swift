import TableIO

/// The row count and size of one written file.
struct TableResult: Sendable {
    var rows: Int
    var bytes: Int
}

/// Writes the five tables that do not need the transactions simulated again: creators, tiers,
/// posts, pledges, and (once the transactions have given the spend) patrons.
struct CreatorTablesWriter: Sendable {
    let directory: String
    let parameters: CreatorParameters
    let streams: RandomStreams
    let creators: [CreatorPlan]
    let pledges: [PlannedPledge]
    let patrons: [PatronPlan]
    let widths: IdentifierWidths

    /// Writes `name` with `body`, which appends rows to the buffer (draining it when large)
    /// and returns how many it wrote.
    private func table(_ name: String, _ body: (FileSink, ByteBuffer) throws -> Int) throws -> TableResult {
        let sink = try FileSink(path: directory + "/" + name)
        let buffer = ByteBuffer(capacity: 1 << 20)
        let rows = try body(sink, buffer)
        if buffer.count > 0 { try sink.drain(buffer) }
        try sink.close()
        return TableResult(rows: rows, bytes: sink.byteCount)
    }

    /// creators.csv, tiers.csv, posts.csv and pledges.csv.
    func writeSmallTables() throws -> [String: TableResult] {
        ["creators.csv": try writeCreators(), "tiers.csv": try writeTiers(), "posts.csv": try writePosts(),
         "pledges.csv": try writePledges()]
    }

    func writeCreators() throws -> TableResult {
        var firstPledge = Array(repeating: Timestamp?.none, count: creators.count)
        for pledge in pledges where firstPledge[Int(pledge.seed.creator)] == nil {
            firstPledge[Int(pledge.seed.creator)] = pledge.seed.start
        }
        return try table("creators.csv") { sink, buffer in
            buffer.append(CreatorRows.creatorsHeader)
            for creator in creators {
                writeCreator(creator, firstPledge: firstPledge[creator.index], into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return creators.count
        }
    }

    func writeTiers() throws -> TableResult {
        return try table("tiers.csv") { sink, buffer in
            buffer.append(CreatorRows.tiersHeader)
            var rows = 0
            for creator in creators {
                for tier in creator.tiers {
                    CreatorRows.id("ti_", tier.number, widths.tier, into: buffer)
                    buffer.append(",")
                    CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
                    buffer.append(",")
                    buffer.appendField(tier.name)
                    buffer.append(",")
                    buffer.append(int: tier.rank)
                    buffer.append(",")
                    buffer.append(cents: tier.priceCents)
                    buffer.append(",")
                    buffer.appendField(tier.description)
                    buffer.append(",true,")
                    buffer.appendTimestamp(tier.createdAt)
                    buffer.append(",\n")
                    rows += 1
                }
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return rows
        }
    }

    func writePosts() throws -> TableResult {
        return try table("posts.csv") { sink, buffer in
            buffer.append(CreatorRows.postsHeader)
            var rows = 0
            for creator in creators {
                for post in creator.posts {
                    CreatorRows.id("po_", post.number, widths.post, into: buffer)
                    buffer.append(",")
                    CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
                    buffer.append(",")
                    buffer.appendField(post.title)
                    buffer.append(",")
                    buffer.appendField(CreatorCatalog.postTypes[post.type])
                    buffer.append(",")
                    buffer.appendField(CreatorCatalog.accessLevels[min(post.minimumRank, 2)])
                    buffer.append(",")
                    if post.minimumRank > 0 {
                        CreatorRows.id("ti_", creator.tiers[post.minimumRank - 1].number, widths.tier, into: buffer)
                    }
                    buffer.append(",")
                    buffer.appendTimestamp(post.publishedAt)
                    buffer.append(",")
                    buffer.append(bool: post.isPinned)
                    buffer.append(10)
                    rows += 1
                }
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return rows
        }
    }

    func writePledges() throws -> TableResult {
        return try table("pledges.csv") { sink, buffer in
            buffer.append(CreatorRows.pledgesHeader)
            for (index, pledge) in pledges.enumerated() {
                writePledge(pledge, number: index + 1, creator: creators[Int(pledge.seed.creator)], into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return pledges.count
        }
    }

    func writePatrons(spendByPatron: [Int]) throws -> TableResult {
        try table("patrons.csv") { sink, buffer in
            buffer.append(CreatorRows.patronsHeader)
            for (index, patron) in patrons.enumerated() {
                writePatron(patron, number: index + 1, spendCents: spendByPatron[index], into: buffer)
                if buffer.count > 1 << 20 { try sink.drain(buffer) }
            }
            return patrons.count
        }
    }

    private func writeCreator(_ creator: CreatorPlan, firstPledge: Timestamp?, into buffer: ByteBuffer) {
        CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
        buffer.append(",")
        buffer.appendField(creator.name)
        buffer.append(",")
        buffer.appendField(creator.email)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.categories[creator.category].name)
        buffer.append(",")
        buffer.appendField(creator.subcategory)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[creator.country].code)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[creator.country].currency)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.planTypes[creator.plan])
        buffer.append(",")
        buffer.append(bool: creator.isNSFW)
        buffer.append(",")
        buffer.append(bool: creator.isVerified)
        buffer.append(",")
        buffer.appendTimestamp(creator.createdAt)
        buffer.append(",")
        CreatorRows.optionalTimestamp(firstPledge, into: buffer)
        buffer.append(",")
        CreatorRows.optionalTimestamp(creator.posts.last?.publishedAt, into: buffer)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.creatorStatuses[creatorStatus(creator)])
        buffer.append(10)
    }

    /// deleted (left the platform), paused (no post in the last 120 days of a creator older than
    /// that), else active.
    func creatorStatus(_ creator: CreatorPlan) -> Int {
        if creator.departure != nil { return 3 }
        let cutoff = parameters.asOf.adding(seconds: -120 * 86_400)
        if creator.createdAt < cutoff && (creator.posts.last.map { $0.publishedAt < cutoff } ?? true) { return 1 }
        return 0
    }

    private func writePledge(_ pledge: PlannedPledge, number: Int, creator: CreatorPlan, into buffer: ByteBuffer) {
        let outcome = pledge.outcome
        CreatorRows.id("pl_", number, widths.pledge, into: buffer)
        buffer.append(",")
        CreatorRows.id("pa_", Int(pledge.patron) + 1, widths.patron, into: buffer)
        buffer.append(",")
        CreatorRows.id("cr_", creator.index + 1, widths.creator, into: buffer)
        buffer.append(",")
        CreatorRows.id("ti_", creator.tiers[outcome.rank - 1].number, widths.tier, into: buffer)
        buffer.append(",")
        buffer.append(cents: outcome.amountCents)
        buffer.append(",")
        let status: StaticString
        switch (outcome.end, outcome.reason, outcome.pausedAt) {
        case (.some, .some(.paymentFailed), _): status = "declined"
        case (.some, _, _): status = "churned"
        case (.none, _, .some): status = "paused"
        default: status = "active"
        }
        buffer.append(status)
        buffer.append(",")
        buffer.append(bool: pledge.isFirstPledge)
        buffer.append(",")
        buffer.appendTimestamp(outcome.start)
        buffer.append(",")
        CreatorRows.optionalTimestamp(outcome.end, into: buffer)
        buffer.append(",")
        CreatorRows.optionalTimestamp(outcome.pausedAt, into: buffer)
        buffer.append(",")
        if let reason = outcome.reason { buffer.append(raw: Array(reason.name.utf8)) }
        buffer.append(10)
    }

    private func writePatron(_ patron: PatronPlan, number: Int, spendCents: Int, into buffer: ByteBuffer) {
        var rng = streams.stream("creators.patron-name", number)
        let first = rng.element(of: WordLists.firstNames)
        let last = rng.element(of: WordLists.lastNames)
        let domain = rng.element(of: ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de", "example.org"])
        CreatorRows.id("pa_", number, widths.patron, into: buffer)
        buffer.append(",")
        buffer.appendField(first + " " + last)
        buffer.append(",")
        buffer.appendField(WordLists.emailPart(first) + "." + WordLists.emailPart(last) + String(number) + "@" + domain)
        buffer.append(",")
        buffer.appendField(CreatorCatalog.countries[Int(patron.country)].code)
        buffer.append(",")
        buffer.appendTimestamp(patron.createdAt)
        buffer.append(",")
        buffer.appendTimestamp(patron.firstPledge)
        buffer.append(",")
        buffer.append(cents: spendCents)
        buffer.append(",")
        buffer.append(patron.hasOpenPledge ? "active" : "churned")
        buffer.append(10)
    }
}
