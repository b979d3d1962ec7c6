import TableIO

/// A series a user looks at to notice that something happened (platform MRR, daily payment
/// failure rate, ...), with the additive parts it is made of, so that a change in it can be
/// split by dimension (creator, category, failure reason, ...).
///
/// Every point's value follows from a numerator and, for rates, a denominator, each the sum
/// of its parts over the values of any dimension.
public struct SurfaceSeries: Sendable {
    public enum Form: Sendable {
        /// The month-over-month relative change of a stock: value(t) = L(t) / L(t - 1) - 1. The
        /// numerator holds the levels, one more than there are points (the level before the
        /// first point comes first).
        case change
        /// An additive total: value(t) = N(t).
        case total
        /// A ratio of totals: value(t) = N(t) / D(t).
        case rate
    }

    /// How values read in a sentence and on a chart.
    public enum Unit: Sendable {
        case dollars
        case count
        case share
    }

    /// The days a daily value is compared with: the billing cycle (the days of other months that
    /// carry the same anniversaries: February's 28th carries the 29th to the 31st), the calendar
    /// (the weeks around it, through factors for the weekday and the turn of the month that the
    /// series itself shows), or whichever of the two the whole series fits better.
    public enum Cycle: Sendable, Hashable {
        case billing
        case calendar
        case fitted
    }

    /// A dimension a change can be split by: its values and each value's part of the numerator
    /// (and of the denominator, when the dimension splits the population the rate is taken
    /// over rather than only the events it counts).
    public struct Dimension: Sendable {
        /// The column it comes from: "creator_id", "category", "failure_reason", ...
        public var name: String
        public var values: [String]
        /// Part of the numerator for (value, index into the numerator).
        public var numerator: @Sendable (Int, Int) -> Double
        /// Part of the denominator for (value, point); nil for a dimension of the events only
        /// (a failure reason splits the failures, not the attempts).
        public var denominator: (@Sendable (Int, Int) -> Double)?

        public init(name: String, values: [String], numerator: @escaping @Sendable (Int, Int) -> Double,
                    denominator: (@Sendable (Int, Int) -> Double)? = nil) {
            self.name = name
            self.values = values
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// "platform_mrr_monthly", or "category_mrr_monthly:games" for a member of a family.
    public var id: String
    /// "category_mrr_monthly" for the members of a family, else the id.
    public var family: String
    /// The series the family members split ("platform_mrr_monthly"), by the dimension `member` names.
    public var parent: String?
    /// The family's dimension ("category") and this member's value ("games").
    public var memberDimension: String?
    public var member: String?
    /// "Platform MRR", "Daily payment failure rate".
    public var title: String
    public var form: Form
    public var unit: Unit
    public var daily: Bool
    /// One per point: "2023-08" or "2024-02-14".
    public var keys: [String]
    /// The first day of each point (the day itself, or the month's first day).
    public var days: [CivilDate]
    public var numerator: [Double]
    public var denominator: [Double]?
    public var dimensions: [Dimension]
    public var cycle: Cycle

    public init(id: String, family: String? = nil, parent: String? = nil, memberDimension: String? = nil, member: String? = nil,
                title: String, form: Form, unit: Unit, daily: Bool, keys: [String], days: [CivilDate],
                numerator: [Double], denominator: [Double]? = nil, dimensions: [Dimension] = [], cycle: Cycle = .billing) {
        self.id = id
        self.family = family ?? id
        self.parent = parent
        self.memberDimension = memberDimension
        self.member = member
        self.title = title
        self.form = form
        self.unit = unit
        self.daily = daily
        self.keys = keys
        self.days = days
        self.numerator = numerator
        self.denominator = denominator
        self.dimensions = dimensions
        self.cycle = cycle
    }

    /// The series of its last `count` points, with its parts (the dimensions read the same
    /// tables, shifted).
    public func suffix(_ count: Int) -> SurfaceSeries {
        let dropped = max(0, keys.count - count)
        guard dropped > 0 else { return self }
        var result = self
        result.keys = Array(keys.dropFirst(dropped))
        result.days = Array(days.dropFirst(dropped))
        result.numerator = Array(numerator.dropFirst(dropped))
        result.denominator = denominator.map { Array($0.dropFirst(dropped)) }
        result.dimensions = dimensions.map { dimension in
            var shifted = dimension
            let numerator = dimension.numerator
            shifted.numerator = { value, index in numerator(value, index + dropped) }
            if let denominator = dimension.denominator {
                shifted.denominator = { value, index in denominator(value, index + dropped) }
            }
            return shifted
        }
        return result
    }

    /// The value at each point, nil where it is undefined (no attempts that day, a level of 0).
    public var values: [Double?] {
        switch form {
        case .change:
            return keys.indices.map { t in numerator[t] > 0 ? numerator[t + 1] / numerator[t] - 1 : nil }
        case .total:
            return numerator.map { $0 }
        case .rate:
            let denominator = denominator ?? []
            return keys.indices.map { t in denominator[t] > 0 ? numerator[t] / denominator[t] : nil }
        }
    }
}
