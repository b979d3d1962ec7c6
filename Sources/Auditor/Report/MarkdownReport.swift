import TableIO

/// `report.md`: the summary table first, then one section per area; every metric links to its
/// definition in `Documentation/metrics.md`.
public enum MarkdownReport {
    /// Where the metric definitions live, relative to a report in `reports/NAME/` or `golden/NAME/`.
    static let definitions = "../../Documentation/metrics.md"

    /// The report; `charts` are the SVG files written next to it, linked from a Charts section.
    public static func render(_ report: AuditReport, charts: [ReportCharts.Chart] = []) -> String {
        var lines: [String] = []
        lines.append("# Audit report: \(report.profile)")
        lines.append("")
        lines.append("synthaudit \(synthauditVersion); as of \(report.measurements.asOf ?? "unknown"); bands: \(report.bandsPath ?? "none")")
        if let churn = report.measurements.definitions["churn"] { lines += ["", "Churn: \(churn)."] }
        lines.append("")
        lines.append("| checks | pass | warn | fail | inconclusive | integrity tests failing |")
        lines.append("|---|---|---|---|---|---|")
        lines.append("| \(report.checks.count) | \(report.count(.pass)) | \(report.count(.warn)) | \(report.count(.fail)) | \(report.count(.inconclusive)) | \(report.integrityFailures) of \(report.measurements.integrity.count) |")
        lines.append("")
        lines.append("## Inputs")
        lines.append("")
        lines.append("| input | kind | rows | sha256 |")
        lines.append("|---|---|---|---|")
        for input in report.inputs {
            lines.append("| \(input.name) | \(input.kind) | \(Format.grouped(input.rows)) | `\(input.sha256.prefix(16))…` |")
        }
        lines.append("")
        lines.append("## Checks")
        lines.append("")
        lines.append("| metric | value | 95% interval | n | band | status |")
        lines.append("|---|---|---|---|---|---|")
        for check in report.checks {
            let value = check.label ?? check.value.map(format) ?? "—"
            let interval = check.interval.map(format) ?? ""
            var status = check.status.rawValue
            if let reason = check.reason { status += " (\(reason))" }
            lines.append("| [\(check.band.metric)](\(definitions)#\(anchor(check.band.metric))) | \(value) | \(interval) | \(Format.grouped(check.n)) | \(check.band.target) | \(status) |")
        }
        let checked = Set(report.checks.map(\.band.metric))
        let unchecked = report.measurements.metrics.filter { !checked.contains($0.key) && $0.value.series == nil && $0.value.matrix == nil }.sorted { $0.key < $1.key }
        if !unchecked.isEmpty {
            lines.append("")
            lines.append("## Other measures (no band)")
            lines.append("")
            lines.append("| metric | value | 95% interval | n |")
            lines.append("|---|---|---|---|")
            for (id, measurement) in unchecked {
                let value = measurement.label ?? measurement.value.map(format) ?? "—"
                let interval = measurement.interval.map(format) ?? ""
                lines.append("| [\(id)](\(definitions)#\(anchor(id))) | \(value) | \(interval) | \(Format.grouped(measurement.n)) |")
            }
        }
        let notes = report.checks.filter { $0.band.note != nil && $0.band.severity == .warn }
        if !notes.isEmpty || !report.conflicts.isEmpty {
            lines.append("")
            lines.append("## Conflicts between the request's targets")
            lines.append("")
            for conflict in report.conflicts {
                lines.append("- Proved from the bands alone, \(conflict.bands.map { "`\($0)`" }.joined(separator: " vs ")): \(conflict.explanation).")
            }
            for check in notes {
                lines.append("- `\(check.band.id)` (warn only): \(check.band.note ?? "")")
            }
        }
        lines.append("")
        lines.append("## Integrity")
        lines.append("")
        let failing = report.measurements.integrity.filter { $0.failures > 0 }
        if failing.isEmpty {
            lines.append("All \(report.measurements.integrity.count) data tests pass.")
        } else {
            lines.append("| test | table | column | failures | of | sample keys |")
            lines.append("|---|---|---|---|---|---|")
            for finding in failing {
                lines.append("| \(finding.test) | \(finding.table) | \(finding.column ?? "") | \(Format.grouped(finding.failures)) | \(Format.grouped(finding.checked)) | \(finding.sampleKeys.map { "`\($0)`" }.joined(separator: ", ")) |")
            }
            lines.append("")
            lines.append("\(report.measurements.integrity.count - failing.count) other data tests pass.")
        }
        if let anomalies = report.measurements.anomalies {
            lines += anomalySection(anomalies, charts: Set(charts.map(\.file)))
        }
        for (id, measurement) in report.measurements.metrics.sorted(by: { $0.key < $1.key }) {
            guard let matrix = measurement.matrix, let width = matrix.rows.map(\.retained.count).max() else { continue }
            lines.append("")
            lines.append("## Cohort retention: [\(id)](\(definitions)#\(anchor(id)))")
            lines.append("")
            lines.append("Share of each cohort retained at the end of month cohort + k, in percent; `·` marks months after the as-of date (censored, not zero).")
            lines.append("")
            lines.append("| cohort | n | " + (0..<width).map { "k\($0)" }.joined(separator: " | ") + " |")
            lines.append("|---|---|" + String(repeating: "---|", count: width))
            for row in matrix.rows {
                let cells = row.cells.map { $0.map { Format.fixed($0 * 100, 0) } ?? "·" }
                lines.append("| \(row.key) | \(Format.grouped(row.size)) | " + cells.joined(separator: " | ") + " |")
            }
        }
        if !charts.isEmpty {
            lines.append("")
            lines.append("## Charts")
            for chart in charts where !chart.file.hasPrefix("chart-anomaly-") && !chart.file.hasPrefix("chart-incident-") {
                lines.append("")
                lines.append("![\(chart.title)](\(chart.file))")
            }
        }
        let series = report.measurements.metrics.filter { $0.value.series != nil }.sorted { $0.key < $1.key }
        for (id, measurement) in series {
            lines.append("")
            lines.append("## Series: [\(id)](\(definitions)#\(anchor(id)))")
            lines.append("")
            lines.append("| period | value |")
            lines.append("|---|---|")
            for point in measurement.series ?? [] { lines.append("| \(point.key) | \(format(point.value)) |") }
        }
        if !report.measurements.skipped.isEmpty {
            lines.append("")
            lines.append("## Skipped")
            lines.append("")
            for skipped in report.measurements.skipped { lines.append("- \(skipped.measure): \(skipped.reason)") }
        }
        // Ids, column names and values come from the data: a control byte in one (ESC, NUL, a
        // line break inside a table cell) is written as an escape, as report.json and stderr do.
        return lines.map(Console.printable).joined(separator: "\n") + "\n"
    }

    /// The anomalies: each injected one answering its question, then what was found without
    /// ground truth, with the charts of the series.
    static func anomalySection(_ anomalies: AnomalyReport, charts: Set<String>) -> [String] {
        var lines = ["", "## Anomalies", ""]
        lines.append("A point is flagged when the robust z of its residual (after a Theil-Sen trend and the seasonal medians) reaches \(Format.fixed(AnomalyDetector.threshold, 1)) or the generalized ESD test (hybrid statistic, alpha \(Format.fixed(AnomalyDetector.alpha, 2))) rejects it; beyond |z| \(Format.fixed(AnomalyDetector.obviousZ, 0)) an anomaly is obvious. [Method](../../Documentation/anomalies.md). Ground truth: \(anomalies.groundTruth ?? "none (no anomalies.json)").")
        for note in anomalies.notes { lines += ["", "Note: \(note)."] }
        func chart(_ series: String?) {
            guard let series, charts.contains(ReportCharts.anomalyFile(series)) else { return }
            lines += ["", "![\(series)](\(ReportCharts.anomalyFile(series)))"]
        }
        if !anomalies.injected.isEmpty {
            lines += ["", "| anomaly | series | window | z | detected | expected root cause | rank | share | obvious |", "|---|---|---|---|---|---|---|---|---|"]
            for entry in anomalies.injected {
                let cause = "\(entry.truth.dimension) = \(entry.truth.values.joined(separator: ", "))"
                lines.append("| \(entry.truth.id) | \(entry.series ?? "—") | \(entry.truth.start) .. \(entry.truth.end) | \(entry.z.map { Format.fixed($0, 2) } ?? "—") | \(entry.detected ? "yes" : "no") | \(cause) | \(entry.rank.map(String.init) ?? "—") | \(entry.share.map { Format.percent($0) } ?? "—") | \(entry.obvious ? "yes" : "no") |")
            }
            for entry in anomalies.injected {
                lines += ["", "### \(entry.truth.id): \(entry.truth.question)", "", entry.answer]
                if let drill = entry.drillDown {
                    lines += ["", "| rank | \(drill.dimension) | share of the movement | share otherwise | actual - expected |", "|---|---|---|---|---|"]
                    for (index, contribution) in drill.ranked.prefix(5).enumerated() {
                        lines.append("| \(index + 1) | \(contribution.value) | \(Format.percent(contribution.share)) | \(Format.percent(contribution.baselineShare)) | \(Format.fixed(contribution.excess, abs(contribution.excess) >= 100 ? 0 : 1)) |")
                    }
                }
                chart(entry.series)
            }
        }
        lines += ["", "### Incidents (slice scan)", ""]
        lines.append("Every day of every slice of the daily rate and count series (the series, each value of its dimensions, a category's values of its own dimensions) against the same slice on the days around it that should look alike (the days of the three months around that carry the same billing anniversaries, or for a count that follows the calendar the five weeks around through weekday and turn-of-month factors; the extremes left out), by a conditional binomial test with the slice's overdispersion; each slice also summed by calendar month against the three months on either side, and a count that follows the calendar by Monday-to-Sunday week against the five weeks on either side, with one overdispersion per series (a week's at least the slice's own); \(Format.grouped(anomalies.scanTests)) slice-days, weeks and months tested, \(Format.grouped(anomalies.scanDiscoveries)) discovered at a false discovery rate of \(Format.percent(SliceScan.q)).")
        if anomalies.incidents.isEmpty {
            lines += ["", "No incident."]
        } else {
            lines += ["", "| rank | window | series | cause | cause's excess | z |", "|---|---|---|---|---|---|"]
            for (rank, incident) in anomalies.incidents.enumerated() {
                let cause = incident.cause.isEmpty ? "platform-wide" : incident.cause.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
                lines.append("| \(rank + 1) | \(incident.start) .. \(incident.end) | \(incident.shows.map(\.series).joined(separator: ", ")) | \(cause) | \(SliceScan.signed(incident.causeExcess, incident.shows[0].unit)) | \(Format.fixed(incident.z, 1)) |")
            }
            for (rank, incident) in anomalies.incidents.enumerated() {
                let cause = incident.cause.isEmpty ? "platform-wide"
                    : incident.cause.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
                    + " (\(Format.percent(incident.causeShare)) of the lead series' excess)"
                lines += ["", "#### Incident \(rank + 1): \(incident.start) .. \(incident.end), \(cause)", "", "\(incident.answer)."]
                let file = ReportCharts.incidentFile(rank + 1)
                if charts.contains(file) { lines += ["", "![incident \(rank + 1)](\(file))"] }
            }
        }
        lines += ["", "### Found without ground truth", ""]
        if anomalies.found.isEmpty {
            lines.append("No point of any series was flagged.")
        } else {
            lines += ["| series | window | z | best explanation | share of the movement | share otherwise |", "|---|---|---|---|---|---|"]
            for entry in anomalies.found {
                let cause = entry.rootCause.map { "\($0.dimension) = \($0.value)" } ?? "—"
                lines.append("| \(entry.series) | \(entry.start) .. \(entry.end) | \(Format.fixed(entry.z, 2)) | \(cause) | \(entry.rootCause.map { Format.percent($0.share) } ?? "—") | \(entry.rootCause.map { Format.percent($0.baselineShare) } ?? "—") |")
            }
            lines.append("")
            for entry in anomalies.found { lines.append("- \(entry.answer).") }
        }
        let injectedSeries = Set(anomalies.injected.compactMap(\.series))
        for series in ReportCharts.chartedSeries(anomalies) where !injectedSeries.contains(series) { chart(series) }
        return lines
    }

    /// Four significant decimals for small numbers, two for large ones, no locale.
    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e12 { return Format.grouped(Int(value)) }
        return abs(value) >= 1_000 ? Format.fixed(value, 2) : Format.fixed(value, 4)
    }

    /// A 95% interval as "low – high".
    static func format(_ interval: ClosedRange<Double>) -> String {
        "\(format(interval.lowerBound)) – \(format(interval.upperBound))"
    }

    /// The Markdown anchor of a metric id in the definitions document.
    static func anchor(_ id: String) -> String {
        String(id.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
    }
}
