import Testing
@testable import Auditor

@Suite("duplicate payments and missing days kernels")
struct LoadProblemKernelTests {
    /// Attempts of one or more owners, as (owner, seconds, amount in cents, succeeded).
    static func duplicates(_ attempts: [(Int32, Int64, Int32, Bool)]) -> [Int] {
        let order = attempts.indices.sorted { (attempts[$0].0, attempts[$0].1, $0) < (attempts[$1].0, attempts[$1].1, $1) }
        return DuplicatePayments.find(order: order, owner: attempts.map(\.0), time: attempts.map(\.1), amount: attempts.map(\.2),
                                      succeeded: { attempts[$0].3 })
    }

    @Test("the same moment is a duplicate; within a day in the same month too; across a month end, after a recovered failure, another amount, another owner or a day apart not")
    func duplicatePayments() {
        let day: Int64 = 86_400
        let march1: Int64 = 1_709_251_200  // 2024-03-01 00:00:00 UTC
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (1, march1 + 600, 500, true)]) == [1])
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (1, march1 + 3_000, 500, true)]) == [1])
        // A signup on the last evening of February, then the billing-day charge of March.
        #expect(Self.duplicates([(1, march1 - 3_600, 500, true), (1, march1 + 3_600, 500, true)]).isEmpty)
        // A failed charge, its retry that succeeds, then the next period's charge an hour later.
        #expect(Self.duplicates([(1, march1 - 3 * day, 500, false), (1, march1 + 600, 500, true), (1, march1 + 4_200, 500, true)]).isEmpty)
        // ... unless the retry itself was loaded twice (same moment): the copy is the duplicate, the next charge still not.
        #expect(Self.duplicates([(1, march1 - 3 * day, 500, false), (1, march1 + 600, 500, true), (1, march1 + 600, 500, true),
                                 (1, march1 + 4_200, 500, true)]) == [2])
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (1, march1 + 700, 900, true)]).isEmpty)
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (2, march1 + 600, 500, true)]).isEmpty)
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (1, march1 + 600 + day, 500, true)]).isEmpty)
        #expect(Self.duplicates([(1, march1 + 600, 500, true), (1, march1 + 600, 500, false)]).isEmpty)
        // Unknown amounts never match; an owner of -1 is no owner.
        #expect(Self.duplicates([(1, march1, DuplicatePayments.unknownAmount, true), (1, march1, DuplicatePayments.unknownAmount, true)]).isEmpty)
        #expect(Self.duplicates([(-1, march1, 500, true), (-1, march1, 500, true)]).isEmpty)
        // A day loaded three times: two duplicates, in visiting order.
        #expect(Self.duplicates([(3, march1, 500, true), (3, march1, 500, true), (3, march1, 500, true)]) == [1, 2])
        #expect(DuplicatePayments.cents(12.345) == 1_235 && DuplicatePayments.cents(.nan) == DuplicatePayments.unknownAmount)
    }

    @Test("a day with no rows is missing where the same weekday of the weeks around it has a median of 10 or more; quiet days, weekends of business-day data and the edges are not")
    func missingDays() {
        // Business days with 40 rows, weekends empty, over twelve weeks (day 0 a Monday).
        var counts = (0..<84).map { $0 % 7 < 5 ? 40 : 0 }
        #expect(MissingDays.find(counts).isEmpty)
        counts[44] = 0  // a Wednesday not loaded
        #expect(MissingDays.find(counts) == [44])
        // A quiet series (a median under 10) has no missing days, whatever is empty.
        #expect(MissingDays.find((0..<84).map { $0 % 3 == 0 ? 0 : 6 }).isEmpty)
        // Days before the first and after the last row are not examined.
        #expect(MissingDays.find([0, 0, 0] + Array(repeating: 30, count: 60) + [0, 0]).isEmpty)
        // Too few same-weekday neighbours (a short series): not judged.
        #expect(MissingDays.find([30, 30, 30, 0, 30, 30, 30, 30, 30, 30, 30]).isEmpty)
        let finding = MissingDays.finding(table: "t", column: "c", counts: counts, firstDay: 19_723)  // 2024-01-01, a Monday
        #expect(finding.failures == 1 && finding.sampleKeys == ["2024-02-14"] && finding.checked == 82)
    }
}
