import TableIO
/// One check of a bands file: a metric, the band it must fall in, and where the band comes from.
public struct Band: Sendable, Equatable {
    /// What a metric must be.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        /// A closed interval; either end may be infinite.
        case range(lower: Double, upper: Double)
        /// A label the metric must equal (a category name).
        case label(String)

        public func contains(_ value: Double) -> Bool {
            if case .range(let lower, let upper) = self { return value >= lower && value <= upper }
            return false
        }

        /// The finite edge of the range that lies strictly inside `interval`, if any: an
        /// interval on both sides of an edge cannot tell inside from outside.
        public func edge(straddledBy interval: ClosedRange<Double>) -> Double? {
            guard case .range(let lower, let upper) = self else { return nil }
            return [lower, upper].first { $0.isFinite && interval.lowerBound < $0 && $0 < interval.upperBound }
        }

        public var description: String {
            switch self {
            case .label(let text): return "= \(text)"
            case .range(let lower, let upper):
                if lower == upper { return "= \(Band.format(lower))" }
                if upper == .infinity { return ">= \(Band.format(lower))" }
                if lower == -.infinity { return "<= \(Band.format(upper))" }
                return "\(Band.format(lower)) .. \(Band.format(upper))"
            }
        }
    }

    public enum Severity: String, Sendable, Equatable {
        /// Outside the target and the tolerance: the check fails.
        case fail
        /// Never worse than a warning (a band known to conflict with others).
        case warn
    }

    public var id: String
    public var metric: String
    /// Inside: pass.
    public var target: Target
    /// Outside the target but inside the tolerance: warn.
    public var tolerance: Target?
    public var severity: Severity
    /// Below this sample size the check is inconclusive.
    public var minimumN: Int?
    /// The words of the request the band comes from.
    public var source: String
    public var note: String?
    /// The line of the band's entry in its file.
    public var line: Int

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A bands file: the profile it applies to and its bands, in file order.
public struct BandsFile: Sendable {
    public var path: String
    public var profile: String
    public var bands: [Band]
}

/// A problem found in a bands file, at a line.
public struct BandsDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public var description: String { Console.printable("\(path):\(line): \(message)") }
}
