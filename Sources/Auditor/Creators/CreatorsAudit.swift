import Dispatch
import Foundation
import TableIO

/// Audits a creator-economy dataset (a folder of CSV files or a SQLite database of the same tables): the small tables into memory, then
/// `transactions.csv` and `engagement_events.csv` streamed at the same time on two threads.
struct CreatorsAudit {
    let source: CreatorsSource
    var profile = MappingProfile.creators

    static let files = ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "transactions.csv", "posts.csv",
                        "engagement_events.csv"]

    /// The files without which no creators audit can run; the other two are optional.
    static let requiredFiles = ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "posts.csv"]

    func run() throws -> (Measurements, [AuditInput]) {
        let phases = Phases()
        let window = CreatorsWindow(first: profile.firstMonth, last: profile.lastMonth)
        let hasTransactions = source.exists(profile.file("transactions"))
        let hasEvents = source.exists(profile.file("engagement_events"))
        // Creators and tiers here; then the second thread loads posts and patrons and goes on to
        // the events file while this one loads the pledges (the events pass waits for them only
        // for its pledge checks, buffering those meanwhile).
        let loader = CreatorsLoader(source: source, profile: profile)
        var tables = try loader.loadCore()
        let core = UnsafeTransfer(tables)
        let sideTables = Promise<UnsafeTransfer<CreatorsTables>>()
        let gate = PledgeGate()
        let handoff = DigestHandoff()
        let source = source
        let profile = profile
        let eventsWork = Background {
            defer { handoff.finish() }
            let side: CreatorsTables
            do {
                side = try loader.loadSide(core.value)
                sideTables.fulfill(.success(UnsafeTransfer(side)))
            } catch {
                sideTables.fulfill(.failure(error))
                throw error
            }
            return try phases.time("engagement_events.csv (thread 2)") {
                hasEvents ? try CreatorsStreams(source: source, tables: side, window: window, profile: profile)
                        .events(handoff: handoff, gate: gate)
                    : EventAggregates(months: window.months.count, categories: side.categories.count)
            }
        }
        do {
            var patronKeys = CreatorsLoader.KeyList()
            try loader.loadPledges(&tables, patronKeys: &patronKeys)
            loader.assemble(&tables, side: try sideTables.value().value, patronKeys: patronKeys)
        } catch {
            gate.close()
            throw error
        }
        gate.open(PledgeGate.Pledges(patron: tables.pledgePatron, creator: tables.pledgeCreator, start: tables.pledgeStart,
                                     end: tables.pledgeEnd, patrons: tables.patrons.count))
        phases.mark("load the five small tables (events begun on thread 2)")
        // The families on the pledges alone run beside the two streamed passes: on two cores they
        // fill the time one pass waits for the other.
        let loaded = UnsafeTransfer(tables)
        let churn = profile.churn
        let pledgeFamilies = Background { () throws -> UnsafeTransfer<(AuditContext, Measurements)> in
            let context = try phases.time("pledges for the measure families (thread 3)") {
                try loaded.value.familyContext(window: window, churn: churn)
            }
            var part = Measurements()
            phases.time("pledge families (thread 3)") { CreatorsMeasures.pledgeFamilies(context, phases: phases, into: &part) }
            return UnsafeTransfer((context, part))
        }
        let streams = CreatorsStreams(source: source, tables: tables, window: window, profile: profile)
        let transactions = try phases.time("transactions.csv (thread 1)") {
            hasTransactions ? try streams.transactions()
                : TransactionAggregates(creators: tables.creators.count, patrons: tables.patrons.count)
        }
        // If the events pass is still running, this thread takes over hashing its file, then
        // computes everything that does not read the events while the other thread finishes.
        var eventsDigest: String?
        if hasEvents, case .folder(let directory) = source {
            let eventsFile = directory + "/" + profile.file("engagement_events")
            eventsDigest = try phases.time("engagement_events.csv SHA-256 rest (thread 1)") { try handoff.takeOver(path: eventsFile) }
        }
        let (context, familyPart) = try pledgeFamilies.value().value
        var result = familyPart
        let noEvents = EventAggregates(months: window.months.count, categories: tables.categories.count)
        phases.time("measures without the events (thread 1)") {
            CreatorsMeasures(tables: tables, transactions: transactions, events: noEvents, window: window, context: context,
                             hasTransactions: hasTransactions, hasEvents: hasEvents, phases: phases).measureWithoutEvents(into: &result)
        }
        // The detector, and the slice scan's series but the events'; those are scored on the
        // second thread once its pass ends, and the incidents found from all of them together.
        let paymentScan: SliceScan.Scored
        (result.anomalies, paymentScan) = phases.time("anomalies (thread 1)") {
            anomalies(tables: tables, window: window, tallies: hasTransactions ? transactions.tallies : nil)
        }
        var events = try eventsWork.value()
        if events.sha256 == nil { events.sha256 = eventsDigest }
        phases.mark("stream the two large files, measures and anomalies beside the events")

        // The events measures on the second thread while this one runs the data tests.
        let finished = UnsafeTransfer((tables, transactions, events, context))
        let eventMeasures = Background { () -> UnsafeTransfer<(Measurements, SliceScan.Scored)> in
            var part = Measurements()
            let (tables, transactions, events, context) = finished.value
            CreatorsMeasures(tables: tables, transactions: transactions, events: events, window: window, context: context,
                             hasTransactions: hasTransactions, hasEvents: hasEvents).measureEvents(into: &part)
            let series = CreatorsSeries(tables: tables, window: window, payments: nil)
            let engagement = hasEvents ? CreatorsSeries.engagement(events, days: series.windowDays, categoryNames: series.categoryNames) : nil
            return UnsafeTransfer((part, SliceScan.score(AnomalyAnalysis.bounded(engagement.map { [$0] } ?? []))))
        }
        // After the streamed passes' tests, those the measures ran (duplicate payments).
        result.integrity = integrity(tables: tables, transactions: transactions, events: events, window: window) + result.integrity
        let (part, eventScan) = try eventMeasures.value().value
        result.anomalies?.setIncidents(SliceScan.incidents(SliceScan.combine([paymentScan, eventScan])))
        result.metrics.merge(part.metrics) { first, _ in first }
        result.charts.seasonal += part.charts.seasonal
        result.charts.lines += part.charts.lines
        phases.mark("data tests beside the events measures")
        Self.skipMissing(tables.missing.union(transactions.missing), in: &result)
        if !hasTransactions {
            result.integrity.removeAll { $0.table == "transactions" || $0.test == "lifetime_spend" }
            result.skipped.append(SkippedMeasure(
                measure: "payments.*, billing.day1_3_share, revenue.*, creators.emerging_under20_share, growth.*, shape.transactions_per_creator, lifetime_spend",
                reason: "transactions.csv is missing"))
        }
        if !hasEvents {
            result.integrity.removeAll { $0.table == "engagement_events" }
            result.skipped.append(SkippedMeasure(measure: "engagement.*, seasonality.summer_lift, shape.events_per_creator",
                                                 reason: "engagement_events.csv is missing"))
        }

        var inputs: [AuditInput] = []
        let rows = ["creators.csv": tables.creators.count, "patrons.csv": tables.patrons.count, "tiers.csv": tables.tiers.count,
                    "pledges.csv": tables.pledges.count, "transactions.csv": transactions.rows, "posts.csv": tables.posts.count,
                    "engagement_events.csv": events.rows]
        var digests = tables.digests
        digests["transactions.csv"] = transactions.sha256
        digests["engagement_events.csv"] = events.sha256
        switch source {
        case .folder(let directory):
            for file in Self.files {
                let theirs = profile.file(String(file.dropLast(4)))
                guard InputFile.exists(directory + "/" + theirs) else { continue }
                let digest = try digests[theirs] ?? SHA256.hexDigest(ofFile: directory + "/" + theirs)
                inputs.append(AuditInput(name: theirs, kind: "csv", rows: rows[file] ?? 0, sha256: digest))
            }
        case .database(let path, _):
            // Every table of the database, with the file's digest (as for any SQLite input).
            let digest = try SHA256.hexDigest(ofFile: path)
            let connection = try SQLiteConnection(path: path, mode: .readOnly)
            for table in try connection.tableNames() {
                let count = Int(try connection.scalar("SELECT COUNT(*) FROM \(SQLiteConnection.quoted(table))").integer ?? 0)
                inputs.append(AuditInput(name: "\((path as NSString).lastPathComponent):\(table)", kind: "sqlite table", rows: count, sha256: digest))
            }
        }
        return (result, inputs)
    }

    /// The anomaly analysis, scored against `anomalies.json` when the folder has one.
    func anomalies(tables: CreatorsTables, window: CreatorsWindow, tallies: PaymentTallies?) -> (AnomalyReport, SliceScan.Scored) {
        let builder = CreatorsSeries(tables: tables, window: window, payments: tallies)
        let series = builder.build()
        let path = source.groundTruthPath
        var truth: [GroundTruthAnomaly]?
        var source: String?
        if InputFile.exists(path) {
            do {
                truth = try GroundTruthAnomaly.load(path)
                source = "anomalies.json"
            } catch {
                source = "anomalies.json could not be used: \(error)"
            }
        }
        var report = AnomalyAnalysis.analyze(series, groundTruth: truth, scan: false)
        let scan = SliceScan.score(AnomalyAnalysis.bounded(series + builder.scanSeries()))
        report.groundTruth = source
        if tallies == nil {
            report.notes.append("transactions.csv is missing: no daily revenue or payment failure series")
        } else if let tallies, !tallies.byCreator {
            report.notes.append("daily series are not split by creator: \(tallies.creators) creators x \(tallies.days) days exceeds the in-memory budget of \(PaymentTallies.creatorCellBudget) cells; the monthly series are")
        }
        return (report, scan)
    }

    /// The data tests that encode our own generator's conventions rather than a property of any
    /// creator-economy dataset, by "test|table|column", with the rule that turns each on: that
    /// `declined` is the status of a payment-failed ending and `paused` of a pledge with a pause,
    /// that a patron is `active` exactly while a pledge is open, our fee schedule and tier prices,
    /// one first-pledge flag per patron, engagement only by patrons pledged at the time. The
    /// built-in profile names them all; a mapping of someone else's data names those it wants.
    static let conventions: [String: String] = [
        "status_consistency|pledges|pledge_status": "creators.pledge_status",
        "status_consistency|patrons|status": "creators.patron_status",
        "fees_by_plan|transactions|platform_fee_usd, processing_fee_usd": "creators.fees_by_plan",
        "payment_amount_is_a_tier_price|transactions|gross_amount_usd": "creators.payment_amounts",
        "payment_amount_matches_pledge_97pct|transactions|gross_amount_usd": "creators.payment_amounts",
        "one_first_pledge|pledges|is_first_pledge": "creators.first_pledge_flags",
        "engagement_while_pledged|engagement_events|event_at": "creators.engagement_while_pledged",
    ]

    /// The names of the convention rules (``conventions``).
    static let conventionRules = Array(Set(conventions.values)).sorted()

    /// What each metric reads beyond the identifiers and start dates.
    static let metricColumns: [(metrics: [String], columns: [String])] = [
        (["mrr.growth", "mrr.series"], ["pledges.pledge_amount_usd"]),
        (["churn.monthly", "churn.monthly.mean", "churn.hazard.m1", "churn.hazard.m2_3", "churn.hazard.m4_12", "churn.hazard.m13_plus"],
         ["pledges.ended_at"]),
        (["churn.reason.voluntary", "churn.reason.payment_failed", "churn.reason.creator_removed", "posting.high_churn_ratio",
          "posting.low_churn_ratio", "engagement.no_engagement_churn_ratio"], ["pledges.ended_at", "pledges.churn_reason"]),
        (["engagement.tier1_rate", "engagement.tier2_rate", "engagement.tier3_rate"], ["pledges.tier_id", "tiers.tier_rank"]),
        (["engagement.top_category"], ["creators.category"]),
        (["creators.emerging_under20_share"], ["creators.first_pledge_received_at"]),
        (["payments.card_expiry_ratio"], ["transactions.failure_reason"]),
    ]

    /// What each data test reads, by "test|table|column".
    static let testColumns: [String: [String]] = [
        "first_pledge_at|patrons|first_pledge_at": ["patrons.first_pledge_at"],
        "lifetime_spend|patrons|lifetime_spend_usd": ["patrons.lifetime_spend_usd"],
        "positive_amounts|patrons|lifetime_spend_usd": ["patrons.lifetime_spend_usd"],
        "status_consistency|patrons|status": ["patrons.status", "pledges.ended_at"],
        "created_before_first_pledge|patrons|created_at": ["patrons.created_at", "patrons.first_pledge_at"],
        "no_future_timestamps|patrons|created_at": ["patrons.created_at"],
        "first_pledge_received_at|creators|first_pledge_received_at": ["creators.first_pledge_received_at"],
        "last_post_at|creators|last_post_at": ["creators.last_post_at"],
        "post_after_creator_created|posts|published_at": ["creators.created_at"],
        "created_before_first_pledge|creators|created_at": ["creators.created_at", "creators.first_pledge_received_at"],
        "no_future_timestamps|creators|created_at": ["creators.created_at"],
        "status_consistency|pledges|churn_reason": ["pledges.churn_reason", "pledges.ended_at"],
        "status_consistency|pledges|pledge_status": ["pledges.pledge_status", "pledges.ended_at", "pledges.pause_started_at", "pledges.churn_reason"],
        "one_first_pledge|pledges|is_first_pledge": ["pledges.is_first_pledge"],
        "positive_amounts|pledges|pledge_amount_usd": ["pledges.pledge_amount_usd"],
        "positive_amounts|tiers|price_usd": ["tiers.price_usd"],
        "payment_amount_is_a_tier_price|transactions|gross_amount_usd": ["pledges.pledge_amount_usd", "tiers.price_usd"],
        "payment_amount_matches_pledge_97pct|transactions|gross_amount_usd": ["pledges.pledge_amount_usd"],
        "fees_by_plan|transactions|platform_fee_usd, processing_fee_usd": ["creators.plan_type", "transactions.platform_fee_usd",
                                                                          "transactions.processing_fee_usd", "transactions.net_amount_usd"],
        "net_equals_gross_minus_fees|transactions|net_amount_usd": ["transactions.platform_fee_usd", "transactions.processing_fee_usd",
                                                                    "transactions.net_amount_usd"],
        "logical_order|pledges|ended_at": ["pledges.ended_at"],
        "logical_order|pledges|pause_started_at": ["pledges.pause_started_at"],
        "same_patron_and_creator_as_pledge|transactions|patron_id, creator_id": ["transactions.patron_id", "transactions.creator_id"],
        "accepted_values|creators|plan_type": ["creators.plan_type"],
        "accepted_values|patrons|status": ["patrons.status"],
        "accepted_values|pledges|churn_reason": ["pledges.churn_reason"],
        "relationships|pledges|tier_id": ["pledges.tier_id"],
    ]

    /// Removes the metrics and data tests that read a missing column and lists them as skipped.
    static func skipMissing(_ missing: Set<String>, in result: inout Measurements) {
        guard !missing.isEmpty else { return }
        for (metrics, columns) in metricColumns {
            let absent = columns.filter(missing.contains)
            guard !absent.isEmpty else { continue }
            for metric in metrics { result.metrics[metric] = nil }
            result.skipped.append(SkippedMeasure(measure: metrics.joined(separator: ", "),
                                                 reason: "missing column \(absent.joined(separator: ", "))"))
        }
        result.integrity.removeAll { finding in
            let key = "\(finding.test)|\(finding.table)|\(finding.column ?? "")"
            let absent = (testColumns[key] ?? []).filter(missing.contains)
            guard !absent.isEmpty else { return false }
            result.skipped.append(SkippedMeasure(measure: "data test \(finding.test) on \(finding.table).\(finding.column ?? "")",
                                                 reason: "missing column \(absent.joined(separator: ", "))"))
            return true
        }
        if missing.contains("pledges.pause_started_at") {
            result.skipped.append(SkippedMeasure(measure: "pauses in mrr.growth and mrr.series",
                                                 reason: "missing column pledges.pause_started_at: every active pledge counts as paying"))
        }
    }

    /// The referential-integrity rules of SPEC 3.3 and the value-level findings of the passes.
    func integrity(tables: CreatorsTables, transactions: TransactionAggregates, events: EventAggregates,
                   window: CreatorsWindow) -> [IntegrityFinding] {
        var counter = FindingCounter()
        for (id, entry) in tables.findings {
            let test = String(id.split(separator: "|")[0])
            counter.entries[id] = IntegrityFinding(test: test, table: entry.table, column: entry.column, failures: entry.failures,
                                                  sampleKeys: entry.keys, checked: entry.checked)
        }
        // Derived columns must equal what the rows say.
        var earliestByPatron = Array(repeating: noTime, count: tables.patrons.count)
        var earliestByCreator = Array(repeating: noTime, count: tables.creators.count)
        var firstFlags = Array(repeating: 0, count: tables.patrons.count)
        for p in 0..<tables.pledges.count {
            let patron = Int(tables.pledgePatron[p])
            let creator = Int(tables.pledgeCreator[p])
            let start = tables.pledgeStart[p]
            if patron >= 0 {
                earliestByPatron[patron] = min(earliestByPatron[patron], start)
                if tables.pledgeFirst[p] { firstFlags[patron] += 1 }
            }
            if creator >= 0 { earliestByCreator[creator] = min(earliestByCreator[creator], start) }
            let end = tables.pledgeEnd[p]
            if end != noTime && end <= start { counter.fail("logical_order", "pledges", "ended_at", key: tables.pledges.string(p)) }
            let pause = tables.pledgePause[p]
            if pause != noTime && (pause < start || (end != noTime && pause >= end)) {
                counter.fail("logical_order", "pledges", "pause_started_at", key: tables.pledges.string(p))
            }
            if start > window.asOf || (end != noTime && end > window.asOf) {
                counter.fail("no_future_timestamps", "pledges", "started_at, ended_at", key: tables.pledges.string(p))
            }
        }
        counter.ran("logical_order", "pledges", "ended_at", checked: tables.pledges.count)
        // Positive amounts, statuses that agree with the dates, creation before the first pledge.
        var openPledges = Array(repeating: false, count: tables.patrons.count)
        for p in 0..<tables.pledges.count {
            let key = tables.pledges.string
            if tables.pledgeAmountCents[p] <= 0 { counter.fail("positive_amounts", "pledges", "pledge_amount_usd", key: key(p)) }
            let ended = tables.pledgeEnd[p] != noTime
            let paused = tables.pledgePause[p] != noTime
            let reason = tables.pledgeReason[p]
            if (reason >= 0) != ended { counter.fail("status_consistency", "pledges", "churn_reason", key: key(p)) }
            switch tables.pledgeStatus[p] {
            case 0: if ended || paused { counter.fail("status_consistency", "pledges", "pledge_status", key: key(p)) }
            case 1: if ended || !paused { counter.fail("status_consistency", "pledges", "pledge_status", key: key(p)) }
            case 2: if !ended || reason == 1 { counter.fail("status_consistency", "pledges", "pledge_status", key: key(p)) }
            case 3: if !ended || reason != 1 { counter.fail("status_consistency", "pledges", "pledge_status", key: key(p)) }
            default: break
            }
            let patron = Int(tables.pledgePatron[p])
            if patron >= 0 && !ended { openPledges[patron] = true }
        }
        for tier in 0..<tables.tiers.count where tables.tierPriceCents[tier] <= 0 {
            counter.fail("positive_amounts", "tiers", "price_usd", key: tables.tiers.string(tier))
        }
        for patron in 0..<tables.patrons.count {
            let key = tables.patrons.string(patron)
            if tables.patronSpendCents[patron] < 0 { counter.fail("positive_amounts", "patrons", "lifetime_spend_usd", key: key) }
            if tables.patronActive[patron] != openPledges[patron] { counter.fail("status_consistency", "patrons", "status", key: key) }
            let created = tables.patronCreated[patron]
            if created != noTime && created > tables.patronFirstPledge[patron] {
                counter.fail("created_before_first_pledge", "patrons", "created_at", key: key)
            }
            if created != noTime && created > window.asOf { counter.fail("no_future_timestamps", "patrons", "created_at", key: key) }
        }
        for creator in 0..<tables.creators.count {
            let created = tables.creatorCreated[creator]
            if created != noTime && tables.creatorFirstPledge[creator] != noTime && created > tables.creatorFirstPledge[creator] {
                counter.fail("created_before_first_pledge", "creators", "created_at", key: tables.creators.string(creator))
            }
            if created != noTime && created > window.asOf {
                counter.fail("no_future_timestamps", "creators", "created_at", key: tables.creators.string(creator))
            }
        }
        for post in 0..<tables.posts.count where tables.postPublished[post] != noTime && tables.postPublished[post] > window.asOf {
            counter.fail("no_future_timestamps", "posts", "published_at", key: tables.posts.string(post))
        }
        for (test, table, column, checked) in [
            ("positive_amounts", "pledges", "pledge_amount_usd", tables.pledges.count), ("positive_amounts", "tiers", "price_usd", tables.tiers.count),
            ("positive_amounts", "patrons", "lifetime_spend_usd", tables.patrons.count),
            ("status_consistency", "pledges", "churn_reason", tables.pledges.count), ("status_consistency", "pledges", "pledge_status", tables.pledges.count),
            ("status_consistency", "patrons", "status", tables.patrons.count),
            ("created_before_first_pledge", "patrons", "created_at", tables.patrons.count),
            ("created_before_first_pledge", "creators", "created_at", tables.creators.count),
            ("no_future_timestamps", "patrons", "created_at", tables.patrons.count), ("no_future_timestamps", "creators", "created_at", tables.creators.count),
            ("no_future_timestamps", "posts", "published_at", tables.posts.count),
            ("not_null", "creators", "creator_id", tables.creators.count), ("not_null", "tiers", "tier_id", tables.tiers.count),
            ("not_null", "patrons", "patron_id", tables.patrons.count), ("not_null", "pledges", "pledge_id", tables.pledges.count),
            ("not_null", "pledges", "started_at", tables.pledges.count), ("not_null", "posts", "post_id", tables.posts.count),
            ("not_null", "posts", "published_at", tables.posts.count), ("range", "tiers", "tier_rank", tables.tiers.count),
        ] { counter.ran(test, table, column, checked: checked) }
        for patron in 0..<tables.patrons.count {
            let key = tables.patrons.string(patron)
            if tables.patronFirstPledge[patron] != earliestByPatron[patron] { counter.fail("first_pledge_at", "patrons", "first_pledge_at", key: key) }
            if firstFlags[patron] != 1 { counter.fail("one_first_pledge", "pledges", "is_first_pledge", key: key) }
            if tables.patronSpendCents[patron] != transactions.spendByPatron[patron] {
                counter.fail("lifetime_spend", "patrons", "lifetime_spend_usd", key: key)
            }
        }
        counter.ran("first_pledge_at", "patrons", "first_pledge_at", checked: tables.patrons.count)
        counter.ran("lifetime_spend", "patrons", "lifetime_spend_usd", checked: tables.patrons.count)
        var lastPost = Array(repeating: noTime, count: tables.creators.count)
        for post in 0..<tables.posts.count {
            let creator = Int(tables.postCreator[post])
            guard creator >= 0 else { continue }
            let published = tables.postPublished[post]
            lastPost[creator] = lastPost[creator] == noTime ? published : max(lastPost[creator], published)
            if published < tables.creatorCreated[creator] { counter.fail("post_after_creator_created", "posts", "published_at", key: tables.posts.string(post)) }
        }
        for creator in 0..<tables.creators.count {
            let key = tables.creators.string(creator)
            if tables.creatorFirstPledge[creator] != earliestByCreator[creator] {
                counter.fail("first_pledge_received_at", "creators", "first_pledge_received_at", key: key)
            }
            if tables.creatorLastPost[creator] != lastPost[creator] { counter.fail("last_post_at", "creators", "last_post_at", key: key) }
        }
        counter.ran("first_pledge_received_at", "creators", "first_pledge_received_at", checked: tables.creators.count)
        counter.ran("last_post_at", "creators", "last_post_at", checked: tables.creators.count)
        for (id, entry) in transactions.findings.entries.merging(events.findings.entries, uniquingKeysWith: { $0.failures > 0 ? $0 : $1 }) {
            counter.entries[id] = entry
        }
        // Every test is reported, passing or not, with the rows it looked at.
        let tests: [(String, String, String, Int)] = [
            ("unique", "creators", "creator_id", tables.creators.count), ("unique", "tiers", "tier_id", tables.tiers.count),
            ("unique", "patrons", "patron_id", tables.patrons.count), ("unique", "pledges", "pledge_id", tables.pledges.count),
            ("unique", "posts", "post_id", tables.posts.count),
            ("relationships", "tiers", "creator_id", tables.tiers.count), ("relationships", "pledges", "patron_id", tables.pledges.count),
            ("relationships", "pledges", "creator_id", tables.pledges.count), ("relationships", "pledges", "tier_id", tables.pledges.count),
            ("relationships", "posts", "creator_id", tables.posts.count),
            ("valid_timestamp", "pledges", "started_at", tables.pledges.count), ("valid_timestamp", "pledges", "ended_at", tables.pledges.count),
            ("valid_timestamp", "transactions", "transaction_at", transactions.rows),
            ("valid_timestamp", "engagement_events", "event_at", events.rows),
            ("no_future_timestamps", "pledges", "started_at, ended_at", tables.pledges.count),
            ("no_future_timestamps", "transactions", "transaction_at", transactions.rows),
            ("logical_order", "pledges", "pause_started_at", tables.pledges.count),
            ("one_first_pledge", "pledges", "is_first_pledge", tables.patrons.count),
            ("post_after_creator_created", "posts", "published_at", tables.posts.count),
            ("same_patron_and_creator_as_pledge", "transactions", "patron_id, creator_id", transactions.rows),
            ("net_equals_gross_minus_fees", "transactions", "net_amount_usd", transactions.rows),
            ("accepted_values", "creators", "plan_type", tables.creators.count), ("accepted_values", "patrons", "status", tables.patrons.count),
            ("accepted_values", "pledges", "churn_reason", tables.pledges.count),
        ]
        for (test, table, column, checked) in tests { counter.ran(test, table, column, checked: checked) }
        // Our generator's conventions apply only where the profile names their rule.
        for (id, rule) in Self.conventions where !profile.rules.contains(rule) { counter.entries[id] = nil }
        // Days with no rows at all, on the window's days.
        let firstDay = SubscriptionLedger.day(window.start)!
        counter.entries["no_missing_days|transactions|transaction_at"] = MissingDays.finding(
            table: "transactions", column: "transaction_at", counts: transactions.rowsByDay, firstDay: firstDay)
        counter.entries["no_missing_days|engagement_events|event_at"] = MissingDays.finding(
            table: "engagement_events", column: "event_at", counts: events.eventsByDay, firstDay: firstDay)
        return counter.entries.values.sorted { ($0.table, $0.test, $0.column ?? "") < ($1.table, $1.test, $1.column ?? "") }
    }
}

/// Work on another thread whose result is collected later.
final class Background<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var outcome: Result<Value, any Error>?

    init(_ body: @escaping () throws -> Value) {
        let work = UnsafeTransfer(body)
        DispatchQueue.global().async(group: group) { [self] in
            outcome = Result { try work.value() }
        }
    }

    func value() throws -> Value {
        group.wait()
        return try outcome!.get()
    }
}

/// A value one thread produces and another waits for.
final class Promise<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var outcome: Result<Value, any Error>?

    init() { group.enter() }

    func fulfill(_ result: Result<Value, any Error>) {
        outcome = result
        group.leave()
    }

    func value() throws -> Value {
        group.wait()
        return try outcome!.get()
    }
}

/// Moves a non-Sendable value to another thread that alone uses it.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
