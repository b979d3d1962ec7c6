import Datasets
import TableIO

/// Payments (SPEC section 9, on the payments role): an attempt is a payment whose status is
/// `succeeded` or `failed` (after the mapping's value map) and, where the type is mapped, whose
/// type is `payment`; the initial attempt of a (subscription, calendar month) is its earliest.
///
/// - `payments.failure_rate`: failed initial attempts / initial attempts;
/// - `payments.recovered_7d`: failed initial attempts followed by a succeeded attempt of the same
///   subscription within 7 days / failed initial attempts;
/// - `payments.success_rate`: succeeded attempts / attempts;
/// - `payments.collected`: succeeded amounts by calendar month (series).
enum PaymentMeasures {
    static func measure(_ context: AuditContext, into result: inout Measurements) {
        guard let table = context[.payments] else { return }
        guard let status = table.texts["status"], let times = table.times["time"] else {
            result.skipped.append(SkippedMeasure(measure: "payments.*", reason: "\(table.source) has no status column (payments.status)"))
            return
        }
        guard let owner = table.texts["subscription"] ?? table.texts["subscriber"] else {
            result.skipped.append(SkippedMeasure(measure: "payments.failure_rate, payments.recovered_7d",
                                                 reason: "\(table.source) maps neither payments.subscription nor payments.subscriber"))
            return
        }
        let types = table.texts["type"]
        let amounts = table.amounts["amount"]
        let statusCodes = status.values.map { $0 == "succeeded" ? 1 : ($0 == "failed" ? 0 : -1) }
        let typeIsPayment = types.map { column in column.values.map { $0 == "payment" } }
        let first = context.months[0].firstDay.dayNumber
        let months = context.months
        // Attempts in the window: (owner, time, succeeded).
        var attempts: [(owner: Int32, time: Int64, succeeded: Bool, row: Int)] = []
        var collected = Array(repeating: 0.0, count: months.count)
        for row in 0..<table.rows {
            let code = status.codes[row]
            guard code >= 0, statusCodes[Int(code)] >= 0, times[row] != noTime, times[row] <= context.asOf,
                  let day = SubscriptionLedger.day(times[row]), day >= first else { continue }
            if let types, let typeIsPayment { guard types.codes[row] >= 0, typeIsPayment[Int(types.codes[row])] else { continue } }
            let succeeded = statusCodes[Int(code)] == 1
            attempts.append((owner.codes[row], times[row], succeeded, row))
            if succeeded, let amounts, !amounts[row].isNaN {
                let index = months[0].months(to: CivilDate(dayNumber: day).yearMonth)
                if index >= 0 && index < months.count { collected[index] += amounts[row] }
            }
        }
        attempts.sort { ($0.owner, $0.time, $0.row) < ($1.owner, $1.time, $1.row) }
        var initial = 0, failedInitial = 0, recovered = 0, succeeded = 0
        var index = 0
        while index < attempts.count {
            let attempt = attempts[index]
            if attempt.succeeded { succeeded += 1 }
            let month = CivilDate(dayNumber: SubscriptionLedger.day(attempt.time)!).yearMonth
            let isInitial = index == 0 || attempts[index - 1].owner != attempt.owner
                || CivilDate(dayNumber: SubscriptionLedger.day(attempts[index - 1].time)!).yearMonth != month
            if isInitial && attempt.owner >= 0 {
                initial += 1
                if !attempt.succeeded {
                    failedInitial += 1
                    var next = index + 1
                    while next < attempts.count && attempts[next].owner == attempt.owner && attempts[next].time <= attempt.time + 7 * 86_400 {
                        if attempts[next].succeeded && attempts[next].time > attempt.time {
                            recovered += 1
                            break
                        }
                        next += 1
                    }
                }
            }
            index += 1
        }
        result.metrics["payments.failure_rate"] = .share(failedInitial, of: initial)
        result.metrics["payments.recovered_7d"] = .share(recovered, of: failedInitial)
        result.metrics["payments.success_rate"] = .share(succeeded, of: attempts.count)
        if amounts != nil {
            result.metrics["payments.collected"] = Measurement(series: zip(months, collected).map { SeriesPoint(key: $0.description, value: $1) })
        }
    }
}
