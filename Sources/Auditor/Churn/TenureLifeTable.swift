/// Churn hazard by tenure, SPEC section 9's life table on complete intervals, for any lives:
/// tenure month k of a life is [start + (k-1) T, start + k T) with T = 30.4375 days; n_k counts
/// the lives active at the start of their month k whose whole month k lies inside the window,
/// d_k those of them ending within it. `churn.hazard.m1` = d_1 / n_1; `m2_3`, `m4_12` and
/// `m13_plus` pool d and n over k = 2-3, 4-12 and >= 13.
///
/// - Complexity: O(lives x window months) at most: each life walks only its months inside the window.
struct TenureLifeTable {
    /// One tenure month in seconds.
    static let tenure: Int64 = 2_629_800

    let windowStart: Int64
    /// The end of the as-of second: a tenure month must end by then to count.
    let limit: Int64
    private(set) var exposed = [0, 0, 0, 0]
    private(set) var died = [0, 0, 0, 0]

    init(windowStart: Int64, asOf: Int64) {
        self.windowStart = windowStart
        self.limit = asOf + 1
    }

    /// Adds one life, in seconds; `end` is `Int64.max` while it is open.
    mutating func add(start: Int64, end: Int64) {
        let tenure = Self.tenure
        var k: Int64 = start >= windowStart ? 1 : (windowStart - start + tenure - 1) / tenure + 1
        while true {
            let intervalStart = start + (k - 1) * tenure, intervalEnd = start + k * tenure
            if intervalEnd > limit || end <= intervalStart { break }
            let band = k == 1 ? 0 : (k <= 3 ? 1 : (k <= 12 ? 2 : 3))
            exposed[band] += 1
            if end < intervalEnd { died[band] += 1 }
            k += 1
        }
    }

    func record(into result: inout Measurements) {
        for (band, name) in ["m1", "m2_3", "m4_12", "m13_plus"].enumerated() {
            result.metrics["churn.hazard.\(name)"] = .share(died[band], of: exposed[band])
        }
    }
}
