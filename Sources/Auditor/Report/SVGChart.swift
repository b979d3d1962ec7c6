import Foundation
import TableIO

/// A line or step chart as a standalone SVG 1.1 document, for the audit reports: Kaplan-Meier
/// curves with their interval, monthly series with month labels, Lorenz curves.
///
/// The output depends only on the input: no dates, no generated ids, coordinates with at most two
/// decimals and tick labels formatted without locale, so the same chart is the same bytes on every
/// machine and a report that embeds it can be compared byte for byte. Points with a NaN or
/// infinite coordinate are skipped; a chart without any drawable point still renders its axes
/// and says "no data"; a flat series gets a padded range. Ticks are round numbers (1, 2 or 5
/// times a power of ten); the legend appears when there is more than one series.
public struct SVGChart: Sendable {
    /// How a series joins its points.
    public enum Style: Sendable {
        /// Straight segments between consecutive points.
        case line
        /// Kaplan-Meier style: from each point horizontally to the next point's x, then vertically.
        case step
        /// A ring at each point, no line: flagged points drawn over another series.
        case markers
    }

    /// How tick labels show values.
    public enum ValueFormat: Sendable {
        /// Plain numbers with thousands separators: "1,250,000", "0.25".
        case number
        /// Fractions as percentages: 0.25 -> "25%".
        case percent
    }

    /// One point; in a chart with `xCategories`, `x` is the category's index.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// A shaded interval around a series (a confidence interval), one bound per point of the
    /// series; indices where a bound or the point is not finite are left out.
    public struct ConfidenceBand: Sendable, Equatable {
        public var lower: [Double]
        public var upper: [Double]

        public init(lower: [Double], upper: [Double]) {
            self.lower = lower
            self.upper = upper
        }
    }

    /// One named series, drawn in x order as given.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public var style: Style
        public var band: ConfidenceBand?
        /// Dashed stroke, for reference lines such as the equality diagonal of a Lorenz curve.
        public var dashed: Bool
        /// A CSS colour; nil takes the next colour of the palette.
        public var color: String?

        public init(name: String, points: [Point], style: Style = .line, band: ConfidenceBand? = nil, dashed: Bool = false, color: String? = nil) {
            self.name = name
            self.points = points
            self.style = style
            self.band = band
            self.dashed = dashed
            self.color = color
        }

        /// A series over categories: value `i` is drawn at category `i`.
        public init(name: String, values: [Double], style: Style = .line, band: ConfidenceBand? = nil) {
            self.init(name: name, points: values.enumerated().map { Point(x: Double($0.offset), y: $0.element) }, style: style, band: band)
        }

        /// A Kaplan-Meier curve as a step series from S(0) = 1 with its interval as the band,
        /// extended flat to `until` when that is past the last death.
        public init(name: String, kaplanMeier estimate: KaplanMeier, until: Double? = nil) {
            var points = [Point(x: 0, y: 1)]
            var lower = [1.0]
            var upper = [1.0]
            for step in estimate.steps {
                points.append(Point(x: step.time, y: step.survival))
                lower.append(step.lower)
                upper.append(step.upper)
            }
            if let until, until > (points.last?.x ?? 0), let last = points.last {
                points.append(Point(x: until, y: last.y))
                lower.append(lower.last ?? 1)
                upper.append(upper.last ?? 1)
            }
            self.init(name: name, points: points, style: .step, band: ConfidenceBand(lower: lower, upper: upper))
        }

        /// The line of perfect equality from (0, 0) to (1, 1), dashed grey.
        public static let equality = Series(name: "equality", points: [Point(x: 0, y: 0), Point(x: 1, y: 1)], dashed: true, color: "#888888")
    }

    /// A horizontal range of acceptable values, shaded lightly across the plot and labelled.
    public struct TargetBand: Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var label: String

        public init(low: Double, high: Double, label: String = "target") {
            self.low = Swift.min(low, high)
            self.high = Swift.max(low, high)
            self.label = label
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var target: TargetBand?
    /// Labels of a categorical x axis (months "2023-01", ...); every k-th is shown so none overlap.
    public var xCategories: [String]?
    public var xFormat: ValueFormat
    public var yFormat: ValueFormat
    /// Fixed axis ranges; nil fits the data (and the target band) and widens to round ticks.
    /// `xRange` is ignored on a categorical axis, which always spans the categories.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, series: [Series], target: TargetBand? = nil,
                xCategories: [String]? = nil, xFormat: ValueFormat = .number, yFormat: ValueFormat = .number,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, width: Int = 720, height: Int = 360) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.target = target
        self.xCategories = xCategories
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.xRange = xRange
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    /// A Lorenz curve (cumulative share of the total against cumulative share of the population,
    /// both in [0, 1], starting at (0, 0)) with the equality diagonal, on percent axes.
    public static func lorenz(title: String, curve: [Point], name: String = "observed",
                              xLabel: String = "share of customers", yLabel: String = "share of revenue") -> SVGChart {
        SVGChart(title: title, xLabel: xLabel, yLabel: yLabel, series: [Series(name: name, points: curve), .equality],
                 xFormat: .percent, yFormat: .percent, xRange: 0...1, yRange: 0...1)
    }

    /// Colour-blind-safe palette (Okabe-Ito), used in series order.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
    /// Rough width of one character of 11-12px sans-serif text, for layout.
    static let characterWidth = 7.0

    /// The SVG document, ending in a newline.
    public func render() -> String {
        let width = Double(Swift.max(width, 240))
        let height = Double(Swift.max(height, 160))
        let drawn = series.map(Drawn.init)
        let hasData = drawn.contains { !$0.points.isEmpty }
        var yValues = drawn.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }
        if let target, target.low.isFinite, target.high.isFinite { yValues += [target.low, target.high] }
        let yAxis = Axis(values: yValues, fixed: yRange, count: Int((height - 100) / 50), format: yFormat)
        let yLabels = yAxis.ticks.map { yAxis.text($0) }
        let left = 36 + Swift.max(24, Double(yLabels.map(\.count).max() ?? 0) * Self.characterWidth)
        let right = width - 24

        // Legend: one row of items under the title, wrapping as needed.
        var legend: [(x: Double, row: Int, index: Int)] = []
        if series.count > 1 {
            var x = left
            var row = 0
            for (index, item) in series.enumerated() {
                let itemWidth = 30 + Double(item.name.count) * Self.characterWidth
                if x > left && x + itemWidth > right { x = left; row += 1 }
                legend.append((x, row, index))
                x += itemWidth + 12
            }
        }
        let top = 44 + Double(legend.map { $0.row + 1 }.max() ?? 0) * 18
        let bottom = height - 52
        let xAxis: Axis
        if let categories = xCategories {
            xAxis = Axis(categories: categories, plotWidth: right - left)
        } else {
            xAxis = Axis(values: drawn.flatMap { $0.points.map(\.x) }, fixed: xRange, count: Int((right - left) / 70), format: xFormat)
        }
        let plot = Plot(left: left, right: right, top: top, bottom: bottom, xAxis: xAxis, yAxis: yAxis)

        var out: [String] = []
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">")
        out.append("<title>\(Self.escape(title))</title>")
        out.append("<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>")
        out.append("<text x=\"\(c(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\" fill=\"#222222\">\(Self.escape(title))</text>")
        for item in legend {
            let y = 44 + Double(item.row) * 18
            let dash = series[item.index].dashed ? " stroke-dasharray=\"6 4\"" : ""
            out.append("<line x1=\"\(c(item.x))\" y1=\"\(c(y - 4))\" x2=\"\(c(item.x + 22))\" y2=\"\(c(y - 4))\" stroke=\"\(colour(item.index))\" stroke-width=\"2.5\"\(dash)/>")
            out.append("<text x=\"\(c(item.x + 28))\" y=\"\(c(y))\" fill=\"#222222\">\(Self.escape(series[item.index].name))</text>")
        }
        for tick in yAxis.ticks {
            let y = plot.y(tick)
            out.append("<line x1=\"\(c(left))\" y1=\"\(c(y))\" x2=\"\(c(right))\" y2=\"\(c(y))\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>")
        }
        if let target, target.low.isFinite, target.high.isFinite {
            let upper = plot.y(target.high)
            let lower = plot.y(target.low)
            out.append("<rect x=\"\(c(left))\" y=\"\(c(upper))\" width=\"\(c(right - left))\" height=\"\(c(Swift.max(lower - upper, 1)))\" fill=\"#2ca02c\" fill-opacity=\"0.12\"/>")
            out.append("<text x=\"\(c(right - 4))\" y=\"\(c(Swift.min(upper + 12, bottom - 2)))\" text-anchor=\"end\" font-size=\"11\" fill=\"#1f7a1f\">\(Self.escape(target.label))</text>")
        }
        for (index, item) in drawn.enumerated() where item.band.count > 1 {
            let points = item.band.map { (x: plot.x($0.x), low: plot.y($0.low), high: plot.y($0.high)) }
            var d = "M\(c(points[0].x)) \(c(points[0].high))"
            for point in points.dropFirst() {
                d += series[index].style == .step
                    ? " H\(c(point.x)) V\(c(point.high))" : " L\(c(point.x)) \(c(point.high))"
            }
            if let last = points.last { d += " L\(c(last.x)) \(c(last.low))" }
            for offset in stride(from: points.count - 2, through: 0, by: -1) {
                let point = points[offset]
                d += series[index].style == .step
                    ? " V\(c(point.low)) H\(c(point.x))" : " L\(c(point.x)) \(c(point.low))"
            }
            out.append("<path d=\"\(d) Z\" fill=\"\(colour(index))\" fill-opacity=\"0.18\" stroke=\"none\"/>")
        }
        for (index, item) in drawn.enumerated() {
            let points = item.points.map { (x: plot.x($0.x), y: plot.y($0.y)) }
            guard let first = points.first else { continue }
            if series[index].style == .markers {
                for point in points {
                    out.append("<circle cx=\"\(c(point.x))\" cy=\"\(c(point.y))\" r=\"5\" fill=\"none\" stroke=\"\(colour(index))\" stroke-width=\"2\"/>")
                }
                continue
            }
            if points.count == 1 {
                out.append("<circle cx=\"\(c(first.x))\" cy=\"\(c(first.y))\" r=\"3\" fill=\"\(colour(index))\"/>")
                continue
            }
            var d = "M\(c(first.x)) \(c(first.y))"
            for point in points.dropFirst() {
                d += series[index].style == .step ? " H\(c(point.x)) V\(c(point.y))" : " L\(c(point.x)) \(c(point.y))"
            }
            let dash = series[index].dashed ? " stroke-dasharray=\"6 4\"" : ""
            out.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour(index))\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash)/>")
        }
        out.append("<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\" stroke=\"#333333\" stroke-width=\"1\"/>")
        out.append("<line x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\" stroke=\"#333333\" stroke-width=\"1\"/>")
        for (tick, label) in zip(yAxis.ticks, yLabels) {
            let y = plot.y(tick)
            out.append("<line x1=\"\(c(left - 5))\" y1=\"\(c(y))\" x2=\"\(c(left))\" y2=\"\(c(y))\" stroke=\"#333333\" stroke-width=\"1\"/>")
            out.append("<text x=\"\(c(left - 8))\" y=\"\(c(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#333333\">\(Self.escape(label))</text>")
        }
        for tick in xAxis.ticks {
            let x = plot.x(tick)
            out.append("<line x1=\"\(c(x))\" y1=\"\(c(bottom))\" x2=\"\(c(x))\" y2=\"\(c(bottom + 5))\" stroke=\"#333333\" stroke-width=\"1\"/>")
            out.append("<text x=\"\(c(x))\" y=\"\(c(bottom + 18))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#333333\">\(Self.escape(xAxis.text(tick)))</text>")
        }
        out.append("<text x=\"\(c((left + right) / 2))\" y=\"\(c(height - 10))\" text-anchor=\"middle\" fill=\"#222222\">\(Self.escape(xLabel))</text>")
        let middle = (top + bottom) / 2
        out.append("<text x=\"16\" y=\"\(c(middle))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(c(middle)))\" fill=\"#222222\">\(Self.escape(yLabel))</text>")
        if !hasData {
            out.append("<text x=\"\(c((left + right) / 2))\" y=\"\(c(middle))\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888888\">no data</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The stroke colour of series `index`, escaped for an attribute.
    func colour(_ index: Int) -> String {
        Self.escape(series[index].color ?? Self.palette[index % Self.palette.count])
    }

    /// Text safe in SVG character data and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A round tick step, 1, 2 or 5 times a power of ten, giving about `count` intervals over `span`.
    static func niceStep(span: Double, count: Int) -> Double {
        guard span.isFinite, span > 0 else { return 1 }
        let raw = span / Double(Swift.max(count, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }

    /// The multiples of `step` within `low...high` (with a little slack for rounding).
    static func ticks(low: Double, high: Double, step: Double) -> [Double] {
        guard step > 0, abs(low / step) < 1e12, abs(high / step) < 1e12 else { return [low, high] }
        let first = Int((low / step - 1e-9).rounded(.up))
        let last = Int((high / step + 1e-9).rounded(.down))
        guard first <= last, last - first <= 1_000 else { return [low, high] }
        return (first...last).map { Double($0) * step }
    }
}

/// A coordinate with at most two decimals and no trailing zeros.
private func c(_ value: Double) -> String {
    var text = Format.fixed(value, 2)
    guard text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// A series' finite points and band entries.
private struct Drawn {
    var points: [SVGChart.Point] = []
    var band: [(x: Double, low: Double, high: Double)] = []

    init(_ series: SVGChart.Series) {
        points = series.points.filter { $0.x.isFinite && $0.y.isFinite }
        guard let band = series.band else { return }
        for index in series.points.indices where index < band.lower.count && index < band.upper.count {
            let x = series.points[index].x
            let low = band.lower[index]
            let high = band.upper[index]
            if x.isFinite && low.isFinite && high.isFinite { self.band.append((x, Swift.min(low, high), Swift.max(low, high))) }
        }
    }
}

/// One axis: its domain, its ticks and how their labels read.
private struct Axis {
    var low: Double
    var high: Double
    var ticks: [Double]
    var step: Double
    var format: SVGChart.ValueFormat
    var categories: [String]?

    /// A numeric axis over `values` (or `fixed`), padded when flat and widened to round ticks.
    init(values: [Double], fixed: ClosedRange<Double>?, count: Int, format: SVGChart.ValueFormat) {
        self.format = format
        let count = Swift.max(count, 2)
        if let fixed, fixed.lowerBound.isFinite, fixed.upperBound.isFinite, fixed.upperBound > fixed.lowerBound {
            low = fixed.lowerBound
            high = fixed.upperBound
            step = SVGChart.niceStep(span: high - low, count: count)
            ticks = SVGChart.ticks(low: low, high: high, step: step)
            return
        }
        var minimum = values.min() ?? 0
        var maximum = values.max() ?? 1
        if !(maximum - minimum).isFinite { (minimum, maximum) = (-Double.greatestFiniteMagnitude / 4, Double.greatestFiniteMagnitude / 4) }
        if maximum - minimum <= Swift.max(abs(minimum), abs(maximum)) * 1e-12 {
            let pad = minimum == 0 ? 1 : abs(minimum) * 0.1
            (minimum, maximum) = (minimum - pad, maximum + pad)
        }
        step = SVGChart.niceStep(span: maximum - minimum, count: count)
        if abs(minimum / step) < 1e12 && abs(maximum / step) < 1e12 {
            minimum = (minimum / step + 1e-9).rounded(.down) * step
            maximum = (maximum / step - 1e-9).rounded(.up) * step
        }
        low = minimum
        high = maximum
        ticks = SVGChart.ticks(low: low, high: high, step: step)
    }

    /// A categorical axis over indices 0..<n, labelling every k-th category (k in 1, 2, 3, 4, 6,
    /// 12 or a multiple of 12, suited to months) so the labels fit `plotWidth`.
    init(categories: [String], plotWidth: Double) {
        self.categories = categories
        format = .number
        let n = categories.count
        (low, high) = n > 1 ? (0, Double(n - 1)) : (-0.5, 0.5)
        let labelWidth = Double(categories.map(\.count).max() ?? 0) * SVGChart.characterWidth + 12
        let slot = plotWidth / Double(Swift.max(n - 1, 1))
        let needed = Swift.max(1, Int((labelWidth / slot).rounded(.up)))
        let every = [1, 2, 3, 4, 6, 12].first { $0 >= needed } ?? ((needed + 11) / 12 * 12)
        step = Double(every)
        ticks = stride(from: 0, to: n, by: every).map(Double.init)
    }

    /// The label of tick `value`.
    func text(_ value: Double) -> String {
        if let categories {
            let index = Int(value.rounded())
            return categories.indices.contains(index) ? categories[index] : ""
        }
        let scale = format == .percent ? 100.0 : 1.0
        let decimals = Swift.min(6, Swift.max(0, Int((-log10(step * scale) - 1e-9).rounded(.up))))
        return format == .percent ? Format.fixed(value * 100, decimals) + "%" : grouped(value, decimals)
    }

    /// `value` with `decimals` decimals and thousands separators in the whole part.
    func grouped(_ value: Double, _ decimals: Int) -> String {
        let text = Format.fixed(value, decimals)
        guard value.isFinite, abs(value) < 1e15 else { return text }
        let negative = text.hasPrefix("-")
        let parts = (negative ? String(text.dropFirst()) : text).split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts.first ?? "")
        var result = negative ? "-" : ""
        for (offset, character) in whole.enumerated() {
            if offset > 0 && (whole.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return parts.count > 1 ? result + "." + parts[1] : result
    }
}

/// The plot rectangle and the mapping of data to it; values outside the axes are clamped to the edges.
private struct Plot {
    var left: Double, right: Double, top: Double, bottom: Double
    var xAxis: Axis, yAxis: Axis

    func x(_ value: Double) -> Double {
        let fraction = (value - xAxis.low) / (xAxis.high - xAxis.low)
        return left + (fraction.isFinite ? Swift.min(Swift.max(fraction, 0), 1) : 0) * (right - left)
    }

    func y(_ value: Double) -> Double {
        let fraction = (value - yAxis.low) / (yAxis.high - yAxis.low)
        return bottom - (fraction.isFinite ? Swift.min(Swift.max(fraction, 0), 1) : 0) * (bottom - top)
    }
}
