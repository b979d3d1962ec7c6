import Datasets
import TableIO

extension CreatorsTables {
    /// The patrons and pledges as the subscribers and subscriptions roles, with the ledger the
    /// measure families read: the engine's tables, loaded once, measured by the families' code.
    ///
    /// `churn`: the mapping's definition (nil: the built-in profile's). Pledge i is row i of the subscriptions (and, the churn unit being the pledge, unit i of
    /// the ledger when every pledge has a start).
    func familyContext(window: CreatorsWindow, churn: ChurnDefinition?) throws -> AuditContext {
        guard var mapping = try BuiltInProfiles.mapping("creators"), let patronRoles = mapping[.subscribers],
              let pledgeRoles = mapping[.subscriptions] else { throw AuditError.invalidData("the built-in creators profile does not load") }
        if let churn { mapping.churn = churn }
        var subscribers = RoleTable(role: .subscribers, source: "patrons", mapping: patronRoles, labelWord: "row")
        subscribers.rows = patrons.count
        subscribers.sourceRows = patrons.count
        subscribers.texts["id"] = TextColumn(dictionary: patrons, codes: (0..<Int32(patrons.count)).map { $0 })
        subscribers.times["signup"] = patronCreated

        var subscriptions = RoleTable(role: .subscriptions, source: "pledges", mapping: pledgeRoles, labelWord: "row")
        subscriptions.rows = pledges.count
        subscriptions.sourceRows = pledges.count
        subscriptions.texts["id"] = TextColumn(dictionary: pledges, codes: (0..<Int32(pledges.count)).map { $0 })
        subscriptions.texts["subscriber"] = TextColumn(dictionary: patrons, codes: pledgePatron)
        subscriptions.texts["group"] = TextColumn(dictionary: creators, codes: pledgeCreator)
        // Reason codes: -1 none, 0 voluntary, 1 payment_failed, 2 creator_removed, 3 another value.
        var reasons = ByteInterner(capacity: 8)
        for name in ["voluntary", "payment_failed", "creator_removed", "other"] { _ = Array(name.utf8).withUnsafeBufferPointer { reasons.intern($0) } }
        subscriptions.texts["churn_reason"] = TextColumn(dictionary: reasons, codes: pledgeReason.map(Int32.init))
        subscriptions.times["start"] = pledgeStart
        subscriptions.times["end"] = pledgeEnd
        subscriptions.times["pause_start"] = pledgePause
        subscriptions.amounts["amount"] = pledgeAmountCents.map { Double($0) / 100 }

        let ledger = SubscriptionLedger(subscribers: subscribers, subscriptions: subscriptions, churnEvents: nil, mapping: mapping)
        return AuditContext(mapping: mapping, tables: [.subscribers: subscribers, .subscriptions: subscriptions], ledger: ledger,
                            months: window.months, asOf: window.asOf)
    }
}
