import Testing
import TableIO
@testable import Generator

/// MRR arithmetic on hand-built customers, where every figure is worked out by hand.
@Suite("SaaS MRR movements")
struct SaaSMovementTests {
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    static func subscription(_ customer: Int, _ start: String, _ end: String?, _ cents: Int, _ tier: SaaSTier) -> SaaSSubscription {
        SaaSSubscription(id: "sub_\(customer)_\(start)", customerIndex: customer, start: day(start),
                         end: end.map(day), mrrCents: cents, tier: tier)
    }

    /// Four customers: stable; upgrade then churn in the same month; signup and churn in one
    /// month; downgrade on the first day of a month.
    static let dataset: SaaSDataset = {
        let customers = [
            SaaSCustomer(id: "cus_a", email: "a@x.com", signup: day("2023-01-10"), subscriptions: [
                subscription(0, "2023-01-10", nil, 5_000, .starter),
            ]),
            SaaSCustomer(id: "cus_b", email: "b@x.com", signup: day("2023-01-31"), subscriptions: [
                subscription(1, "2023-01-31", "2023-03-05", 20_000, .pro),
                subscription(1, "2023-03-05", "2023-03-20", 150_000, .enterprise),
            ]),
            SaaSCustomer(id: "cus_c", email: "c@x.com", signup: day("2023-02-02"), subscriptions: [
                subscription(2, "2023-02-02", "2023-02-28", 9_900, .starter),
            ]),
            SaaSCustomer(id: "cus_d", email: "d@x.com", signup: day("2023-02-15"), subscriptions: [
                subscription(3, "2023-02-15", "2023-04-01", 100_000, .enterprise),
                subscription(3, "2023-04-01", nil, 30_000, .pro),
            ]),
        ]
        return SaaSDataset(parameters: SaaSParameters(), customers: customers)
    }()

    @Test("movements by month, worked by hand")
    func movementsByHand() {
        let movements = Self.dataset.movements
        #expect(movements.count == 24)
        #expect(movements[0] == SaaSMovement(month: YearMonth(year: 2023, month: 1), newCents: 25_000))
        #expect(movements[1] == SaaSMovement(month: YearMonth(year: 2023, month: 2), newCents: 109_900, churnCents: 9_900))
        #expect(movements[2] == SaaSMovement(month: YearMonth(year: 2023, month: 3), expansionCents: 130_000, churnCents: 150_000))
        #expect(movements[3] == SaaSMovement(month: YearMonth(year: 2023, month: 4), contractionCents: 70_000))
        #expect(movements[3].netCents == -70_000)
    }

    @Test("MRR at month ends, worked by hand")
    func mrrByHand() {
        let series = Self.dataset.mrrSeriesCents
        #expect(Array(series.prefix(5)) == [25_000, 125_000, 105_000, 35_000, 35_000])
        // A subscription ending on the last day of a month is not active at its end.
        #expect(Self.dataset.mrrCents(atEndOf: Self.day("2023-02-28")) == 125_000)
        #expect(Self.dataset.mrrCents(atEndOf: Self.day("2023-02-27")) == 134_900)
    }

    @Test("MRR(m) - MRR(m-1) = net(m) to the cent, for generated datasets", arguments: 0..<12)
    func identityHolds(seed: UInt64) {
        for dataset in [Self.dataset, SaaSModel(seed: seed).generate()] {
            var previous = 0
            for (movement, level) in zip(dataset.movements, dataset.mrrSeriesCents) {
                #expect(level - previous == movement.netCents, "month \(movement.month)")
                previous = level
            }
        }
    }

    @Test("customer accessors follow the latest subscription")
    func customerAccessors() {
        let customers = Self.dataset.customers
        #expect(customers[1].isChurned && customers[1].churnDate == Self.day("2023-03-20"))
        #expect(customers[1].currentMRRCents == 0 && customers[1].currentTier == .enterprise)
        #expect(customers[1].upgradeCount == 1 && customers[1].downgradeCount == 0)
        #expect(!customers[3].isChurned && customers[3].currentMRRCents == 30_000)
        #expect(customers[3].downgradeCount == 1 && customers[3].firstTier == .enterprise)
    }
}
