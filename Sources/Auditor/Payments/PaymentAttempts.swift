import TableIO

/// The payment attempts of a dataset and the figures SPEC section 9 defines on them: the one
/// implementation that the payments role (``PaymentMeasures``) and the streamed transactions of
/// the creators engine both feed.
///
/// An attempt is a payment (type `payment`) that succeeded or failed; the initial attempt of an
/// (owner, calendar month) is its earliest, the owner being the subscription it pays (else its
/// subscriber).
///
/// - `payments.failure_rate`: failed initial attempts / initial attempts;
/// - `payments.recovered_7d`: failed initial attempts followed by a succeeded attempt of the same
///   owner within 7 days / failed initial attempts;
/// - `payments.success_rate`: succeeded attempts / attempts;
/// - `payments.card_expiry_ratio`: failures with reason `card_expired` per attempt in December and
///   January over the same in the other months;
/// - `billing.day1_3_share`: payments of any type or status dated on day 1, 2 or 3 of their month
///   / payments with a date.
///
/// The same sort gives the `duplicate_payments` data test (``DuplicatePayments``), returned by
/// ``measure(into:)`` for the caller to name and report.
///
/// - Complexity: O(attempts log attempts) for the sort by owner and time.
struct PaymentAttempts {
    private(set) var owner: [Int32] = []
    private(set) var time: [Int64] = []
    private(set) var failed: [Bool] = []
    private(set) var expired: [Bool] = []
    /// Amounts in cents (``DuplicatePayments/unknownAmount`` where unknown).
    private(set) var amount: [Int32] = []
    /// Payments with a date, and those dated on day 1-3 of their month.
    var dated = 0
    var onDays1to3 = 0

    var count: Int { owner.count }

    init() {}

    /// The attempts of parallel arrays gathered elsewhere (a streamed file's pass), and the dates.
    init(owner: [Int32], time: [Int64], failed: [Bool], expired: [Bool], amount: [Int32], dated: Int, onDays1to3: Int) {
        precondition(owner.count == time.count && time.count == failed.count && failed.count == expired.count && expired.count == amount.count)
        self.owner = owner
        self.amount = amount
        self.time = time
        self.failed = failed
        self.expired = zip(failed, expired).map { $0 && $1 }
        self.dated = dated
        self.onDays1to3 = onDays1to3
    }

    /// One attempt: its owner (-1: none, never an initial attempt), moment, outcome, and whether
    /// it failed because the card expired.
    @inline(__always)
    mutating func add(owner: Int32, time: Int64, failed: Bool, expired: Bool, amount: Int32) {
        self.amount.append(amount)
        self.owner.append(owner)
        self.time.append(time)
        self.failed.append(failed)
        self.expired.append(failed && expired)
    }

    /// One payment of any kind dated on day `dayOfMonth` of its month, for the billing-day share.
    @inline(__always)
    mutating func date(dayOfMonth: Int) {
        dated += 1
        if dayOfMonth <= 3 { onDays1to3 += 1 }
    }

    /// The figures, and the duplicated succeeded payments (indices of attempts, see
    /// ``DuplicatePayments``) with the number of succeeded payments checked.
    @discardableResult
    func measure(into result: inout Measurements) -> (duplicates: [Int], checked: Int) {
        if dated > 0 { result.metrics["billing.day1_3_share"] = .share(onDays1to3, of: dated) }
        guard count > 0 else { return ([], 0) }
        let order = (0..<count).sorted { (owner[$0], time[$0], $0) < (owner[$1], time[$1], $1) }
        var initial = 0, failedInitial = 0, recovered = 0, succeeded = 0
        var expiredFailures = [0, 0], attempts = [0, 0]
        var previousKey: (Int32, Int) = (-1, Int.min)
        for (position, index) in order.enumerated() {
            let attemptOwner = owner[index]
            let moment = time[index]
            if !failed[index] { succeeded += 1 }
            let month = CivilDate(dayNumber: SubscriptionLedger.day(moment)!).yearMonth
            let holiday = month.month == 12 || month.month == 1 ? 1 : 0
            attempts[holiday] += 1
            if expired[index] { expiredFailures[holiday] += 1 }
            let key = (attemptOwner, month.index)
            guard attemptOwner >= 0, key != previousKey else { continue }
            previousKey = key
            initial += 1
            guard failed[index] else { continue }
            failedInitial += 1
            var next = position + 1
            while next < order.count {
                let other = order[next]
                if owner[other] != attemptOwner || time[other] > moment + 7 * 86_400 { break }
                if !failed[other] && time[other] > moment {
                    recovered += 1
                    break
                }
                next += 1
            }
        }
        result.metrics["payments.failure_rate"] = .share(failedInitial, of: initial)
        result.metrics["payments.recovered_7d"] = .share(recovered, of: failedInitial)
        result.metrics["payments.success_rate"] = .share(succeeded, of: count)
        if attempts[0] > 0 && attempts[1] > 0 && expiredFailures[0] > 0 {
            let ratio = (Double(expiredFailures[1]) / Double(attempts[1])) / (Double(expiredFailures[0]) / Double(attempts[0]))
            result.metrics["payments.card_expiry_ratio"] = Measurement(value: ratio, n: count)
        }
        let failed = failed
        return (DuplicatePayments.find(order: order, owner: owner, time: time, amount: amount, succeeded: { !failed[$0] }), count)
    }
}
