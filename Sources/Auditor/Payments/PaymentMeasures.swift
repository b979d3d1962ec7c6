import Datasets
import TableIO

/// Payments on the payments role (SPEC section 9's definitions, in ``PaymentAttempts``): an
/// attempt is a payment in the window whose status is `succeeded` or `failed` (after the
/// mapping's value map) and, where the type is mapped, whose type is `payment`; its owner is the
/// subscription it pays, else its subscriber. A failure with reason `card_expired` (after the
/// value map) feeds `payments.card_expiry_ratio`. Beside them, `payments.collected`: succeeded
/// amounts by calendar month (series).
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
        let reasons = table.texts["failure_reason"]
        let statusCodes = status.values.map { $0 == "succeeded" ? 1 : ($0 == "failed" ? 0 : -1) }
        let typeIsPayment = types.map { column in column.values.map { $0 == "payment" } }
        let expiredCode = reasons.map { column in column.values.map { $0 == "card_expired" } }
        let first = context.months[0].firstDay.dayNumber
        let months = context.months
        var attempts = PaymentAttempts()
        var collected = Array(repeating: 0.0, count: months.count)
        for row in 0..<table.rows {
            guard times[row] != noTime, times[row] <= context.asOf, let day = SubscriptionLedger.day(times[row]), day >= first else { continue }
            let date = CivilDate(dayNumber: day)
            attempts.date(dayOfMonth: date.day)
            let code = status.codes[row]
            guard code >= 0, statusCodes[Int(code)] >= 0 else { continue }
            if let types, let typeIsPayment { guard types.codes[row] >= 0, typeIsPayment[Int(types.codes[row])] else { continue } }
            let succeeded = statusCodes[Int(code)] == 1
            let reason = reasons?.codes[row] ?? -1
            attempts.add(owner: owner.codes[row], time: times[row], failed: !succeeded, expired: reason >= 0 && expiredCode![Int(reason)],
                         amount: amounts.map { DuplicatePayments.cents($0[row]) } ?? DuplicatePayments.unknownAmount)
            if succeeded, let amounts, !amounts[row].isNaN {
                let index = months[0].months(to: date.yearMonth)
                if index >= 0 && index < months.count { collected[index] += amounts[row] }
            }
        }
        attempts.measure(into: &result)
        if amounts != nil {
            result.metrics["payments.collected"] = Measurement(series: zip(months, collected).map { SeriesPoint(key: $0.description, value: $1) })
        }
    }
}
