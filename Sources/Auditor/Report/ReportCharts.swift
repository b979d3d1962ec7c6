/// The charts of a report, as SVG files written next to `report.md` and referenced from it:
/// the retention curve with its interval, the MRR series and movements, the seasonal series
/// with their fitted model, and the Lorenz curve of revenue.
public enum ReportCharts {
    public struct Chart: Sendable {
        /// The file name, `chart-*.svg`.
        public var file: String
        public var title: String
        public var svg: String
    }

    public static func render(_ report: AuditReport) -> [Chart] {
        let measurements = report.measurements
        var charts: [Chart] = []
        func add(_ file: String, _ chart: SVGChart) {
            charts.append(Chart(file: "chart-\(file).svg", title: chart.title, svg: chart.render()))
        }
        if let survival = measurements.charts.survival {
            let subject = measurements.charts.survivalSubject
            let months = Double((measurements.metrics["retention.km"]?.series?.count ?? 25) - 1)
            add("retention", SVGChart(
                title: "Kaplan-Meier survival of \(subject) (95% interval, n = \(survival.subjects))",
                xLabel: "tenure, months of 30.4375 days", yLabel: "still subscribed",
                series: [thinned(survival, until: months, name: subject)], yFormat: .percent, xRange: 0...months, yRange: 0...1))
        }
        if let mrr = measurements.metrics["mrr.series"]?.series, !mrr.isEmpty {
            add("mrr", SVGChart(title: "MRR at each month end, recomputed from raw rows", xLabel: "month", yLabel: "MRR, $",
                                series: [SVGChart.Series(name: "MRR", values: mrr.map(\.value))], xCategories: mrr.map(\.key)))
        }
        for group in measurements.charts.lines {
            guard let keys = group.series.first?.points.map(\.key), !keys.isEmpty else { continue }
            add(slug(group.title), SVGChart(title: group.title, xLabel: "month", yLabel: group.yLabel,
                                               series: group.series.map { SVGChart.Series(name: $0.name, values: $0.points.map(\.value)) },
                                               xCategories: keys))
        }
        for seasonal in measurements.charts.seasonal {
            add("seasonal-" + slug(seasonal.name), SVGChart(
                title: "\(seasonal.name): observed and the fitted log-linear seasonal model", xLabel: "month", yLabel: seasonal.name,
                series: [SVGChart.Series(name: "observed", values: seasonal.observed),
                         SVGChart.Series(name: "fitted (trend + Q4, January, summer)", points: seasonal.fitted.enumerated().map {
                             SVGChart.Point(x: Double($0.offset), y: $0.element)
                         }, dashed: true)],
                xCategories: seasonal.keys))
        }
        let revenues = measurements.charts.revenues
        if revenues.count >= 2, revenues.reduce(0, +) > 0 {
            add("lorenz", SVGChart.lorenz(title: "Lorenz curve of revenue (n = \(revenues.count))", curve: lorenz(revenues),
                                          xLabel: "share of creators, smallest first"))
        }
        if let anomalies = measurements.anomalies {
            for (index, incident) in anomalies.incidents.enumerated() { add("incident-\(index + 1)", incidentChart(incident, rank: index + 1)) }
            for id in chartedSeries(anomalies) {
                guard let surface = anomalies.series.first(where: { $0.id == id }), let detection = anomalies.detections[id] else { continue }
                add("anomaly-" + slug(id), anomalyChart(surface, detection))
            }
        }
        return charts
    }

    /// The chart file of the incident of a rank (1 for the first).
    public static func incidentFile(_ rank: Int) -> String { "chart-incident-\(rank).svg" }

    /// An incident's slice around its window: observed, expected, and the days discovered.
    static func incidentChart(_ incident: Incident, rank: Int) -> SVGChart {
        let trace = incident.trace
        let points = { (values: [Double?]) in
            values.enumerated().compactMap { index, value in value.map { SVGChart.Point(x: Double(index), y: $0) } }
        }
        let flagged = trace.observed.indices.map { trace.flagged[$0] ? trace.observed[$0] : nil }
        return SVGChart(
            title: "Incident \(rank): \(trace.title)", xLabel: "day",
            yLabel: trace.unit == .dollars ? "$" : trace.unit == .share ? "rate" : "count",
            series: [SVGChart.Series(name: "observed", points: points(trace.observed)),
                     SVGChart.Series(name: "expected (reference days)", points: points(trace.expected), dashed: true),
                     SVGChart.Series(name: "discovered", points: points(flagged), style: .markers, color: "#d62728")],
            xCategories: trace.keys, yFormat: trace.unit == .share ? .percent : .number)
    }

    /// The anomaly charts' file name for a series.
    public static func anomalyFile(_ series: String) -> String { "chart-anomaly-\(slug(series)).svg" }

    /// The series charted for the anomaly section: every platform series, then the family
    /// members an injected or a found anomaly points to.
    static func chartedSeries(_ anomalies: AnomalyReport) -> [String] {
        var ids = anomalies.series.filter { $0.member == nil && anomalies.detections[$0.id] != nil }.map(\.id)
        for id in anomalies.injected.compactMap(\.series) + anomalies.found.map(\.series) where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// A surface series, its expected values and its flagged points.
    static func anomalyChart(_ surface: SurfaceSeries, _ detection: Detection) -> SVGChart {
        let points = { (values: [Double?]) in
            values.enumerated().compactMap { index, value in value.map { SVGChart.Point(x: Double(index), y: $0) } }
        }
        let flagged = detection.values.indices.map { detection.flagged[$0] ? detection.values[$0] : nil }
        let percent = surface.form == .change || surface.unit == .share
        return SVGChart(
            title: "\(surface.title) (\(detection.flagged.filter { $0 }.count) flagged)", xLabel: surface.daily ? "day" : "month",
            yLabel: surface.form == .change ? "change" : surface.unit == .dollars ? "$" : surface.unit == .share ? "rate" : "count",
            series: [SVGChart.Series(name: "observed", points: points(detection.values)),
                     SVGChart.Series(name: "expected (trend + seasonal)", points: points(detection.expected), dashed: true),
                     SVGChart.Series(name: "flagged", points: points(flagged), style: .markers, color: "#d62728")],
            xCategories: surface.keys, yFormat: percent ? .percent : .number)
    }

    /// Lowercase ASCII letters and digits, other runs of characters as one dash: "MRR movements
    /// (stored)" gives "mrr-movements-stored". A name from the data (a category, a creator) may be
    /// long or not ASCII: then the slug is cut to 64 characters and ends in 8 hex digits of its
    /// text's FNV-1a hash, so that a chart's file name stays short, portable and distinct.
    static func slug(_ text: String) -> String {
        var result = ""
        var plain = true
        for scalar in text.lowercased().unicodeScalars {
            if scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)) {
                result.unicodeScalars.append(scalar)
            } else {
                if !scalar.isASCII { plain = false }
                if !result.isEmpty && !result.hasSuffix("-") { result.append("-") }
            }
        }
        if result.hasSuffix("-") { result.removeLast() }
        guard !plain || result.count > 64 else { return result }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(UInt32(truncatingIfNeeded: hash ^ (hash >> 32)), radix: 16)
        return String(result.prefix(64)) + "-" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The Lorenz curve: cumulative share of revenue against cumulative share of units, smallest
    /// first, at most about 500 points.
    static func lorenz(_ values: [Double]) -> [SVGChart.Point] {
        let sorted = values.sorted()
        let total = sorted.reduce(0, +)
        let stride = max(1, sorted.count / 500)
        var points = [SVGChart.Point(x: 0, y: 0)]
        var running = 0.0
        for (index, value) in sorted.enumerated() {
            running += value
            if (index + 1) % stride == 0 || index == sorted.count - 1 {
                points.append(SVGChart.Point(x: Double(index + 1) / Double(sorted.count), y: running / total))
            }
        }
        return points
    }

    /// The step curve on a grid of 1/20 month, so that tens of thousands of subjects still make
    /// a small file.
    static func thinned(_ survival: KaplanMeier, until months: Double, name: String) -> SVGChart.Series {
        var points: [SVGChart.Point] = []
        var lower: [Double] = []
        var upper: [Double] = []
        for tick in 0...Int(months * 20) {
            let time = Double(tick) / 20
            let point = survival.survival(at: time)
            points.append(SVGChart.Point(x: time, y: point.survival))
            lower.append(point.lower)
            upper.append(point.upper)
        }
        return SVGChart.Series(name: name, points: points, style: .step, band: SVGChart.ConfidenceBand(lower: lower, upper: upper))
    }
}
