/// One measured metric: a number or a label, its sample size, its 95% interval where one
/// applies, and for series metrics the series.
public struct Measurement: Sendable, Equatable {
    public var value: Double?
    public var label: String?
    public var n: Int
    public var interval: ClosedRange<Double>?
    /// The standard error behind the interval, where one is estimated (on the log scale for
    /// the seasonal lifts).
    public var standardError: Double?
    public var series: [SeriesPoint]?
    public var matrix: CohortMatrix?

    public init(value: Double?, n: Int, interval: ClosedRange<Double>? = nil) {
        self.value = value
        self.n = n
        self.interval = interval
    }

    public init(label: String, n: Int) {
        self.label = label
        self.n = n
    }

    public init(series: [SeriesPoint]) {
        self.series = series
        self.n = series.count
    }

    /// A share `successes / n` with its Wilson interval; no value when n is 0.
    public static func share(_ successes: Int, of n: Int) -> Measurement {
        guard n > 0 else { return Measurement(value: nil, n: 0) }
        return Measurement(value: Double(successes) / Double(n), n: n, interval: Wilson.interval(successes: successes, n: n))
    }
}

/// A cohort retention matrix: one row per cohort (its month and size), one cell per period k =
/// 0, 1, ...: the share of the cohort retained at the end of month cohort + k, or nil where that
/// month lies after the as-of date (censored: unknown, not zero).
public struct CohortMatrix: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var key: String
        public var size: Int
        public var retained: [Int?]
        public var cells: [Double?] { retained.map { $0.map { Double($0) / Double(max(size, 1)) } } }
    }
    public var rows: [Row]

    public init(rows: [Row]) {
        self.rows = rows
    }
}

/// One point of a series metric, keyed by period ("2023-01").
public struct SeriesPoint: Sendable, Equatable {
    public var key: String
    public var value: Double

    public init(key: String, value: Double) {
        self.key = key
        self.value = value
    }
}

/// The result of one data test (dbt style): how many rows fail it and a few of their keys.
public struct IntegrityFinding: Sendable, Equatable {
    public var test: String
    public var table: String
    public var column: String?
    public var failures: Int
    /// Up to five keys of failing rows, sorted.
    public var sampleKeys: [String]
    /// Rows the test looked at.
    public var checked: Int
    /// A failing `warn` test is reported and does not fail the audit.
    public var warnOnly = false

    public init(test: String, table: String, column: String?, failures: Int, sampleKeys: [String], checked: Int, warnOnly: Bool = false) {
        self.test = test
        self.table = table
        self.column = column
        self.failures = failures
        self.sampleKeys = sampleKeys
        self.checked = checked
        self.warnOnly = warnOnly
    }
}

/// A measure that could not be computed, and why (a missing table or column).
public struct SkippedMeasure: Sendable, Equatable {
    public var measure: String
    public var reason: String
}

/// Everything measured on one dataset.
public struct Measurements: Sendable {
    public var metrics: [String: Measurement] = [:]
    public var integrity: [IntegrityFinding] = []
    public var skipped: [SkippedMeasure] = []
    public var asOf: String?
    /// The definitions the audit used that the mapping chose (`churn`), stated in the report.
    public var definitions: [String: String] = [:]
    /// What the report's charts draw beyond the metrics: the retention curve, the revenue of
    /// each unit (creator or customer) for the Lorenz curve, the seasonal series with their
    /// fitted model, and named series such as the MRR movements. Not part of report.json.
    public var charts = ChartData()
    /// The anomaly analysis: surface series, what the detector flagged, the injected anomalies
    /// scored against their ground truth.
    public var anomalies: AnomalyReport?

    public init() {}
}

/// The data behind the report's charts.
public struct ChartData: Sendable {
    public var survival: KaplanMeier?
    public var survivalSubject = "customers"
    public var revenues: [Double] = []
    public var seasonal: [SeasonalSeries] = []
    /// Named series drawn together on one chart, by chart title.
    public var lines: [(title: String, yLabel: String, series: [(name: String, points: [SeriesPoint])])] = []

    public init() {}
}

/// A monthly series and the values of its fitted seasonal model.
public struct SeasonalSeries: Sendable {
    public var name: String
    public var keys: [String]
    public var observed: [Double]
    public var fitted: [Double]
}
