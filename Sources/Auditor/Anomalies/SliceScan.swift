import Foundation
import TableIO

/// One slice of a daily rate series: the series itself or the part of it where some dimensions
/// take given values (`payment_method = paypal`, `category = games, tier_rank = 1`), with its
/// numerator and denominator per day.
struct ScanSlice: Sendable {
    /// The series' family: the platform series a family member belongs to, else the series.
    var family: String
    var title: String
    var unit: SurfaceSeries.Unit
    /// (dimension, value) pairs, in the order they narrow the series; empty for the whole series.
    var conditions: [Condition]
    var numerator: [Double]
    var denominator: [Double]

    struct Condition: Sendable, Hashable, Comparable {
        var dimension: String
        var value: String
        static func < (a: Condition, b: Condition) -> Bool { (a.dimension, a.value) < (b.dimension, b.value) }
    }

    var label: String {
        conditions.isEmpty ? "all" : conditions.map { "\($0.dimension) = \($0.value)" }.joined(separator: ", ")
    }
}

/// The scan of every slice of the daily rate series (Documentation/anomalies.md, "Slice scan"):
/// each day of each slice is tested against the same slice on days of the same kind in the three
/// months around it (the same day of the month, or the month's last day) with the binomial
/// variance its volume gives it, inflated by the slice's own overdispersion; the false discovery rate over all of those tests is held at ``q``
/// (Benjamini-Hochberg). A slice's discoveries on adjacent days make a run; runs of one series
/// and sign that overlap make a cluster, whose cause is its most concentrated large slice when
/// that slice carries most of the series' excess, else the whole series (platform-wide);
/// clusters of several series that overlap in time and agree on their cause are one incident.
enum SliceScan {
    /// The false discovery rate over all slice-days.
    static let q = 0.01
    /// Days on each side of a day whose same-kind days give its expected value, and the guard
    /// band left out around it (an incident of up to three days does not set its own expectation).
    static let reach = 92
    static let guardDays = 3
    /// A point is tested when its reference has this many days, and a rate's day this many attempts.
    static let minimumReferenceDays = 3
    static let minimumDenominator = 5.0
    /// A slice is a cluster's cause when it carries this share of the whole series' excess; else
    /// the incident is platform-wide.
    static let minimumCauseShare = 0.75

    struct Test: Sendable {
        var slice: Int
        var point: Int
        var z: Double
        var p: Double
    }

    struct Scored: Sendable {
        var slices: [ScanSlice]
        var keys: [String]
        /// Every test with p <= q (the only ones Benjamini-Hochberg can reject), and the number of tests.
        var candidates: [Test]
        var tests: Int
        /// Expected values of every slice at every point (NaN where untested), for the clusters' excess.
        var expected: [[Double]]
    }

    /// The slices of the daily rate series: each series, then each value of each of its dimensions
    /// that splits its population (one with a denominator: a failure reason splits the failures,
    /// not the attempts), the creator split only on the platform series; a slice reached twice (a
    /// category member and the platform's category value) is scanned once.
    static func slices(_ series: [SurfaceSeries]) -> (slices: [ScanSlice], days: [CivilDate], keys: [String]) {
        var result: [ScanSlice] = []
        var seen = Set<String>()
        var days: [CivilDate] = []
        var keys: [String] = []
        for surface in series where surface.daily && surface.form == .rate {
            guard let surfaceDenominator = surface.denominator else { continue }
            if days.isEmpty { days = surface.days; keys = surface.keys }
            guard surface.days == days else { continue }
            let family = surface.parent ?? surface.id
            let base = zip([surface.memberDimension], [surface.member]).compactMap { dimension, value in
                dimension.flatMap { d in value.map { ScanSlice.Condition(dimension: d, value: $0) } }
            }
            func add(_ conditions: [ScanSlice.Condition], _ numerator: [Double], _ denominator: [Double]) {
                let key = family + "|" + conditions.sorted().map { $0.dimension + "=" + $0.value }.joined(separator: "|")
                guard seen.insert(key).inserted else { return }
                result.append(ScanSlice(family: family, title: surface.title, unit: surface.unit, conditions: conditions,
                                        numerator: numerator, denominator: denominator))
            }
            add(base, surface.numerator, surfaceDenominator)
            let points = surface.keys.indices
            for dimension in surface.dimensions {
                guard let part = dimension.denominator else { continue }
                if surface.member != nil && dimension.name == "creator_id" { continue }
                for (index, value) in dimension.values.enumerated() {
                    let numerator = points.map { dimension.numerator(index, $0) }
                    let denominator = points.map { part(index, $0) }
                    guard numerator.contains(where: { $0 != 0 }) else { continue }
                    add(base + [ScanSlice.Condition(dimension: dimension.name, value: value)], numerator, denominator)
                }
            }
        }
        return (result, days, keys)
    }

    /// The kind of a day for the billing cycle: its day of the month, or 32 for the month's last
    /// day (anniversaries of days 29-31 fall there in shorter months, February's 28th carries four).
    static func kind(_ day: CivilDate) -> Int {
        day.day == day.yearMonth.dayCount ? 32 : day.day
    }

    static func score(_ series: [SurfaceSeries]) -> Scored {
        let (slices, days, keys) = slices(series)
        let references = referenceDays(days.map(kind))
        var candidates: [Test] = []
        var tests = 0
        var expectedAll: [[Double]] = []
        for (index, slice) in slices.enumerated() {
            let (expected, variance) = expectation(slice, references: references)
            expectedAll.append(expected)
            var squares: [Double] = []
            for point in days.indices where !expected[point].isNaN {
                let residual = slice.numerator[point] - expected[point]
                squares.append(residual * residual / variance[point])
            }
            guard !squares.isEmpty else { continue }
            // The slice's overdispersion: the median squared Pearson residual over that of a chi-square with 1 df.
            let dispersion = max(1, (Robust.median(squares) ?? 0) / 0.454936423119572)
            for point in days.indices where !expected[point].isNaN {
                // The binomial tail itself (a normal tail overstates a handful of failures among a few
                // attempts), on the counts shrunk by the overdispersion (quasi-binomial); z is the normal
                // deviate of the same two-sided p-value, signed by the direction of the movement.
                let n = slice.denominator[point]
                let p = binomialTwoSided(slice.numerator[point] / dispersion, n / dispersion, rate: expected[point] / n)
                let z = (slice.numerator[point] < expected[point] ? -1 : 1) * normalDeviate(twoSided: p)
                tests += 1
                if p <= q { candidates.append(Test(slice: index, point: point, z: z, p: p)) }
            }
        }
        return Scored(slices: slices, keys: keys, candidates: candidates, tests: tests, expected: expectedAll)
    }

    /// The reference days of each point: the days of its kind within ``reach`` days on either
    /// side, outside the ``guardDays`` around it (the same for every slice).
    static func referenceDays(_ kinds: [Int]) -> [[Int]] {
        kinds.indices.map { point in
            (max(0, point - reach)...min(kinds.count - 1, point + reach)).filter { day in
                kinds[day] == kinds[point] && abs(day - point) > guardDays
            }
        }
    }

    /// A point's reference days without the ones with the highest and the lowest rate when four
    /// or more remain: an incident on a neighbouring day of the same kind (the
    /// 15th of the month before) must not set this day's expectation.
    static func trimmed(_ days: [Int], _ rows: [[Double]]) -> [Int] {
        guard days.count >= 6 else { return days }
        let value: (Int) -> Double = { day in rows[1][day] > 0 ? rows[0][day] / rows[1][day] : 0 }
        let order = days.sorted { (value($0), $0) < (value($1), $1) }
        return Array(order.dropFirst().dropLast())
    }

    /// The sums of `rows` over a point's reference days.
    @inline(__always)
    static func sums(_ rows: [[Double]], _ days: [Int]) -> [Double] {
        rows.map { row in days.reduce(0.0) { $0 + row[$1] } }
    }

    /// A slice's expected numerator at each point from its own reference days, n p with the rate
    /// p = (F + 0.5) / (N + 1) of those days, and its binomial variance n p (1 - p) before
    /// overdispersion (NaN: not tested).
    static func expectation(_ slice: ScanSlice, references: [[Int]]) -> ([Double], [Double]) {
        let count = references.count
        let rows = [slice.numerator, slice.denominator]
        var expected = [Double](repeating: .nan, count: count)
        var variance = [Double](repeating: .nan, count: count)
        for point in 0..<count {
            let reference = trimmed(references[point], rows)
            let n = slice.denominator[point]
            guard reference.count >= minimumReferenceDays, n >= minimumDenominator else { continue }
            let sums = Self.sums(rows, reference)
            guard sums[1] > 0 else { continue }
            let rate = (sums[0] + 0.5) / (sums[1] + 1)
            expected[point] = n * rate
            variance[point] = n * rate * (1 - rate)
        }
        return (expected, variance)
    }

    /// Twice the smaller binomial tail of `k` events in `n` trials at `rate` (continuous k and n:
    /// the regularized incomplete beta function), at most 1.
    static func binomialTwoSided(_ k: Double, _ n: Double, rate: Double) -> Double {
        guard n > 0, rate > 0, rate < 1 else { return 1 }
        let k = min(max(0, k), n)
        // P(X >= k) = I_rate(k, n - k + 1); P(X <= k) = 1 - I_rate(k + 1, n - k) = I_(1-rate)(n - k, k + 1).
        let upper = k <= 0 ? 1 : IncompleteBeta.regularized(rate, complement: 1 - rate, a: k, b: n - k + 1)
        let lower = k >= n ? 1 : IncompleteBeta.regularized(1 - rate, complement: rate, a: n - k, b: k + 1)
        return min(1, 2 * min(upper, lower))
    }

    /// The x >= 0 with erfc(x / sqrt 2) = p (bisection; 38.5 for the smallest p).
    static func normalDeviate(twoSided p: Double) -> Double {
        guard p < 1 else { return 0 }
        var low = 0.0, high = 40.0
        for _ in 0..<80 {
            let middle = (low + high) / 2
            if erfc(middle / 2.0.squareRoot()) > p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Benjamini-Hochberg at ``q``: the candidates whose p-value is at most q k / m for the
    /// largest such rank k among m tests.
    static func discoveries(_ candidates: [Test], tests: Int, q: Double = SliceScan.q) -> [Test] {
        let sorted = candidates.sorted { ($0.p, $0.slice, $0.point) < ($1.p, $1.slice, $1.point) }
        var cut = 0
        for (rank, test) in sorted.enumerated() where test.p <= q * Double(rank + 1) / Double(max(1, tests)) { cut = rank + 1 }
        return Array(sorted.prefix(cut))
    }
}

/// An incident: discoveries of one or more series over one stretch of days, with one cause.
public struct Incident: Sendable {
    public struct Shown: Sendable {
        public var series: String
        public var title: String
        public var unit: SurfaceSeries.Unit
        /// Observed minus expected over the window, on the platform slice of the series.
        public var excess: Double
        public var slices: Int
    }

    public var start: String
    public var end: String
    public var shows: [Shown]
    /// The cause's conditions ("payment_method = paypal"), empty for a platform-wide incident.
    public var cause: [String: String]
    /// The cause's excess (observed minus expected over the window, in the lead series' unit), and
    /// that over the whole series' excess.
    public var causeExcess: Double
    public var causeShare: Double
    public var p: Double
    public var z: Double
    public var answer: String
}

extension SliceScan {
    /// A slice's run of discoveries: consecutive days (one day's gap allowed) of one sign.
    struct Run {
        var slice: Int
        var sign: Double
        var first: Int
        var last: Int
        var tests: [Test]
        var strongest: Test { tests.min { ($0.p, -abs($0.z), $0.point) < ($1.p, -abs($1.z), $1.point) }! }
    }

    /// Runs of one family and sign whose windows overlap: one movement of the series, with the
    /// slices it shows on.
    struct Cluster {
        var family: String
        var runs: [Run]
        var first: Int { runs.map(\.first).min()! }
        var last: Int { runs.map(\.last).max()! }
        var strongest: Test { runs.map(\.strongest).min { ($0.p, -abs($0.z), $0.slice) < ($1.p, -abs($1.z), $1.slice) }! }
    }

    static func runs(_ found: [Test]) -> [Run] {
        var result: [Run] = []
        let bySlice = Dictionary(grouping: found) { $0.slice * 2 + ($0.z < 0 ? 1 : 0) }
        for key in bySlice.keys.sorted() {
            for test in bySlice[key]!.sorted(by: { $0.point < $1.point }) {
                if var run = result.last, run.slice * 2 + (run.sign < 0 ? 1 : 0) == key, test.point <= run.last + 2 {
                    run.last = test.point
                    run.tests.append(test)
                    result[result.count - 1] = run
                } else {
                    result.append(Run(slice: test.slice, sign: test.z < 0 ? -1 : 1, first: test.point, last: test.point, tests: [test]))
                }
            }
        }
        return result
    }

    /// The incidents of the daily series, strongest first.
    static func incidents(_ series: [SurfaceSeries]) -> (incidents: [Incident], tests: Int, discoveries: Int) {
        let scored = score(series)
        let found = discoveries(scored.candidates, tests: scored.tests)
        // Clusters: a family's runs of one sign, joined while their windows overlap.
        var clusters: [Cluster] = []
        let byFamily = Dictionary(grouping: runs(found)) { scored.slices[$0.slice].family + ($0.sign < 0 ? "-" : "+") }
        for key in byFamily.keys.sorted() {
            for run in byFamily[key]!.sorted(by: { ($0.first, $0.slice) < ($1.first, $1.slice) }) {
                if var last = clusters.last, last.family + (last.runs[0].sign < 0 ? "-" : "+") == key, run.first <= last.last {
                    last.runs.append(run)
                    clusters[clusters.count - 1] = last
                } else {
                    clusters.append(Cluster(family: scored.slices[run.slice].family, runs: [run]))
                }
            }
        }
        // A cluster's cause: among its slices, the one with the largest excess weighted by how
        // concentrated it is (its excess over its expected volume, relative to the most
        // concentrated slice's): the whole of a PayPal outage rather than one category's PayPal
        // payments, one category's card payments rather than all cards. A cluster on the whole
        // series alone is platform-wide.
        struct Explained {
            var cluster: Cluster
            var cause: [ScanSlice.Condition]
            var excess: Double
            var causeExcess: Double
        }
        func excess(_ slice: Int, _ window: ClosedRange<Int>) -> (excess: Double, expected: Double) {
            var excess = 0.0, expected = 0.0
            for point in window where !scored.expected[slice][point].isNaN {
                excess += scored.slices[slice].numerator[point] - scored.expected[slice][point]
                expected += scored.expected[slice][point]
            }
            return (excess, expected)
        }
        let root = Dictionary(scored.slices.indices.filter { scored.slices[$0].conditions.isEmpty }.map { (scored.slices[$0].family, $0) },
                              uniquingKeysWith: { first, _ in first })
        var explained: [Explained] = []
        for cluster in clusters {
            let window = cluster.first...cluster.last
            let parts = Set(cluster.runs.map(\.slice)).sorted().filter { !scored.slices[$0].conditions.isEmpty }.map { slice in
                let (excess, expected) = excess(slice, window)
                return (slice: slice, excess: excess, concentration: expected > 0 ? abs(excess) / expected : 0)
            }
            let whole = root[cluster.family].map { excess($0, window).excess } ?? 0
            let most = parts.map(\.concentration).max() ?? 0
            let best = parts.max { a, b in
                let x = abs(a.excess) * a.concentration / max(most, 1e-12), y = abs(b.excess) * b.concentration / max(most, 1e-12)
                return x != y ? x < y : a.slice > b.slice
            }
            // Platform-wide when the series as a whole moved and no slice carries most of it.
            if let best, whole == 0 || abs(best.excess) >= minimumCauseShare * abs(whole) {
                explained.append(Explained(cluster: cluster, cause: scored.slices[best.slice].conditions, excess: whole, causeExcess: best.excess))
            } else {
                explained.append(Explained(cluster: cluster, cause: [], excess: whole, causeExcess: whole))
            }
        }
        // Incidents: clusters of different families that overlap in time and whose causes agree
        // (one holds the other's conditions, or one is platform-wide), strongest first.
        let ordered = explained.sorted {
            let a = $0.cluster.strongest, b = $1.cluster.strongest
            return (a.p, -abs(a.z), $0.cluster.family, $0.cluster.first) < (b.p, -abs(b.z), $1.cluster.family, $1.cluster.first)
        }
        var groups: [[Explained]] = []
        for item in ordered {
            let conditions = Set(item.cause)
            if let index = groups.firstIndex(where: { group in
                let lead = group[0]
                let other = Set(lead.cause)
                return !group.contains { $0.cluster.family == item.cluster.family }
                    && item.cluster.first <= lead.cluster.last && item.cluster.last >= lead.cluster.first
                    && (conditions.isSubset(of: other) || other.isSubset(of: conditions))
            }) {
                groups[index].append(item)
            } else {
                groups.append([item])
            }
        }
        let incidents = groups.map { group -> Incident in
            let lead = group[0]
            let first = group.map(\.cluster.first).min()!, last = group.map(\.cluster.last).max()!
            let shows = group.map { item -> Incident.Shown in
                let slice = scored.slices[root[item.cluster.family] ?? item.cluster.runs[0].slice]
                return Incident.Shown(series: item.cluster.family, title: slice.title, unit: slice.unit, excess: item.excess,
                                      slices: Set(item.cluster.runs.map(\.slice)).count)
            }
            let strongest = lead.cluster.strongest
            let cause = Dictionary(lead.cause.map { ($0.dimension, $0.value) }, uniquingKeysWith: { first, _ in first })
            let share = lead.excess != 0 ? lead.causeExcess / lead.excess : 1
            let when = first == last ? scored.keys[first] : "\(scored.keys[first]) .. \(scored.keys[last])"
            let causeText = lead.cause.isEmpty ? "platform-wide (no slice carries most of it)"
                : "\(lead.cause.map { "\($0.dimension) = \($0.value)" }.joined(separator: ", ")) (\(signed(lead.causeExcess, shows[0].unit)) of it)"
            let impact = shows.map { "\($0.title): \($0.unit == .share ? "numerator " : "")\(signed($0.excess, $0.unit)) against expectation" }
                .joined(separator: "; ")
            let answer = "\(when): \(impact); cause \(causeText); strongest slice \(scored.slices[strongest.slice].label) on \(scored.keys[strongest.point]), z \(Format.fixed(strongest.z, 1))"
            return Incident(start: scored.keys[first], end: scored.keys[last], shows: shows, cause: cause, causeExcess: lead.causeExcess,
                            causeShare: share, p: strongest.p, z: strongest.z, answer: answer)
        }
        return (incidents, scored.tests, found.count)
    }

    /// An excess as the report writes it: dollars, or a count (a rate's excess counts its numerator's events).
    static func signed(_ value: Double, _ unit: SurfaceSeries.Unit) -> String {
        let sign = value < 0 ? "-" : "+"
        return sign + (unit == .dollars ? "$" : "") + Format.grouped(Int(abs(value).rounded()))
    }
}
