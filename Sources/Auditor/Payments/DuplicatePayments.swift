import TableIO

/// The `duplicate_payments` data test, one kernel for every payments source. A succeeded
/// payment is a duplicate of its owner's (subscription, else subscriber) previous succeeded
/// payment when both have the same amount and either
/// - the same moment (the same row loaded twice under a new id), or
/// - the same calendar month and less than ``window`` seconds apart, the earlier one not being
///   the recovery of a failed attempt (a retry that pays a failed period may fall on the day of
///   the next period's charge).
/// A monthly charge never repeats within a day of its period; a replayed charge or webhook
/// does. The earlier payment is not counted, so a day loaded twice fails as many rows as it had.
enum DuplicatePayments {
    /// Less than one day apart.
    static let window: Int64 = 86_400
    /// The amount of a payment whose amount is unknown (or beyond $21 million, which 32-bit cents
    /// cannot hold): never a duplicate. Cents in 32 bits keep the amounts of 20 million attempts
    /// at 80 MB.
    static let unknownAmount = Int32.min

    /// The duplicates among the attempts (succeeded and failed payments) visited in `order`:
    /// sorted by owner, then time, so that an owner's attempts come together in time order. As
    /// indices into the arrays, in visiting order.
    static func find(order: [Int], owner: [Int32], time: [Int64], amount: [Int32], succeeded: (Int) -> Bool) -> [Int] {
        var duplicates: [Int] = []
        var currentOwner: Int32 = -1
        var previousFailed = false
        // The owner's last succeeded payment: moment, amount, month, whether it recovered a failure.
        var lastTime = Int64.min
        var lastAmount = unknownAmount
        var lastMonth = Int.min
        var lastRecovered = false
        for index in order where owner[index] >= 0 {
            if owner[index] != currentOwner {
                currentOwner = owner[index]
                previousFailed = false
                lastAmount = unknownAmount
            }
            guard succeeded(index) else {
                previousFailed = true
                continue
            }
            let moment = time[index]
            let month = month(of: moment)
            if amount[index] != unknownAmount && amount[index] == lastAmount
                && (moment == lastTime || (month == lastMonth && moment - lastTime < window && !lastRecovered)) {
                // The original stays the one later payments are compared with.
                duplicates.append(index)
                previousFailed = false
                continue
            }
            lastTime = moment
            lastAmount = amount[index]
            lastMonth = month
            lastRecovered = previousFailed
            previousFailed = false
        }
        return duplicates
    }

    /// The calendar month of a moment, as a month number.
    @inline(__always)
    static func month(of moment: Int64) -> Int {
        guard let day = SubscriptionLedger.day(moment) else { return Int.min }
        return CivilDate(dayNumber: day).yearMonth.index
    }

    /// An amount in cents, for comparison (amounts read as numbers, NaN where unknown).
    static func cents(_ amount: Double) -> Int32 {
        amount.isFinite && abs(amount * 100) < 2_147_483_000 ? Int32((amount * 100).rounded()) : unknownAmount
    }
}
