import Testing
@testable import Auditor

@Suite("flat lists of lists")
struct JaggedTests {
    @Test("items go to their owner's list in their order; a negative owner skips the item; lists sort in place")
    func countingSort() {
        let owners = [2, 0, -1, 2, 0, 1, 2]
        var lists = Jagged<Int>(count: 4, items: owners.count, owner: { owners[$0] }, element: { $0 * 10 })
        #expect(lists.count == 4)
        #expect(Array(lists[0]) == [10, 40] && Array(lists[1]) == [50] && Array(lists[2]) == [0, 30, 60] && lists[3].isEmpty)
        lists.sortEachList(by: >)
        #expect(Array(lists[0]) == [40, 10] && Array(lists[2]) == [60, 30, 0] && Array(lists[1]) == [50])
    }

    @Test("lists built at the end: an empty one, then one grown and its last element replaced")
    func appending() {
        var lists = Jagged<String>()
        lists.startList()
        #expect(lists.lastOfLastList == nil)
        lists.startList()
        lists.appendToLast("a")
        lists.appendToLast("b")
        #expect(lists.lastOfLastList == "b")
        lists.replaceLast("c")
        #expect(lists.count == 2 && lists[0].isEmpty && Array(lists[1]) == ["a", "c"])
    }
}

@Suite("ledger layout")
struct LedgerLayoutTests {
    @Test("a run takes 32 bytes and a subscription 56, as SubscriptionLedger documents, and nil days and moments round-trip")
    func layout() {
        #expect(MemoryLayout<SubscriptionLedger.Run>.stride == 32)
        #expect(MemoryLayout<SubscriptionLedger.Subscription>.stride == 56)
        var subscription = SubscriptionLedger.Subscription(subscriber: -1, start: nil, end: 19_000, startTime: noTime, endTime: nil,
                                                           amount: 9.5, plan: 2, row: 7, pause: nil)
        #expect(subscription.start == nil && subscription.end == 19_000 && subscription.endTime == nil && subscription.subscriber == -1)
        subscription.end = nil
        subscription.endTime = 1_700_000_000
        #expect(subscription.end == nil && subscription.endTime == 1_700_000_000 && subscription.plan == 2 && subscription.row == 7)
    }
}
