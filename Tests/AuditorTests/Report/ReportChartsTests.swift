import Testing
@testable import Auditor

@Suite("report charts")
struct ReportChartsTests {
    @Test("the Lorenz curve of equal values is the diagonal; of one earner, zero until the last point")
    func lorenz() {
        let equal = ReportCharts.lorenz(Array(repeating: 5, count: 40))
        #expect(equal.first == SVGChart.Point(x: 0, y: 0) && equal.last == SVGChart.Point(x: 1, y: 1))
        #expect(equal.allSatisfy { abs($0.x - $0.y) < 1e-12 })
        let single = ReportCharts.lorenz(Array(repeating: 0, count: 9) + [100])
        #expect(single.dropLast().allSatisfy { $0.y == 0 } && single.last?.y == 1)
        // Thinned to about 500 points, always ending at (1, 1) and never decreasing.
        let many = ReportCharts.lorenz((1...10_001).map(Double.init))
        #expect(many.count <= 502 && many.last == SVGChart.Point(x: 1, y: 1))
        #expect(zip(many, many.dropFirst()).allSatisfy { $0.y <= $1.y && $0.x < $1.x })
    }

    @Test("chart files get stable slugs")
    func slugs() {
        #expect(ReportCharts.slug("MRR movements (stored)") == "mrr-movements-stored")
        #expect(ReportCharts.slug("engagement per active pledge") == "engagement-per-active-pledge")
        // A name from the data: bounded, ASCII, and distinct where the plain slug would collide.
        let long = ReportCharts.slug("category_daily_succeeded_revenue:" + String(repeating: "a", count: 40_000))
        #expect(long.count == 64 + 9 && long.hasPrefix("category-daily-succeeded-revenue-aaa"))
        let accented = ReportCharts.slug("category_mrr_monthly:música")
        let other = ReportCharts.slug("category_mrr_monthly:músico")
        #expect(accented.unicodeScalars.allSatisfy(\.isASCII) && accented != other && accented.hasPrefix("category-mrr-monthly-m-sica-"))
        #expect(ReportCharts.slug("category_mrr_monthly:música") == accented)
    }

    @Test("a report with a survival curve charts it with its interval, on the whole tenure range")
    func survival() {
        var measurements = Measurements()
        KaplanMeier(durations: [1, 2, 3, 4, 5], observed: [true, true, false, true, false]).record(into: &measurements, lastMonth: 6,
                                                                                                   subject: "customers")
        let report = AuditReport(profile: "saas", inputs: [], bandsPath: nil, measurements: measurements, checks: [])
        let charts = ReportCharts.render(report)
        #expect(charts.map(\.file) == ["chart-retention.svg"])
        #expect(charts.first?.title == "Kaplan-Meier survival of customers (95% interval, n = 5)")
        #expect(MarkdownReport.render(report, charts: charts).contains("![Kaplan-Meier survival of customers (95% interval, n = 5)](chart-retention.svg)"))
    }
}
