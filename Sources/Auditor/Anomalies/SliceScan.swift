import Foundation
import TableIO

/// One slice of a daily rate or count series: the series itself or the part of it where some
/// dimensions take given values (`payment_method = paypal`, `category = games, tier_rank = 1`),
/// with its numerator per day and, for a rate, its denominator.
struct ScanSlice: Sendable {
    /// The series' family: the platform series a family member belongs to, else the series.
    var family: String
    var title: String
    var unit: SurfaceSeries.Unit
    /// (dimension, value) pairs, in the order they narrow the series; empty for the whole series.
    var conditions: [Condition]
    var numerator: [Double]
    /// A rate's denominator per day; nil for a count, tested against its own volume.
    var denominator: [Double]?
    /// The days whose values set a day's expectation.
    var cycle: SurfaceSeries.Cycle

    struct Condition: Sendable, Hashable, Comparable {
        var dimension: String
        var value: String
        static func < (a: Condition, b: Condition) -> Bool { (a.dimension, a.value) < (b.dimension, b.value) }
    }

    var label: String {
        conditions.isEmpty ? "all" : conditions.map { "\($0.dimension) = \($0.value)" }.joined(separator: ", ")
    }
}

/// The scan of every slice of the daily rate and count series (Documentation/anomalies.md, "Slice
/// scan"): each day of each slice is tested against the same slice on the days around it that
/// should look alike (for the billing cycle, the days of the three months around it that carry
/// the same anniversaries; for the calendar, the five weeks around it read through weekday and
/// turn-of-month factors), and each calendar month against the three months on either side:
/// conditionally on the day's and its reference's events together (the test of two Poisson
/// rates), shrunk by the overdispersion of the slice (of the series, for months); the false
/// discovery rate over all of those tests is held at ``q`` (Benjamini-Hochberg). A slice's
/// discoveries on adjacent days make a run; runs of one series, sign and granularity that
/// overlap make a cluster, whose cause is its most concentrated large slice when that slice
/// carries most of the series' excess, else the whole series (platform-wide); clusters of
/// several series that overlap and agree on their cause, and clusters of one named cause within
/// a billing cycle of each other, are one incident.
enum SliceScan {
    /// The false discovery rate over all slice-days and slice-months.
    static let q = 0.01
    /// Days on each side of a day whose days give its calendar expectation, and the guard band
    /// left out around it (an incident of up to three days does not set its own expectation).
    static let calendarReach = 35
    static let guardDays = 3
    /// A point is tested when its reference has this many days, a rate's day this many attempts,
    /// and a count with its reference days this many events.
    static let minimumReferenceDays = 3
    static let minimumDenominator = 5.0
    static let minimumEvents = 5.0
    /// A slice is a cluster's cause when it carries this share of the whole series' excess; else
    /// the incident is platform-wide.
    static let minimumCauseShare = 0.75
    /// Or when the rest of the series moved, relative to its expected volume, at most this
    /// share of the slice's own relative movement.
    static let restConcentration = 0.25
    /// Days within which clusters of one named cause are one incident.
    static let followUp = 31

    struct Test: Sendable {
        var slice: Int
        var point: Int
        var z: Double
        var p: Double
        /// The deviation from expectation in standard deviations (overdispersion included): it
        /// orders tests whose p-values are beyond doubt (below ``certain``), where the tails no
        /// longer tell a creator's 700 endings in a day from an outage's 60 extra failures.
        var deviation: Double = 0

        /// What the test covers, and its last day: the day itself, or a week's or month's last day.
        var span = Span.day
        var last: Int?
        var end: Int { last ?? point }

        /// The order of strength: the p-value down to ``certain``, then the deviation.
        var strength: (Double, Double) { (max(p, SliceScan.certain), -abs(deviation)) }
    }

    /// A test of one day, or of the sum of a week's or a calendar month's days.
    enum Span: Int, Sendable, Comparable {
        case day, week, month
        static func < (a: Span, b: Span) -> Bool { a.rawValue < b.rawValue }
    }

    /// p-values below this are all beyond doubt; strength among them is the deviation.
    static let certain = 1e-12

    struct Scored: Sendable {
        var slices: [ScanSlice]
        var keys: [String]
        /// Every test with p <= q (the only ones Benjamini-Hochberg can reject), and the number of tests.
        var candidates: [Test]
        var tests: Int
        /// Expected values of every slice at every point (NaN where untested), for the clusters' excess.
        var expected: [[Double]]
    }

    /// Whether the scan reads a series: a daily rate, or a daily count (sums of money need a
    /// compound model and are left to the detector).
    static func scans(_ surface: SurfaceSeries) -> Bool {
        surface.daily && ((surface.form == .rate && surface.denominator != nil) || (surface.form == .total && surface.unit == .count))
    }

    /// The slices of the daily rate and count series: each series, then each value of each of its
    /// dimensions that splits its population (of a rate, one with a denominator: a failure reason
    /// splits the failures, not the attempts), the creator split only on the platform series; a
    /// slice reached twice (a category member and the platform's category value) is scanned once.
    static func slices(_ series: [SurfaceSeries]) -> (slices: [ScanSlice], days: [CivilDate], keys: [String]) {
        var result: [ScanSlice] = []
        var seen = Set<String>()
        var days: [CivilDate] = []
        var keys: [String] = []
        for surface in series where scans(surface) {
            let surfaceDenominator = surface.form == .rate ? surface.denominator : nil
            if days.isEmpty { days = surface.days; keys = surface.keys }
            guard surface.days == days else { continue }
            let family = surface.parent ?? surface.id
            let base = zip([surface.memberDimension], [surface.member]).compactMap { dimension, value in
                dimension.flatMap { d in value.map { ScanSlice.Condition(dimension: d, value: $0) } }
            }
            func add(_ conditions: [ScanSlice.Condition], _ numerator: [Double], _ denominator: [Double]?) {
                let key = family + "|" + conditions.sorted().map { $0.dimension + "=" + $0.value }.joined(separator: "|")
                guard seen.insert(key).inserted else { return }
                result.append(ScanSlice(family: family, title: surface.title, unit: surface.unit, conditions: conditions,
                                        numerator: numerator, denominator: denominator, cycle: surface.cycle))
            }
            add(base, surface.numerator, surfaceDenominator)
            let points = surface.keys.indices
            for dimension in surface.dimensions {
                let part = dimension.denominator
                if surfaceDenominator != nil && part == nil { continue }
                if surface.member != nil && dimension.name == "creator_id" { continue }
                for (index, value) in dimension.values.enumerated() {
                    let numerator = points.map { dimension.numerator(index, $0) }
                    let denominator = part.map { part in points.map { part(index, $0) } }
                    guard numerator.contains(where: { $0 != 0 }) else { continue }
                    add(base + [ScanSlice.Condition(dimension: dimension.name, value: value)], numerator, denominator)
                }
            }
        }
        return (result, days, keys)
    }

    /// The days of the month whose anniversaries fall on a day: itself, or for the month's last
    /// day also the days the month lacks (February's 28th carries the 29th to the 31st).
    static func anniversaries(_ day: CivilDate) -> ClosedRange<Int> {
        day.day == day.yearMonth.dayCount ? day.day...31 : day.day...day.day
    }

    /// Where a point's expected value comes from: groups of days, each one reference value (the
    /// sum over its days), by the slice's cycle.
    /// - billing: in each of the three months before and after, the days that carry exactly the
    ///   same anniversaries (a 15th the 15th; February's 28th the 28th to the 31st of a 31-day
    ///   month, the 28th to the 30th of a 30-day one; a 31st only a 31st);
    /// - calendar: every day within ``calendarReach`` days, each read through the calendar
    ///   factors (``calendarFactors(_:days:)``);
    /// each outside the ``guardDays`` around the point.
    static func referenceGroups(_ days: [CivilDate], cycle: SurfaceSeries.Cycle) -> [[[Int]]] {
        guard let first = days.first else { return [] }
        let index = { (day: CivilDate) -> Int? in
            let offset = day.dayNumber - first.dayNumber
            return offset >= 0 && offset < days.count ? offset : nil
        }
        func billing(_ point: Int) -> [[Int]] {
            let day = days[point]
            let carried = anniversaries(day)
            var groups: [[Int]] = []
            for months in [-3, -2, -1, 1, 2, 3] {
                let month = day.yearMonth.adding(months: months)
                let length = month.dayCount
                // Days lo...min(hi, length) of that month, when together they carry exactly `carried`.
                guard carried.lowerBound <= length, carried.upperBound == 31 || carried.upperBound < length else { continue }
                let members = (carried.lowerBound...min(carried.upperBound, length)).compactMap { value in
                    index(CivilDate(year: month.year, month: month.month, day: value))
                }
                guard members.count == min(carried.upperBound, length) - carried.lowerBound + 1,
                      members.allSatisfy({ abs($0 - point) > guardDays }) else { continue }
                groups.append(members)
            }
            return groups
        }
        func calendar(_ point: Int) -> [[Int]] {
            (max(0, point - calendarReach)...min(days.count - 1, point + calendarReach)).filter { abs($0 - point) > guardDays }.map { [$0] }
        }
        return days.indices.map { point in cycle == .calendar ? calendar(point) : billing(point) }
    }

    /// A day's place in its month for the calendar factors: 1-3 for the first three days, 4 for
    /// the day before the last, 5 for the last, 0 for the others.
    static func place(_ day: CivilDate) -> Int {
        let length = day.yearMonth.dayCount
        return day.day <= 3 ? day.day : day.day == length ? 5 : day.day == length - 1 ? 4 : 0
    }

    /// Multiplicative factors of a daily count for its weekday and its place in the month (the
    /// turn of the month, where activity peaks), estimated from the series itself: twice, the
    /// day's count over the mean of its 29 days (each divided by the factors so far), the median
    /// of that ratio per weekday on ordinary days (normalised to a mean of 1), then per place.
    static func calendarFactors(_ counts: [Double], days: [CivilDate]) -> [Double] {
        let n = counts.count
        let weekday = days.map { (($0.dayNumber % 7) + 7) % 7 }
        let places = days.map(place)
        var factors = Array(repeating: 1.0, count: n)
        guard n >= 56 else { return factors }
        for _ in 0..<2 {
            var prefix = [0.0]
            for t in 0..<n { prefix.append(prefix[t] + counts[t] / factors[t]) }
            let ratio = (0..<n).map { t -> Double in
                let low = max(0, t - 14), high = min(n - 1, t + 14)
                let level = (prefix[high + 1] - prefix[low]) / Double(high - low + 1)
                return level > 0 ? counts[t] / level : .nan
            }
            var week = (0..<7).map { w in
                Robust.median((0..<n).filter { weekday[$0] == w && places[$0] == 0 && !ratio[$0].isNaN }.map { ratio[$0] }) ?? 1
            }
            let mean = week.reduce(0, +) / 7
            if mean > 0 { week = week.map { $0 / mean } }
            let month = (0...5).map { p -> Double in
                guard p > 0 else { return 1 }
                let values = (0..<n).filter { places[$0] == p && !ratio[$0].isNaN && week[weekday[$0]] > 0 }.map { ratio[$0] / week[weekday[$0]] }
                return values.count >= 3 ? Robust.median(values) ?? 1 : 1
            }
            factors = (0..<n).map { max(1e-6, week[weekday[$0]] * month[places[$0]]) }
        }
        return factors
    }

    /// The slices of `series` scored (``score(slices:days:keys:)``).
    static func score(_ series: [SurfaceSeries]) -> Scored {
        let (slices, days, keys) = slices(series)
        return score(slices: slices, days: days, keys: keys)
    }

    /// Every day of every slice tested; the candidates those with p <= q. A series whose cycle
    /// is ``SurfaceSeries/Cycle/fitted`` takes the cycle its whole-series slice fits better (the
    /// smaller mean squared Pearson residual, each capped at 25 so that one incident does not
    /// decide; a mean, not a median, so that the two or three days a month that differ do), for
    /// all its slices.
    static func score(slices: [ScanSlice], days: [CivilDate], keys: [String]) -> Scored {
        let cycles = Dictionary(uniqueKeysWithValues: [SurfaceSeries.Cycle.billing, .calendar].map { ($0, referenceGroups(days, cycle: $0)) })
        // A family's calendar factors come from its whole-series slice; a fitted family takes the
        // cycle that slice fits better.
        var factors: [String: [Double]] = [:]
        var chosen: [String: SurfaceSeries.Cycle] = [:]
        for slice in slices where slice.conditions.isEmpty && slice.denominator == nil && slice.cycle != .billing {
            factors[slice.family] = calendarFactors(slice.numerator, days: days)
            guard slice.cycle == .fitted else { continue }
            let fit = [SurfaceSeries.Cycle.billing, .calendar].map { cycle -> Double in
                let model = expectation(slice, references: cycles[cycle]!, factors: cycle == .calendar ? factors[slice.family] : nil)
                let squares = slice.numerator.indices.filter { !model.expected[$0].isNaN }.map { point in
                    min(25, pow(slice.numerator[point] - model.expected[point], 2) / model.variance[point])
                }
                return squares.isEmpty ? .infinity : squares.reduce(0, +) / Double(squares.count)
            }
            chosen[slice.family] = fit[1] < fit[0] ? .calendar : .billing
        }
        var candidates: [Test] = []
        var tests = 0
        var expectedAll: [[Double]] = []
        let months = calendarMonths(days), weeks = calendarWeeks(days)
        var blocks: [(span: Span, index: Int, family: String, slice: ScanSlice, model: Model)] = []
        for (index, slice) in slices.enumerated() {
            let cycle = slice.cycle == .fitted ? chosen[slice.family] ?? .billing : slice.cycle
            let dayFactors = cycle == .calendar ? factors[slice.family] : nil
            let expected = test(slice, index: index, references: cycles[cycle]!, factors: dayFactors, into: &candidates, count: &tests)
            expectedAll.append(expected)
            // The same slice by calendar month, against the three months on either side: a shift
            // that lasts weeks (a creator's pledges ending over two weeks, a category's payments
            // missing for a month) adds up to a month's test where no single day stands out. A
            // count that follows the calendar also by week (Monday to Sunday), against the five
            // weeks on either side: a fall of 40% for two weeks is too small for its days and
            // too short for its month. (A billing-cycle series has no comparable weeks: which
            // anniversaries a week holds changes from week to week.)
            for span in [Span.month, .week] {
                let spans = span == .month ? months : weeks
                let reach = span == .month ? 3 : 5
                guard spans.count >= 4, span == .month || (dayFactors != nil && slice.denominator == nil) else { continue }
                let sum = { (row: [Double]) in spans.map { block in block.reduce(0.0) { $0 + row[$1] } } }
                let block = ScanSlice(family: slice.family, title: slice.title, unit: slice.unit, conditions: slice.conditions,
                                      numerator: sum(slice.numerator), denominator: slice.denominator.map(sum), cycle: .billing)
                // A count's exposure: one per month for the billing cycle (every month bills every
                // anniversary once), the sum of its days' calendar factors otherwise.
                let exposure = dayFactors.map(sum)
                let references = spans.indices.map { point in
                    (-reach...reach).map { point + $0 }.filter { $0 != point && $0 >= 0 && $0 < spans.count }.map { [$0] }
                }
                blocks.append((span, index, slice.family, block,
                               expectation(block, references: references, factors: exposure, months: span == .month)))
            }
        }
        // The months' and weeks' tests, with one overdispersion per series and span (two years
        // are 24 months a slice: too few to tell a slice's own noise from an incident in it).
        let families = Dictionary(grouping: blocks.indices) { "\(blocks[$0].family)|\(blocks[$0].span)" }
        for family in families.keys.sorted() {
            let members = families[family]!
            var squares: [Double] = [], means: [Double] = []
            var isRate = false
            for member in members {
                let (_, _, _, slice, model) = blocks[member]
                isRate = slice.denominator != nil
                for point in model.expected.indices where !model.expected[point].isNaN {
                    squares.append(pow(slice.numerator[point] - model.expected[point], 2) / model.variance[point])
                    means.append(model.expected[point])
                }
            }
            guard !squares.isEmpty else { continue }
            let dispersion = isRate ? rateDispersion(squares) : countDispersion(squares: squares, means: means)
            for member in members.sorted() {
                let (span, index, _, slice, model) = blocks[member]
                let spans = span == .month ? months : weeks
                var blockTests: [Test] = []
                // Weeks are enough (a hundred a slice over two years) for a slice's own dispersion:
                // the larger of it and the series' (a category whose events come in bursts).
                var own: Double = 1
                if span == .week {
                    let tested = model.expected.indices.filter { !model.expected[$0].isNaN }
                    let squares = tested.map { pow(slice.numerator[$0] - model.expected[$0], 2) / model.variance[$0] }
                    own = max(1, (Robust.median(squares) ?? 0) / chiSquareMedian)
                }
                test(slice, index: index, model: model, dispersion: { max(dispersion($0), own) }, into: &blockTests, count: &tests)
                candidates += blockTests.map { test in
                    var spanning = test
                    spanning.span = span
                    spanning.point = spans[test.point][0]
                    spanning.last = spans[test.point].last!
                    return spanning
                }
            }
        }
        return Scored(slices: slices, keys: keys, candidates: candidates, tests: tests, expected: expectedAll)
    }

    /// The day indices of each complete week, Monday to Sunday, of `days`.
    static func calendarWeeks(_ days: [CivilDate]) -> [[Int]] {
        let monday = days.firstIndex { (($0.dayNumber % 7) + 7) % 7 == 4 } ?? days.count
        return stride(from: monday, to: days.count - 6, by: 7).map { Array($0..<$0 + 7) }
    }

    /// The day indices of each complete calendar month of `days` (a month the days begin or
    /// end inside of is left out).
    static func calendarMonths(_ days: [CivilDate]) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        for (index, day) in days.enumerated() {
            if day.day == 1 { current = [] }
            current.append(index)
            if day.day == day.yearMonth.dayCount, current.count == day.day { result.append(current) }
        }
        return result
    }

    /// A slice's expected values and tests (``expectation(_:references:factors:months:)``).
    typealias Model = (expected: [Double], variance: [Double], trials: [Double], rates: [Double])

    /// Every point of a slice tested against its references, with the slice's own overdispersion;
    /// those with p <= q appended to `candidates`; the expected values.
    static func test(_ slice: ScanSlice, index: Int, references: [[[Int]]], factors: [Double]?, into candidates: inout [Test],
                     count tests: inout Int) -> [Double] {
        let model = expectation(slice, references: references, factors: factors)
        let tested = model.expected.indices.filter { !model.expected[$0].isNaN }
        guard !tested.isEmpty else { return model.expected }
        let squares = tested.map { point in pow(slice.numerator[point] - model.expected[point], 2) / model.variance[point] }
        let dispersion = slice.denominator == nil
            ? countDispersion(squares: squares, means: tested.map { model.expected[$0] })
            : rateDispersion(squares)
        test(slice, index: index, model: model, dispersion: dispersion, into: &candidates, count: &tests)
        return model.expected
    }

    /// Every tested point of a model, shrunk by `dispersion` of its expected value.
    static func test(_ slice: ScanSlice, index: Int, model: Model, dispersion: (Double) -> Double, into candidates: inout [Test],
                     count tests: inout Int) {
        let (expected, variance, trials, rates) = model
        for point in expected.indices where !expected[point].isNaN {
            // The binomial tail itself (a normal tail overstates a handful of failures among a few
            // attempts), on the counts shrunk by the overdispersion (quasi-likelihood); z is the normal
            // deviate of the same two-sided p-value, signed by the direction of the movement.
            let shrink = dispersion(expected[point])
            let p = binomialTwoSided(slice.numerator[point] / shrink, trials[point] / shrink, rate: rates[point])
            let z = (slice.numerator[point] < expected[point] ? -1 : 1) * normalDeviate(twoSided: p)
            tests += 1
            let deviation = (slice.numerator[point] - expected[point]) / (variance[point] * shrink).squareRoot()
            if p <= q { candidates.append(Test(slice: index, point: point, z: z, p: p, deviation: deviation)) }
        }
    }

    /// The median of a chi-square with one degree of freedom.
    static let chiSquareMedian = 0.454936423119572

    /// A rate's overdispersion, one factor for all its points: the median squared Pearson
    /// residual over that of a chi-square with 1 df, at least 1 (taken once: a closure that took
    /// it per point made a slice's tests quadratic in its points).
    static func rateDispersion(_ squares: [Double]) -> (Double) -> Double {
        let phi = max(1, (Robust.median(squares) ?? 0) / chiSquareMedian)
        return { _ in phi }
    }

    /// A count slice's overdispersion as a function of the expected count: its variance is the
    /// Poisson one times phi + alpha mu (a quasi-Poisson factor phi, set by the days of at most the
    /// median expected count, and a negative-binomial term alpha mu, set by the larger days so that
    /// their median squared Pearson residual is that of a chi-square with 1 df). A billing day with
    /// thousands of payments varies with the month's volume more than its Poisson variance says;
    /// a quiet day does not.
    static func countDispersion(squares: [Double], means: [Double]) -> (Double) -> Double {
        let middle = Robust.median(means) ?? 0
        let low = squares.indices.filter { means[$0] <= middle }.map { squares[$0] }
        let high = squares.indices.filter { means[$0] > middle }
        let phi = max(1, (Robust.median(low) ?? 0) / chiSquareMedian)
        func medianRatio(_ alpha: Double) -> Double {
            Robust.median(high.map { squares[$0] / (phi + alpha * means[$0]) }) ?? 0
        }
        guard high.count >= 5, medianRatio(0) > chiSquareMedian else { return { _ in phi } }
        var lower = 0.0, upper = 1.0
        while medianRatio(upper) > chiSquareMedian && upper < 1e6 { upper *= 4 }
        for _ in 0..<60 {
            let middle = (lower + upper) / 2
            if medianRatio(middle) > chiSquareMedian { lower = middle } else { upper = middle }
        }
        let alpha = upper
        return { phi + alpha * max(0, $0) }
    }

    /// Scores of series read at different times (the payments, then the events) as one: their
    /// slices in order, the candidates renumbered. Parts without days are left out; parts on
    /// other days than the first part's cannot be joined and are left out too.
    static func combine(_ parts: [Scored]) -> Scored {
        let used = parts.filter { !$0.keys.isEmpty }
        guard let first = used.first else { return Scored(slices: [], keys: [], candidates: [], tests: 0, expected: []) }
        var result = first
        for part in used.dropFirst() where part.keys == first.keys {
            let offset = result.slices.count
            result.slices += part.slices
            result.expected += part.expected
            result.candidates += part.candidates.map { test in
                var moved = test
                moved.slice += offset
                return moved
            }
            result.tests += part.tests
        }
        return result
    }

    /// How many reference groups are left out at each end (the highest and the lowest value:
    /// rate, or count through its calendar factors): one of each when six or more remain, a fifth
    /// of them when ten or more do. An incident on a neighbouring day of the same place (the 15th
    /// of the month before, the days of a two-week collapse outside the guard) must not set this
    /// day's expectation.
    static func trimCount(_ groups: Int) -> Int {
        groups >= 10 ? groups / 5 : groups >= 6 ? 1 : 0
    }

    /// A slice's expected numerator at each point from its own reference days (NaN: not tested),
    /// the variance of the numerator's deviation from it before overdispersion, and the binomial
    /// test the point's p-value comes from (its trials and rate):
    /// - a rate: n p with the rate p = (F + 0.5) / (N + 1) of the reference days' F failures of N
    ///   attempts, variance n p (1 - p)(1 + n / N), and the conditional test of the day's k
    ///   failures among the k + F of the day and its reference days: k ~ Binomial(k + F,
    ///   n / (n + N)) (the test of two Poisson rates, exact for rare failures and conservative
    ///   for common ones: a reference of three quiet days does not make a day's ordinary count
    ///   look extreme);
    /// - a count: the reference days' mean R / m, or where they are not centred on the day their
    ///   least-squares line at it, of leverage h (1 / m when centred); variance mu (1 + h) (a
    ///   Poisson count against an estimated mean); and the exact conditional test of two Poisson
    ///   rates, the fit counting as 1 / h reference days: given the day's k events,
    ///   k ~ Binomial(k + mu / h, h / (1 + h)), which for centred days is Binomial(k + R, 1 / (m + 1)).
    static func expectation(_ slice: ScanSlice, references: [[[Int]]], factors: [Double]? = nil, months: Bool = false)
        -> (expected: [Double], variance: [Double], trials: [Double], rates: [Double]) {
        let count = references.count
        var expected = [Double](repeating: .nan, count: count)
        var variance = expected, trials = expected, rates = expected
        let numerator = slice.numerator
        // Per group of the point: its numerator and denominator sums, its value, its mean day.
        var sums: [(numerator: Double, denominator: Double, value: Double, time: Double, first: Int)] = []
        for point in 0..<count {
            if let denominator = slice.denominator, denominator[point] < minimumDenominator { continue }
            sums.removeAll(keepingCapacity: true)
            for group in references[point] {
                var top = 0.0, bottom = 0.0, adjusted = 0.0, time = 0
                for day in group {
                    top += numerator[day]
                    if let denominator = slice.denominator { bottom += denominator[day] }
                    if let factors { adjusted += numerator[day] / factors[day] }
                    time += day
                }
                let value = slice.denominator != nil ? (bottom > 0 ? top / bottom : 0) : factors != nil ? adjusted : top
                sums.append((top, bottom, value, Double(time) / Double(group.count), group[0]))
            }
            if months {
                // Months: at least four, and the one farthest from their median left out (a month
                // with an incident of two weeks in it must not set its neighbours' expectation).
                guard sums.count >= 4, let middle = Robust.median(sums.map(\.value)) else { continue }
                let farthest = sums.indices.max { abs(sums[$0].value - middle) != abs(sums[$1].value - middle)
                    ? abs(sums[$0].value - middle) < abs(sums[$1].value - middle) : $0 > $1 }!
                sums.remove(at: farthest)
            } else if case let cut = trimCount(sums.count), cut > 0 {
                sums.sort { $0.value != $1.value ? $0.value < $1.value : $0.first < $1.first }
                sums.removeLast(cut)
                sums.removeFirst(cut)
            }
            guard sums.count >= minimumReferenceDays else { continue }
            let sums0 = sums.reduce(0.0) { $0 + $1.numerator }, sums1 = sums.reduce(0.0) { $0 + $1.denominator }
            if let denominator = slice.denominator {
                let n = denominator[point]
                guard sums1 > 0 else { continue }
                let rate = (sums0 + 0.5) / (sums1 + 1)
                expected[point] = n * rate
                variance[point] = n * rate * (1 - rate) * (1 + n / sums1)
                trials[point] = numerator[point] + sums0
                rates[point] = n / (n + sums1)
            } else {
                // The reference days' level at this day: their mean, moved along their least-squares
                // trend where they are not centred on it (the window's first and last months, a
                // growing platform); the fit counts as 1 / h reference days, h its leverage here.
                let k = numerator[point], m = Double(sums.count)
                guard k + sums0 >= minimumEvents else { continue }
                let centre = sums.reduce(0.0) { $0 + $1.time } / m
                let spread = sums.reduce(0.0) { $0 + ($1.time - centre) * ($1.time - centre) }
                let average = sums.reduce(0.0) { $0 + $1.value } / m
                let slope = spread > 0 ? sums.reduce(0.0) { $0 + ($1.time - centre) * ($1.value - average) } / spread : 0
                let offset = Double(point) - centre
                let leverage = 1 / m + (spread > 0 ? offset * offset / spread : 0)
                let mean = max(0, average + slope * offset) * (factors?[point] ?? 1)
                let days = 1 / leverage
                expected[point] = mean
                variance[point] = max(mean, 0.5 / m) * (1 + leverage)
                trials[point] = k + mean * days
                rates[point] = 1 / (days + 1)
            }
        }
        return (expected, variance, trials, rates)
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
    /// The cause's slice (the whole series when platform-wide) of the lead series, four weeks on
    /// either side of the window: the incident's chart.
    public var trace: Trace

    public struct Trace: Sendable {
        public var title: String
        public var unit: SurfaceSeries.Unit
        public var keys: [String]
        public var observed: [Double?]
        public var expected: [Double?]
        /// The days on which a slice of the lead series was discovered.
        public var flagged: [Bool]
    }
}

extension SliceScan {
    /// A slice's run of discoveries: consecutive days (one day's gap allowed) of one sign, a
    /// month's discovery covering its days.
    struct Run {
        var slice: Int
        var sign: Double
        var first: Int
        var last: Int
        var tests: [Test]
        /// A run of days', weeks' or months' tests.
        var span = Span.day
        var strongest: Test { tests.min { $0.strength != $1.strength ? $0.strength < $1.strength : $0.point < $1.point }! }
    }

    /// Runs of one family, sign and granularity (days, or months) whose windows overlap: one
    /// movement of the series, with the slices it shows on.
    struct Cluster {
        var family: String
        var runs: [Run]
        var first: Int { runs.map(\.first).min()! }
        var last: Int { runs.map(\.last).max()! }
        var strongest: Test { runs.map(\.strongest).min { $0.strength != $1.strength ? $0.strength < $1.strength : $0.slice < $1.slice }! }
    }

    static func runs(_ found: [Test]) -> [Run] {
        var result: [Run] = []
        // Days, weeks and months apart: a month's test joins the months next to it, not the days in it.
        let key = { (slice: Int, negative: Bool, span: Span) in slice * 6 + (negative ? 3 : 0) + span.rawValue }
        let bySlice = Dictionary(grouping: found) { key($0.slice, $0.z < 0, $0.span) }
        for group in bySlice.keys.sorted() {
            for test in bySlice[group]!.sorted(by: { $0.point < $1.point }) {
                if var run = result.last, key(run.slice, run.sign < 0, run.span) == group, test.point <= run.last + 2 {
                    run.last = max(run.last, test.end)
                    run.tests.append(test)
                    result[result.count - 1] = run
                } else {
                    result.append(Run(slice: test.slice, sign: test.z < 0 ? -1 : 1, first: test.point, last: test.end, tests: [test],
                                      span: test.span))
                }
            }
        }
        return result
    }

    /// The incidents of the daily series, strongest first.
    static func incidents(_ series: [SurfaceSeries]) -> (incidents: [Incident], tests: Int, discoveries: Int) {
        incidents(score(series))
    }

    /// The incidents of scored slices, strongest first.
    static func incidents(_ scored: Scored) -> (incidents: [Incident], tests: Int, discoveries: Int) {
        let found = discoveries(scored.candidates, tests: scored.tests)
        // Clusters: a family's runs of one sign, joined while their windows overlap.
        var clusters: [Cluster] = []
        let clusterKey = { (run: Run) in scored.slices[run.slice].family + (run.sign < 0 ? "-" : "+") + "\(run.span.rawValue)" }
        let byFamily = Dictionary(grouping: runs(found), by: clusterKey)
        for key in byFamily.keys.sorted() {
            for run in byFamily[key]!.sorted(by: { ($0.first, $0.slice) < ($1.first, $1.slice) }) {
                if var last = clusters.last, clusterKey(last.runs[0]) == key, run.first <= last.last {
                    last.runs.append(run)
                    clusters[clusters.count - 1] = last
                } else {
                    clusters.append(Cluster(family: scored.slices[run.slice].family, runs: [run]))
                }
            }
        }
        // A month's or week's movement that finer tests of the same series and sign already show
        // within it is theirs (three creators' endings make the platform's month): the weeks
        // stand alone only where no day stood out, the months where no day or week did.
        let finer = clusters
        clusters.removeAll { cluster in
            finer.contains { other in
                other.runs[0].span < cluster.runs[0].span && other.family == cluster.family && other.runs[0].sign == cluster.runs[0].sign
                    && other.first <= cluster.last && other.last >= cluster.first
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
            /// The slice the cause names (the whole series when platform-wide).
            var slice: Int
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
                return (slice: slice, excess: excess, expected: expected, concentration: expected > 0 ? abs(excess) / expected : 0)
            }
            let (whole, wholeExpected) = root[cluster.family].map { excess($0, window) } ?? (0, 0)
            let most = parts.map(\.concentration).max() ?? 0
            let best = parts.max { a, b in
                let x = abs(a.excess) * a.concentration / max(most, 1e-12), y = abs(b.excess) * b.concentration / max(most, 1e-12)
                return x != y ? x < y : a.slice > b.slice
            }
            // Platform-wide when the series as a whole moved and no slice carries most of it, nor
            // concentrates it: the rest of the series moved, for its volume, at most a quarter as
            // much as the slice did (a category's week 40% down, the other categories' weeks
            // wandering by their noise).
            let concentrates = { (best: (slice: Int, excess: Double, expected: Double, concentration: Double)) in
                let rest = whole - best.excess, restExpected = wholeExpected - best.expected
                return restExpected > 0 && best.excess * whole > 0 && abs(rest) / restExpected <= restConcentration * best.concentration
            }
            if let best, whole == 0 || abs(best.excess) >= minimumCauseShare * abs(whole) || concentrates(best) {
                explained.append(Explained(cluster: cluster, cause: scored.slices[best.slice].conditions, excess: whole, causeExcess: best.excess,
                                           slice: best.slice))
            } else {
                explained.append(Explained(cluster: cluster, cause: [], excess: whole, causeExcess: whole,
                                           slice: root[cluster.family] ?? cluster.strongest.slice))
            }
        }
        // Incidents: clusters of different families that overlap for at least half the longer one's
        // days and whose causes agree (one holds the other's conditions, or one is platform-wide:
        // an outage's failures and its missing payments), and clusters of any family
        // with the same named cause within a billing cycle of each other (a creator's pledges
        // ending, then the payments they no longer make); strongest first.
        let ordered = explained.sorted {
            let a = $0.cluster.strongest, b = $1.cluster.strongest
            return a.strength != b.strength ? a.strength < b.strength : ($0.cluster.family, $0.cluster.first) < ($1.cluster.family, $1.cluster.first)
        }
        var groups: [[Explained]] = []
        for item in ordered {
            let conditions = Set(item.cause)
            if let index = groups.firstIndex(where: { group in
                let lead = group[0]
                let other = Set(lead.cause)
                let first = group.map(\.cluster.first).min()!, last = group.map(\.cluster.last).max()!
                if !item.cause.isEmpty && conditions == other && item.cluster.first <= last + followUp && item.cluster.last >= first - followUp {
                    return true
                }
                let overlap = min(item.cluster.last, lead.cluster.last) - max(item.cluster.first, lead.cluster.first) + 1
                let longer = max(item.cluster.last - item.cluster.first, lead.cluster.last - lead.cluster.first) + 1
                return !group.contains { $0.cluster.family == item.cluster.family } && 2 * overlap >= longer
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
            var shows: [Incident.Shown] = []
            for item in group {
                let slices = Set(item.cluster.runs.map(\.slice))
                if let index = shows.firstIndex(where: { $0.series == item.cluster.family }) {
                    shows[index].excess += item.excess
                    shows[index].slices += slices.count
                    continue
                }
                let slice = scored.slices[root[item.cluster.family] ?? item.cluster.runs[0].slice]
                shows.append(Incident.Shown(series: item.cluster.family, title: slice.title, unit: slice.unit, excess: item.excess,
                                            slices: slices.count))
            }
            let strongest = lead.cluster.strongest
            let cause = Dictionary(lead.cause.map { ($0.dimension, $0.value) }, uniquingKeysWith: { first, _ in first })
            let share = lead.excess != 0 ? lead.causeExcess / lead.excess : 1
            let when = first == last ? scored.keys[first] : "\(scored.keys[first]) .. \(scored.keys[last])"
            let causeText = lead.cause.isEmpty ? "platform-wide (no slice carries most of it)"
                : "\(lead.cause.map { "\($0.dimension) = \($0.value)" }.joined(separator: ", ")) (\(signed(lead.causeExcess, shows[0].unit)) of it)"
            let impact = shows.map { "\($0.title): \($0.unit == .share ? "numerator " : "")\(signed($0.excess, $0.unit)) against expectation" }
                .joined(separator: "; ")
            let answer = "\(when): \(impact); cause \(causeText); strongest slice \(scored.slices[strongest.slice].label) \(during(strongest, scored.keys)), z \(Format.fixed(strongest.z, 1))"
            return Incident(start: scored.keys[first], end: scored.keys[last], shows: shows, cause: cause, causeExcess: lead.causeExcess,
                            causeShare: share, p: strongest.p, z: strongest.z, answer: answer,
                            trace: trace(scored, slice: lead.slice, around: first...last,
                                         discovered: Set(lead.cluster.runs.flatMap { $0.tests.flatMap { Array($0.point...$0.end) } })))
        }
        return (incidents, scored.tests, found.count)
    }

    /// When a test's window was: on its day, or in its week or month.
    static func during(_ test: Test, _ keys: [String]) -> String {
        switch test.span {
        case .day: "on \(keys[test.point])"
        case .week: "in the week \(keys[test.point]) .. \(keys[test.end])"
        case .month: "in the month \(keys[test.point]) .. \(keys[test.end])"
        }
    }

    /// Days on either side of an incident's window that its chart shows.
    static let traceMargin = 28

    /// A slice's observed and expected values (a rate's as rates) around a window, with the days
    /// some slice of the incident's lead series was discovered on.
    static func trace(_ scored: Scored, slice index: Int, around window: ClosedRange<Int>, discovered flaggedDays: Set<Int>) -> Incident.Trace {
        let slice = scored.slices[index]
        let span = max(0, window.lowerBound - traceMargin)...min(scored.keys.count - 1, window.upperBound + traceMargin)
        func value(_ numerator: Double, _ point: Int) -> Double? {
            guard !numerator.isNaN else { return nil }
            guard let denominator = slice.denominator else { return numerator }
            return denominator[point] > 0 ? numerator / denominator[point] : nil
        }
        let expected = scored.expected[index]
        let series = slice.title.hasPrefix("Platform ") ? String(slice.title.dropFirst("Platform ".count)) : slice.title
        return Incident.Trace(title: slice.conditions.isEmpty ? series : "\(slice.label), \(series)", unit: slice.unit, keys: span.map { scored.keys[$0] },
                              observed: span.map { value(slice.numerator[$0], $0) }, expected: span.map { value(expected[$0], $0) },
                              flagged: span.map { flaggedDays.contains($0) })
    }

    /// An excess as the report writes it: dollars, or a count (a rate's excess counts its numerator's events).
    static func signed(_ value: Double, _ unit: SurfaceSeries.Unit) -> String {
        let sign = value < 0 ? "-" : "+"
        return sign + (unit == .dollars ? "$" : "") + Format.grouped(Int(abs(value).rounded()))
    }
}
