/// A list of lists stored flat: list i is `elements[offsets[i] ..< offsets[i + 1]]`. One
/// allocation for millions of short lists (a subscriber's subscriptions, a unit's lives)
/// instead of one each.
struct Jagged<Element> {
    private(set) var elements: [Element] = []
    private(set) var offsets: [Int] = [0]

    init() {}

    /// The lists of `count` owners from items 0 ..< `items`: item i goes to list `owner(i)`
    /// (skipped when negative) as `element(i)`; within a list the items keep their order (a
    /// stable counting sort, two passes, one allocation).
    init(count: Int, items: Int, owner: (Int) -> Int, element: (Int) -> Element) {
        var offsets = Array(repeating: 0, count: count + 1)
        var total = 0
        for item in 0..<items {
            let list = owner(item)
            if list >= 0 {
                offsets[list + 1] += 1
                total += 1
            }
        }
        for index in 0..<count { offsets[index + 1] += offsets[index] }
        var fill = offsets
        elements = Array(unsafeUninitializedCapacity: total) { buffer, initialized in
            for item in 0..<items {
                let list = owner(item)
                guard list >= 0 else { continue }
                (buffer.baseAddress! + fill[list]).initialize(to: element(item))
                fill[list] += 1
            }
            initialized = total
        }
        self.offsets = offsets
    }

    var count: Int { offsets.count - 1 }
    var indices: Range<Int> { 0..<count }

    subscript(index: Int) -> ArraySlice<Element> {
        elements[offsets[index]..<offsets[index + 1]]
    }

    /// Starts a new, empty list at the end.
    mutating func startList() {
        offsets.append(elements.count)
    }

    /// Appends an element to the last list.
    mutating func appendToLast(_ element: Element) {
        elements.append(element)
        offsets[offsets.count - 1] = elements.count
    }

    /// The last element of the last list, if that list has one.
    var lastOfLastList: Element? {
        offsets[offsets.count - 1] > offsets[offsets.count - 2] ? elements[elements.count - 1] : nil
    }

    /// Replaces the last element of the last list (which has one).
    mutating func replaceLast(_ element: Element) {
        elements[elements.count - 1] = element
    }

    mutating func reserveCapacity(lists: Int, elements count: Int) {
        offsets.reserveCapacity(lists + 1)
        elements.reserveCapacity(count)
    }

    /// Sorts each list in place by `areInIncreasingOrder`.
    mutating func sortEachList(by areInIncreasingOrder: (Element, Element) -> Bool) {
        let offsets = self.offsets
        elements.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<(offsets.count - 1) where offsets[index + 1] - offsets[index] > 1 {
                var list = UnsafeMutableBufferPointer(rebasing: buffer[offsets[index]..<offsets[index + 1]])
                list.sort(by: areInIncreasingOrder)
            }
        }
    }
}
