import Datasets
import TableIO

/// What every measure family reads: the mapping, the role tables, the subscription ledger, the
/// window and the as-of moment.
struct AuditContext {
    let mapping: Mapping
    let tables: [Role: RoleTable]
    /// The dimension tables, by name (read with a key `id` and attributes).
    var dimensions: [String: RoleTable] = [:]
    let ledger: SubscriptionLedger
    /// The months audited, first to last.
    let months: [YearMonth]
    /// The as-of moment, and its day.
    let asOf: Int64
    var asOfDay: Int { SubscriptionLedger.day(asOf)! }
    var lastMonth: YearMonth { months[months.count - 1] }
    /// The last month observed: the window's last, or the as-of moment's when that is earlier.
    var observedLastMonth: YearMonth { min(lastMonth, CivilDate(dayNumber: asOfDay).yearMonth) }
    /// A life's end as the data knows it at the as-of moment: an end after it is still open.
    func knownEnd(_ end: Int?) -> Int? { end.flatMap { $0 <= asOfDay ? $0 : nil } }

    subscript(role: Role) -> RoleTable? { tables[role] }
}
