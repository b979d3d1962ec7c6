import TableIO

/// Identifier widths: the seed's widths (`cr_0001`, `pa_00001`, ...), wider when the scale needs it.
struct IdentifierWidths: Sendable {
    var creator, patron, tier, pledge, post, transaction, event: Int

    init(scale: Double) {
        func width(_ base: Int, _ expected: Double) -> Int {
            var digits = 1
            var limit = 10.0
            while expected >= limit { digits += 1; limit *= 10 }
            return max(base, digits)
        }
        // Generous bounds, fixed by the scale alone so the widths never depend on the draws.
        creator = width(4, 500 * scale * 1.2)
        patron = width(5, 15_000 * scale * 1.5)
        tier = width(5, 2_000 * scale * 1.2)
        pledge = width(6, 25_000 * scale * 2)
        post = width(5, 8_000 * scale * 3)
        transaction = width(7, 200_000 * scale * 3)
        event = width(7, 500_000 * scale * 3)
    }
}

/// Formats the rows of the seven tables; the headers are the seed's columns, in the seed's order.
enum CreatorRows {
    static let creatorsHeader: StaticString = "creator_id,creator_name,email,category,subcategory,country_code,currency_code,plan_type,is_nsfw,is_verified,created_at,first_pledge_received_at,last_post_at,status\n"
    static let patronsHeader: StaticString = "patron_id,patron_name,email,country_code,created_at,first_pledge_at,lifetime_spend_usd,status\n"
    static let tiersHeader: StaticString = "tier_id,creator_id,tier_name,tier_rank,price_usd,description,is_active,created_at,archived_at\n"
    static let pledgesHeader: StaticString = "pledge_id,patron_id,creator_id,tier_id,pledge_amount_usd,pledge_status,is_first_pledge,started_at,ended_at,pause_started_at,churn_reason\n"
    static let transactionsHeader: StaticString = "transaction_id,pledge_id,patron_id,creator_id,transaction_type,transaction_status,gross_amount_usd,platform_fee_usd,processing_fee_usd,net_amount_usd,payment_method,failure_reason,transaction_at\n"
    static let postsHeader: StaticString = "post_id,creator_id,title,post_type,access_level,minimum_tier_id,published_at,is_pinned\n"
    static let eventsHeader: StaticString = "event_id,patron_id,creator_id,post_id,event_type,event_at\n"

    static func id(_ prefix: StaticString, _ number: Int, _ width: Int, into buffer: ByteBuffer) {
        buffer.append(prefix)
        buffer.append(int: number, width: width)
    }

    static func optionalTimestamp(_ moment: Timestamp?, into buffer: ByteBuffer) {
        if let moment { buffer.appendTimestamp(moment) }
    }
}

/// The processing fee of a successful payment: 2.9% + $0.30, rounded half up to the cent.
@inlinable
func processingFeeCents(_ gross: Int) -> Int {
    (gross * 29 + 500) / 1_000 + 30
}

/// The platform fee at `basisPoints`, rounded half up to the cent.
@inlinable
func platformFeeCents(_ gross: Int, basisPoints: Int) -> Int {
    (gross * basisPoints + 5_000) / 10_000
}

/// Counters of one chunk of pledges, summed for the run's summary.
struct PaymentTally: Sendable {
    var attempts = 0
    var failedAttempts = 0
    var succeededAttempts = 0
    var transactions = 0
    var events = 0

    mutating func add(_ other: PaymentTally) {
        attempts += other.attempts
        failedAttempts += other.failedAttempts
        succeededAttempts += other.succeededAttempts
        transactions += other.transactions
        events += other.events
    }
}

/// Formats one chunk of transactions and engagement events. Row identifiers are written as
/// zeros and patched by the writer, which alone knows how many rows came before the chunk.
struct ChunkSink: PledgeSink {
    let transactions = ByteBuffer(capacity: 1 << 20)
    let events = ByteBuffer(capacity: 1 << 21)
    /// Offsets of each row's identifier digits.
    var transactionIDOffsets: [Int32] = []
    var eventIDOffsets: [Int32] = []
    var tally = PaymentTally()
    let widths: IdentifierWidths

    // The pledge being simulated.
    var pledge = 0
    var patron = 0
    var creator = 0
    var paymentMethod = 0
    var feeBasisPoints = 0
    var postNumbers: [Int] = []
    /// Succeeded payments minus refunds and chargebacks of the current pledge, in cents.
    var spendCents = 0

    init(widths: IdentifierWidths) {
        self.widths = widths
        transactionIDOffsets.reserveCapacity(1 << 14)
        eventIDOffsets.reserveCapacity(1 << 15)
    }

    mutating func transaction(at moment: Timestamp, type: Int, status: Int, grossCents: Int, failure: Int) {
        tally.transactions += 1
        transactions.append("tx_")
        transactionIDOffsets.append(Int32(transactions.count))
        for _ in 0..<widths.transaction { transactions.append(48) }
        transactions.append(",")
        CreatorRows.id("pl_", pledge, widths.pledge, into: transactions)
        transactions.append(",")
        CreatorRows.id("pa_", patron, widths.patron, into: transactions)
        transactions.append(",")
        CreatorRows.id("cr_", creator, widths.creator, into: transactions)
        transactions.append(",")
        switch type {
        case 0: transactions.append("pledge_payment,")
        case 1: transactions.append("refund,")
        default: transactions.append("chargeback,")
        }
        switch status {
        case 0: transactions.append("pending,")
        case 1: transactions.append("succeeded,")
        case 2: transactions.append("failed,")
        default: transactions.append("refunded,")
        }
        transactions.append(cents: grossCents)
        transactions.append(",")
        if type == 0 && status == 1 {
            let platform = platformFeeCents(grossCents, basisPoints: feeBasisPoints)
            let processing = processingFeeCents(grossCents)
            transactions.append(cents: platform)
            transactions.append(",")
            transactions.append(cents: processing)
            transactions.append(",")
            transactions.append(cents: grossCents - platform - processing)
            spendCents += grossCents
            tally.attempts += 1
            tally.succeededAttempts += 1
        } else if type == 0 {
            transactions.append("0.00,0.00,0.00")
            if status == 2 {
                tally.attempts += 1
                tally.failedAttempts += 1
            }
        } else {
            transactions.append("0.00,0.00,")
            transactions.append(cents: grossCents)
            spendCents -= grossCents
        }
        transactions.append(",")
        switch paymentMethod {
        case 0: transactions.append("card,")
        case 1: transactions.append("paypal,")
        case 2: transactions.append("apple_pay,")
        default: transactions.append("google_pay,")
        }
        if failure >= 0 {
            switch failure {
            case 0: transactions.append("card_declined")
            case 1: transactions.append("insufficient_funds")
            case 2: transactions.append("card_expired")
            case 3: transactions.append("processing_error")
            default: transactions.append("processor_unavailable")
            }
        }
        transactions.append(",")
        transactions.appendTimestamp(moment)
        transactions.append(10)
    }

    mutating func event(at moment: Timestamp, post: Int, type: Int) {
        tally.events += 1
        events.append("ev_")
        eventIDOffsets.append(Int32(events.count))
        for _ in 0..<widths.event { events.append(48) }
        events.append(",")
        CreatorRows.id("pa_", patron, widths.patron, into: events)
        events.append(",")
        CreatorRows.id("cr_", creator, widths.creator, into: events)
        events.append(",")
        CreatorRows.id("po_", postNumbers[post], widths.post, into: events)
        events.append(",")
        switch type {
        case 0: events.append("view,")
        case 1: events.append("like,")
        case 2: events.append("comment,")
        default: events.append("share,")
        }
        events.appendTimestamp(moment)
        events.append(10)
    }
}
