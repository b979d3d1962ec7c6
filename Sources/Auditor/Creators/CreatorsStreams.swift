import TableIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one pass over `transactions.csv` collects.
struct TransactionAggregates {
    /// Payment attempts (succeeded or failed `pledge_payment` rows): pledge, moment, failed?, card
    /// expired? (plain arrays in the hot loop; ``attempts`` hands them to the payments family).
    var attemptPledge: [Int32] = []
    var attemptTime: [Int64] = []
    var attemptFailed: [Bool] = []
    var attemptExpired: [Bool] = []
    /// Gross in cents (for the duplicate payments test).
    var attemptAmount: [Int32] = []
    var rows = 0
    /// Transactions with a valid time, and those on day 1-3 of their month.
    var dated = 0
    var onDays1to3 = 0

    /// The attempts for the payments family.
    var attempts: PaymentAttempts {
        PaymentAttempts(owner: attemptPledge, time: attemptTime, failed: attemptFailed, expired: attemptExpired, amount: attemptAmount,
                        dated: dated, onDays1to3: onDays1to3)
    }
    /// Payments, and those whose gross equals their pledge's amount (SPEC 3.3: at least 97%).
    var payments = 0
    var matchingAmounts = 0
    /// Columns transactions.csv lacks.
    var missing: Set<String> = []
    var revenueByCreator: [Int]
    var spendByPatron: [Int]
    /// Succeeded payment gross in cents by window day (day 0 = the window's first day).
    var grossByDay: [Int]
    /// Rows dated on each window day (for the missing days test).
    var rowsByDay: [Int]
    var findings = FindingCounter()
    var sha256: String?
    /// Daily tallies of the attempts for the anomaly series.
    var tallies: PaymentTallies?

    init(creators: Int, patrons: Int, days: Int = 0) {
        revenueByCreator = Array(repeating: 0, count: creators)
        spendByPatron = LargeArrays.zeros(patrons)
        grossByDay = Array(repeating: 0, count: days)
        rowsByDay = Array(repeating: 0, count: days)
    }
}

/// What one pass over `engagement_events.csv` collects.
struct EventAggregates {
    /// Months with at least one event of each (patron, creator) pair that has pledges: bit m of
    /// word `pair x words + m / 64`, the pair numbered by its first pledge (`pairOf`).
    var engagedMonths: [UInt64] = []
    var pairOf: [Int32] = []
    var words = 1
    var eventsByMonth: [Int]
    var eventsByCategory: [Int]
    /// Events dated on each window day (for the missing days test and the slice scan).
    var eventsByDay: [Int] = []
    /// Events per window day by [day x category] and [day x event type] (``eventTypes``): the
    /// slice scan's engagement series.
    var eventsByDayCategory: [Int32] = []
    var eventsByDayType: [Int32] = []
    /// Whether the file has an event type column.
    var typed = false
    var rows = 0
    var findings = FindingCounter()
    var sha256: String?

    /// The accepted event types, then one slot for any other value.
    static let eventTypes = ["view", "like", "comment", "share", "(other)"]

    init(months: Int, categories: Int) {
        eventsByMonth = Array(repeating: 0, count: months)
        eventsByCategory = Array(repeating: 0, count: categories)
    }

    static func pairKey(patron: Int32, creator: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: patron)) << 32 | UInt64(UInt32(bitPattern: creator))
    }

    /// Whether the pair of pledge `pledge` had an event in window month `month`.
    func engaged(pledge: Int, month: Int) -> Bool {
        guard !engagedMonths.isEmpty, pairOf[pledge] >= 0 else { return false }
        return engagedMonths[Int(pairOf[pledge]) * words + month / 64] & (1 << UInt64(month % 64)) != 0
    }
}

/// Counts failures per (test, table, column) with up to five sample keys each.
struct FindingCounter {
    var entries: [String: IntegrityFinding] = [:]

    mutating func fail(_ test: String, _ table: String, _ column: String, key: @autoclosure () -> String) {
        let id = test + "|" + table + "|" + column
        var entry = entries[id] ?? IntegrityFinding(test: test, table: table, column: column, failures: 0, sampleKeys: [], checked: 0)
        entry.failures += 1
        if entry.sampleKeys.count < 5 { entry.sampleKeys.append(key()) }
        entries[id] = entry
    }

    /// Records that a test ran over `checked` rows (so that passing tests are reported too).
    mutating func ran(_ test: String, _ table: String, _ column: String, checked: Int) {
        let id = test + "|" + table + "|" + column
        var entry = entries[id] ?? IntegrityFinding(test: test, table: table, column: column, failures: 0, sampleKeys: [], checked: 0)
        entry.checked = checked
        entries[id] = entry
    }
}

/// The pledges of each patron (a counting sort by patron, in pledge order): an event's
/// (patron, creator) pair is found by scanning its patron's few pledges, no hashing; a pair is
/// numbered by its first pledge. With the months each pair had an event in, as bit masks.
struct PairIndex {
    let pledges: PledgeGate.Pledges
    var patronStart: [Int]
    var byPatron: [Int32]
    var pairOf: [Int32]
    var engagedMonths: [UInt64]
    let words: Int
    private var lastPatron = -1
    private var lastCreator = -1
    private var lastPair: Int32 = -1

    init(_ pledges: PledgeGate.Pledges, months: Int) {
        self.pledges = pledges
        let count = pledges.patron.count
        var patronStart = Array(repeating: 0, count: pledges.patrons + 1)
        for p in 0..<count where pledges.patron[p] >= 0 && pledges.creator[p] >= 0 {
            patronStart[Int(pledges.patron[p]) + 1] += 1
        }
        for patron in 0..<pledges.patrons { patronStart[patron + 1] += patronStart[patron] }
        var fill = patronStart
        var byPatron = Array(repeating: Int32(-1), count: patronStart[pledges.patrons])
        var pairOf = Array(repeating: Int32(-1), count: count)
        for p in 0..<count where pledges.patron[p] >= 0 && pledges.creator[p] >= 0 {
            let patron = Int(pledges.patron[p])
            byPatron[fill[patron]] = Int32(p)
            fill[patron] += 1
            var first = Int32(p)
            for index in patronStart[patron]..<(fill[patron] - 1) where pledges.creator[Int(byPatron[index])] == pledges.creator[p] {
                first = byPatron[index]
                break
            }
            pairOf[p] = first
        }
        self.patronStart = patronStart
        self.byPatron = byPatron
        self.pairOf = pairOf
        words = (months + 63) / 64
        engagedMonths = LargeArrays.zeros(count * words)
    }

    /// Whether a pledge of the pair was active at `moment`, and the pair's number (-1: none).
    @inline(__always)
    mutating func find(patron: Int, creator: Int, moment: Int64) -> (Bool, Int32) {
        guard patron < pledges.patrons else { return (false, -1) }
        let range = patronStart[patron]..<patronStart[patron + 1]
        if patron != lastPatron || creator != lastCreator {
            lastPatron = patron
            lastCreator = creator
            lastPair = -1
            for index in range where pledges.creator[Int(byPatron[index])] == Int32(creator) {
                lastPair = pairOf[Int(byPatron[index])]
                break
            }
        }
        guard lastPair >= 0 else { return (false, -1) }
        for index in range {
            let p = Int(byPatron[index])
            if pledges.creator[p] == Int32(creator) && pledges.start[p] <= moment && pledges.end[p] > moment { return (true, lastPair) }
        }
        return (false, lastPair)
    }

    @inline(__always)
    mutating func mark(pair: Int, month: Int) {
        engagedMonths[pair * words + month / 64] |= 1 << UInt64(month % 64)
    }
}

/// Hands the pledges (loaded on one thread) to the events pass (running on the other).
final class PledgeGate: @unchecked Sendable {
    struct Pledges {
        let patron: [Int32]
        let creator: [Int32]
        let start: [Int64]
        let end: [Int64]
        /// The number of patrons.
        let patrons: Int
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pledges: Pledges?
    private var closed = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func open(_ pledges: Pledges) {
        pthread_mutex_lock(mutex)
        self.pledges = pledges
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// No pledges will come (their load failed).
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The pledges if they have arrived.
    var ready: Pledges? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return pledges
    }

    /// The pledges, once they arrive; nil if the gate closed without them.
    func wait() -> Pledges? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while pledges == nil && !closed { pthread_cond_wait(condition, mutex) }
        return pledges
    }
}

/// The events pass gave up because the pledges it waited for could not be loaded (that load's
/// own error is the one reported).
struct AuditCancelled: Error {}

/// The streaming passes over the two large files.
struct CreatorsStreams {
    let source: CreatorsSource
    let tables: CreatorsTables
    let window: CreatorsWindow
    let profile: MappingProfile

    func reader(_ table: String, handoff: DigestHandoff? = nil) throws -> (any RowStream, Columns) {
        let reader = try source.open(profile.file(table), handoff: handoff)
        return (reader, Columns(reader, table: table, profile: profile))
    }

    /// Whether a field holds one of the literals (through the value map when the column has one).
    static func field(_ row: CSVRow, _ column: Int, _ columns: Columns, _ name: String, mapped: Bool,
                      is literals: StaticString...) -> Int? {
        if mapped {
            let value = columns.value(row, column, name)
            for (index, literal) in literals.enumerated() where value == literal.description { return index }
            return nil
        }
        for (index, literal) in literals.enumerated() where equals(row[column], literal) { return index }
        return nil
    }

    func transactions() throws -> TransactionAggregates {
        let (reader, columns) = try reader("transactions")
        let id = try columns.require("transaction_id")
        let pledgeColumn = try columns.require("pledge_id")
        let patronColumn = columns.optional("patron_id")
        let creatorColumn = columns.optional("creator_id")
        let type = try columns.require("transaction_type")
        let status = try columns.require("transaction_status")
        let gross = try columns.require("gross_amount_usd")
        let platform = columns.optional("platform_fee_usd")
        let processing = columns.optional("processing_fee_usd")
        let net = columns.optional("net_amount_usd")
        let failure = columns.optional("failure_reason")
        let at = try columns.require("transaction_at")
        let hasFees = platform != nil && processing != nil && net != nil

        var result = TransactionAggregates(creators: tables.creators.count, patrons: tables.patrons.count,
                                           days: Int((window.asOf - window.start) / 86_400) + 1)
        for (name, position) in [("patron_id", patronColumn), ("creator_id", creatorColumn), ("platform_fee_usd", platform),
                                 ("processing_fee_usd", processing), ("net_amount_usd", net), ("failure_reason", failure)] where position == nil {
            result.missing.insert("transactions." + name)
        }
        // Local copies: the row closure reads them millions of times without touching `self`.
        let pledges = tables.pledges
        let patrons = tables.patrons
        let creators = tables.creators
        let pledgePatron = tables.pledgePatron
        let pledgeCreator = tables.pledgeCreator
        let pledgeAmount = tables.pledgeAmountCents
        let creatorPlan = tables.creatorPlan
        var tierPrices = Array(repeating: [Int](), count: tables.creators.count)
        for tier in 0..<tables.tiers.count where tables.tierCreator[tier] >= 0 {
            tierPrices[Int(tables.tierCreator[tier])].append(tables.tierPriceCents[tier])
        }
        let window = window
        let method = columns.optional("payment_method")
        let mapType = profile.mapsValues("transactions", "transaction_type")
        let mapStatus = profile.mapsValues("transactions", "transaction_status")
        let mapMethod = profile.mapsValues("transactions", "payment_method")
        let mapFailure = profile.mapsValues("transactions", "failure_reason")
        let pledgeTier = tables.pledgeTier
        let tierRank = tables.tierRank
        let creatorCategory = tables.creatorCategory
        let unknownCategory = tables.categories.count
        var tallies = PaymentTallies(days: result.grossByDay.count, categories: tables.categories.count, creators: tables.creators.count)
        var pledgeCache = LookupCache()
        var patronCache = LookupCache()
        var creatorCache = LookupCache()
        try reader.forEachRow { row in
            result.rows += 1
            guard let moment = row.time(at), moment != noTime else {
                result.findings.fail("valid_timestamp", "transactions", "transaction_at", key: row.string(id))
                return
            }
            if moment > window.asOf { result.findings.fail("no_future_timestamps", "transactions", "transaction_at", key: row.string(id)) }
            result.dated += 1
            if window.day(moment) <= 3 { result.onDays1to3 += 1 }
            if moment >= window.start && moment <= window.asOf { result.rowsByDay[Int((moment - window.start) / 86_400)] += 1 }
            guard let pledge = pledges.lookup(row[pledgeColumn], cache: &pledgeCache) else {
                result.findings.fail("relationships", "transactions", "pledge_id", key: row.string(id))
                return
            }
            if let patronColumn, let creatorColumn,
               patrons.lookup(row[patronColumn], cache: &patronCache).map({ Int32($0) }) != pledgePatron[pledge]
                || creators.lookup(row[creatorColumn], cache: &creatorCache).map({ Int32($0) }) != pledgeCreator[pledge] {
                result.findings.fail("same_patron_and_creator_as_pledge", "transactions", "patron_id, creator_id", key: row.string(id))
            }
            let grossCents = ValueParsers.cents(row[gross]) ?? -1
            let platformCents = platform.map { ValueParsers.cents(row[$0]) ?? -1 } ?? 0
            let processingCents = processing.map { ValueParsers.cents(row[$0]) ?? -1 } ?? 0
            let netCents = net.map { ValueParsers.cents(row[$0]) ?? -1 } ?? 0
            if grossCents <= 0 || platformCents < 0 || processingCents < 0 || netCents < 0 {
                result.findings.fail("positive_amounts", "transactions", "amounts", key: row.string(id))
            }
            let typeCode = Self.field(row, type, columns, "transaction_type", mapped: mapType, is: "pledge_payment", "refund", "chargeback")
            let statusCode = Self.field(row, status, columns, "transaction_status", mapped: mapStatus,
                                        is: "pending", "succeeded", "failed", "refunded")
            if typeCode == nil { result.findings.fail("accepted_values", "transactions", "transaction_type", key: row.string(id)) }
            if statusCode == nil { result.findings.fail("accepted_values", "transactions", "transaction_status", key: row.string(id)) }
            let methodCode = method.map {
                Self.field(row, $0, columns, "payment_method", mapped: mapMethod, is: "card", "paypal", "apple_pay", "google_pay")
            } ?? 4
            if methodCode == nil { result.findings.fail("accepted_values", "transactions", "payment_method", key: row.string(id)) }
            let isPayment = typeCode == 0
            let succeeded = statusCode == 1
            let failed = statusCode == 2
            let refunded = statusCode == 3
            let patron = Int(pledgePatron[pledge])
            if isPayment {
                result.payments += 1
                let amount = pledgeAmount[pledge]
                if grossCents == amount {
                    result.matchingAmounts += 1
                } else {
                    let creator = Int(pledgeCreator[pledge])
                    if creator < 0 || !tierPrices[creator].contains(grossCents) {
                        result.findings.fail("payment_amount_is_a_tier_price", "transactions", "gross_amount_usd", key: row.string(id))
                    }
                }
            }
            if isPayment && succeeded {
                let creator = Int(pledgeCreator[pledge])
                if hasFees, creator >= 0, let rate = [500, 800, 1_200][safe: Int(creatorPlan[creator])],
                   platformCents != (grossCents * rate + 5_000) / 10_000 || processingCents != (grossCents * 29 + 500) / 1_000 + 30 {
                    result.findings.fail("fees_by_plan", "transactions", "platform_fee_usd, processing_fee_usd", key: row.string(id))
                }
                if hasFees && grossCents - platformCents - processingCents != netCents {
                    result.findings.fail("net_equals_gross_minus_fees", "transactions", "net_amount_usd", key: row.string(id))
                }
                if moment >= window.start && moment <= window.asOf {
                    if creator >= 0 { result.revenueByCreator[creator] += grossCents }
                    result.grossByDay[Int((moment - window.start) / 86_400)] += grossCents
                }
                if patron >= 0 { result.spendByPatron[patron] += grossCents }
            } else if refunded, patron >= 0 {
                result.spendByPatron[patron] -= grossCents
            }
            if isPayment && (succeeded || failed) {
                result.attemptPledge.append(Int32(pledge))
                result.attemptTime.append(moment)
                result.attemptFailed.append(failed)
                result.attemptAmount.append(grossCents > 0 && grossCents < Int(Int32.max) ? Int32(grossCents) : DuplicatePayments.unknownAmount)
                result.attemptExpired.append(failed && failure.map {
                    Self.field(row, $0, columns, "failure_reason", mapped: mapFailure, is: "card_expired") != nil
                } ?? false)
                if moment >= window.start && moment <= window.asOf {
                    let creator = Int(pledgeCreator[pledge])
                    let tier = Int(pledgeTier[pledge])
                    let rank = tier >= 0 ? Int(tierRank[tier]) : 0
                    var reason: UnsafeBufferPointer<UInt8>?
                    var mappedReason: [UInt8] = []
                    if failed, let failure {
                        if mapFailure {
                            mappedReason = Array(columns.value(row, failure, "failure_reason").utf8)
                        } else {
                            reason = row[failure]
                        }
                    }
                    mappedReason.withUnsafeBufferPointer { mapped in
                        tallies.record(day: Int((moment - window.start) / 86_400),
                                       category: creator >= 0 ? Int(creatorCategory[creator]) : unknownCategory,
                                       creator: creator, method: methodCode ?? 4, rank: (1...4).contains(rank) ? rank - 1 : 4,
                                       failed: failed, grossCents: grossCents, reason: mapFailure ? mapped : reason)
                    }
                }
            }
        }
        guard result.rows > 0 else { throw CSVError(.headerOnly, file: reader.displayName) }
        result.sha256 = reader.sha256
        result.tallies = tallies
        result.findings.ran("relationships", "transactions", "pledge_id", checked: result.rows)
        result.findings.ran("accepted_values", "transactions", "transaction_type", checked: result.rows)
        result.findings.ran("payment_amount_is_a_tier_price", "transactions", "gross_amount_usd", checked: result.payments)
        result.findings.ran("fees_by_plan", "transactions", "platform_fee_usd, processing_fee_usd", checked: result.payments)
        if result.payments > 0 && Double(result.matchingAmounts) < 0.97 * Double(result.payments) {
            result.findings.entries["payment_amount_matches_pledge_97pct|transactions|gross_amount_usd"] = IntegrityFinding(
                test: "payment_amount_matches_pledge_97pct", table: "transactions", column: "gross_amount_usd",
                failures: result.payments - result.matchingAmounts, sampleKeys: [], checked: result.payments)
        } else {
            result.findings.ran("payment_amount_matches_pledge_97pct", "transactions", "gross_amount_usd", checked: result.payments)
        }
        result.findings.ran("accepted_values", "transactions", "transaction_status", checked: result.rows)
        result.findings.ran("positive_amounts", "transactions", "amounts", checked: result.rows)
        return result
    }

    /// One pass over `engagement_events.csv`; the other thread may take its digest over through
    /// `handoff` once `transactions.csv` is done. The pass starts before the pledges are loaded
    /// (this reader's tables hold creators, tiers, posts and patrons): the pledges come through
    /// `gate`, and the pledge checks of the rows read until it opens wait in a buffer.
    func events(handoff: DigestHandoff? = nil, gate: PledgeGate) throws -> EventAggregates {
        let (reader, columns) = try reader("engagement_events", handoff: handoff)
        let id = try columns.require("event_id")
        let patronColumn = try columns.require("patron_id")
        let creatorColumn = try columns.require("creator_id")
        let postColumn = columns.optional("post_id")
        let at = try columns.require("event_at")
        var result = EventAggregates(months: window.months.count, categories: tables.categories.count)
        let dayCount = Int((window.asOf - window.start) / 86_400) + 1
        let categoryCount = tables.categories.count
        let typeCount = EventAggregates.eventTypes.count
        result.eventsByDay = Array(repeating: 0, count: dayCount)
        result.eventsByDayCategory = Array(repeating: 0, count: dayCount * categoryCount)
        result.eventsByDayType = Array(repeating: 0, count: dayCount * typeCount)
        let patrons = tables.patrons
        let creators = tables.creators
        let posts = tables.posts
        let postCreator = tables.postCreator
        let postPublished = tables.postPublished
        let creatorCategory = tables.creatorCategory
        let window = window
        let eventType = columns.optional("event_type")
        result.typed = eventType != nil
        let mapEventType = profile.mapsValues("engagement_events", "event_type")
        var patronCache = LookupCache()
        var creatorCache = LookupCache()
        var pairs: PairIndex?
        // Rows read before the pledges arrived: what their pledge checks need, and their keys.
        var pending: [(patron: Int32, creator: Int32, moment: Int64, month: Int16)] = []
        var pendingKeys = CreatorsLoader.KeyList()

        func settle(_ pairs: inout PairIndex, _ patron: Int, _ creator: Int, _ moment: Int64, month: Int?,
                    key: () -> String) {
            let (pledged, pair) = pairs.find(patron: patron, creator: creator, moment: moment)
            if !pledged { result.findings.fail("engagement_while_pledged", "engagement_events", "event_at", key: key()) }
            if let month, pair >= 0 { pairs.mark(pair: Int(pair), month: month) }
        }
        func arrive(_ pledges: PledgeGate.Pledges) {
            var index = PairIndex(pledges, months: window.months.count)
            pendingKeys.bytes.withUnsafeBufferPointer { bytes in
                var start = 0
                for (number, entry) in pending.enumerated() {
                    let end = pendingKeys.ends[number]
                    settle(&index, Int(entry.patron), Int(entry.creator), entry.moment, month: entry.month < 0 ? nil : Int(entry.month),
                           key: { String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) })
                    start = end
                }
            }
            pending = []
            pendingKeys = CreatorsLoader.KeyList()
            pairs = index
        }

        try reader.forEachRow { row in
            result.rows += 1
            if pairs == nil, result.rows & 4_095 == 0, let pledges = gate.ready { arrive(pledges) }
            var typeIndex = typeCount - 1
            if let eventType {
                if let index = Self.field(row, eventType, columns, "event_type", mapped: mapEventType, is: "view", "like", "comment", "share") {
                    typeIndex = index
                } else {
                    result.findings.fail("accepted_values", "engagement_events", "event_type", key: row.string(id))
                }
            }
            guard let moment = row.time(at), moment != noTime else {
                result.findings.fail("valid_timestamp", "engagement_events", "event_at", key: row.string(id))
                return
            }
            guard let patron = patrons.lookup(row[patronColumn], cache: &patronCache),
                  let creator = creators.lookup(row[creatorColumn], cache: &creatorCache) else {
                result.findings.fail("relationships", "engagement_events", "patron_id, creator_id", key: row.string(id))
                return
            }
            if let postColumn, let post = posts.lookup(row[postColumn]) {
                if postCreator[post] != Int32(creator) || postPublished[post] > moment {
                    result.findings.fail("post_of_creator_before_event", "engagement_events", "post_id", key: row.string(id))
                }
            } else if postColumn != nil {
                result.findings.fail("relationships", "engagement_events", "post_id", key: row.string(id))
            }
            if moment > window.asOf { result.findings.fail("no_future_timestamps", "engagement_events", "event_at", key: row.string(id)) }
            let month = window.monthIndex(moment)
            if pairs != nil {
                settle(&pairs!, patron, creator, moment, month: month, key: { row.string(id) })
            } else {
                pending.append((Int32(patron), Int32(creator), moment, Int16(month ?? -1)))
                pendingKeys.append(row[id])
            }
            guard let month else { return }
            let day = Int((moment - window.start) / 86_400)
            result.eventsByDay[day] += 1
            result.eventsByDayCategory[day * categoryCount + Int(creatorCategory[creator])] += 1
            result.eventsByDayType[day * typeCount + typeIndex] += 1
            result.eventsByMonth[month] += 1
            result.eventsByCategory[Int(creatorCategory[creator])] += 1
        }
        guard result.rows > 0 else { throw CSVError(.headerOnly, file: reader.displayName) }
        if pairs == nil {
            guard let pledges = gate.wait() else { throw AuditCancelled() }
            arrive(pledges)
        }
        if let pairs {
            result.engagedMonths = pairs.engagedMonths
            result.pairOf = pairs.pairOf
            result.words = pairs.words
        }
        result.sha256 = reader.sha256
        result.findings.ran("relationships", "engagement_events", "patron_id, creator_id", checked: result.rows)
        result.findings.ran("accepted_values", "engagement_events", "event_type", checked: result.rows)
        result.findings.ran("engagement_while_pledged", "engagement_events", "event_at", checked: result.rows)
        result.findings.ran("no_future_timestamps", "engagement_events", "event_at", checked: result.rows)
        result.findings.ran("post_of_creator_before_event", "engagement_events", "post_id", checked: result.rows)
        return result
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let literal = text.utf8Start
        for index in 0..<bytes.count where bytes[index] != literal[index] { return false }
        return true
    }
}

extension Array {
    /// The element at `index`, or nil outside the array.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
