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
