import Foundation
import Testing
import TableIO
@testable import Generator

/// The SQL integrity checks pass on a generated database and fail on one broken by hand.
@Suite("SaaS integrity checks")
struct SaaSIntegrityTests {
    static func freshDatabase() throws -> String {
        let path = NSTemporaryDirectory() + "saas-\(UUID().uuidString).db"
        try SaaSWriter.write(SaaSModel(seed: 42).generate(), to: path)
        return path
    }

    static func outcome(_ checks: [IntegrityCheck], _ name: String) -> IntegrityCheck.Outcome? {
        checks.first { $0.name == name }?.outcome
    }

    @Test("a generated database passes every check; the churn target is a conflict")
    func passes() throws {
        let checks = try SaaSIntegrity.check(databaseAt: Self.freshDatabase(), asOf: SaaSParameters().asOf)
        #expect(checks.count == 10)
        #expect(checks.filter { $0.outcome == .failed }.isEmpty)
        #expect(Self.outcome(checks, "Monthly churn within 5-8%") == .conflict)
    }

    @Test("each kind of damage is caught by its check", arguments: [
        ("UPDATE day06_mrr_movements SET net_mrr = net_mrr + 1, new_mrr = new_mrr + 1 WHERE month = '2023-05-01'",
         "MRR movements balance correctly"),
        ("UPDATE day06_customers SET mrr_current = mrr_current + 5 WHERE status = 'active' AND rowid = (SELECT MIN(rowid) FROM day06_customers WHERE status = 'active')",
         "Current MRR matches active subscriptions"),
        ("UPDATE day06_subscriptions SET start_date = '2022-12-15' WHERE rowid = 1",
         "All dates within valid range"),
        ("UPDATE day06_subscriptions SET customer_id = 'cus_missing' WHERE rowid = 2",
         "All foreign keys valid"),
        ("DELETE FROM day06_subscriptions WHERE customer_id = (SELECT customer_id FROM day06_customers LIMIT 1)",
         "No orphaned subscriptions or customers"),
    ])
    func catchesDamage(damage: String, check: String) throws {
        let path = try Self.freshDatabase()
        do {
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON;")
            try db.execute(damage)
        }
        let checks = try SaaSIntegrity.check(databaseAt: path, asOf: SaaSParameters().asOf)
        #expect(Self.outcome(checks, check) == .failed, "\(check) after: \(damage)")
    }
}
