import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Auditor

/// The SVG chart renderer: same bytes for the same input, well-formed XML, escaped text, round
/// ticks, coordinates inside the viewBox, and no crash on empty, flat or non-finite input.
@Suite("SVG chart")
struct SVGChartTests {
    /// The elements of a document with their attributes and text, or nil when it is not well-formed XML.
    final class Elements: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], text: String)] = []
        /// Indices of the elements currently open, innermost last.
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            open.append(elements.count)
            elements.append((elementName, attributeDict, ""))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let index = open.last, elements[index].name != "svg" else { return }
            elements[index].text += string
        }

        static func parse(_ svg: String) -> Elements? {
            let parser = XMLParser(data: Data(svg.utf8))
            let collector = Elements()
            parser.delegate = collector
            return parser.parse() ? collector : nil
        }
    }

    static let kaplanMeier: SVGChart = {
        let estimate = KaplanMeier(durations: [1, 2, 2, 3, 5, 8, 8, 9, 12, 14], observed: [true, true, false, true, true, false, true, true, false, true])
        return SVGChart(title: "Retention (Kaplan-Meier)", xLabel: "tenure, months", yLabel: "still subscribed",
                        series: [SVGChart.Series(name: "all customers", kaplanMeier: estimate, until: 15)],
                        target: SVGChart.TargetBand(low: 0.3, high: 0.5), yFormat: .percent, yRange: 0...1)
    }()

    static let monthly: SVGChart = {
        let months = (0..<36).map { "\(2023 + $0 / 12)-" + ($0 % 12 < 9 ? "0" : "") + "\($0 % 12 + 1)" }
        let mrr = (0..<36).map { 1_000_000 + 25_000 * Double($0) }
        let target = mrr.map { $0 * 0.9 }
        return SVGChart(title: "MRR", xLabel: "month", yLabel: "MRR, dollars",
                        series: [SVGChart.Series(name: "synthetic", values: mrr), SVGChart.Series(name: "reference", values: target)],
                        xCategories: months)
    }()

    static let lorenz = SVGChart.lorenz(title: "Revenue concentration",
                                        curve: [.init(x: 0, y: 0), .init(x: 0.5, y: 0.1), .init(x: 0.9, y: 0.45), .init(x: 1, y: 1)])

    static let all = [kaplanMeier, monthly, lorenz]

    @Test("the same input renders the same bytes")
    func determinism() {
        for chart in Self.all {
            #expect(Array(chart.render().utf8) == Array(chart.render().utf8))
        }
        let copy = SVGChart.lorenz(title: "Revenue concentration",
                                   curve: [.init(x: 0, y: 0), .init(x: 0.5, y: 0.1), .init(x: 0.9, y: 0.45), .init(x: 1, y: 1)])
        #expect(copy.render() == Self.lorenz.render())
    }

    @Test("output is well-formed standalone SVG with a size and viewBox")
    func parsesAsXML() throws {
        for chart in Self.all {
            let parsed = try #require(Elements.parse(chart.render()))
            let root = try #require(parsed.elements.first)
            #expect(root.name == "svg")
            #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
            #expect(root.attributes["width"] == "720" && root.attributes["height"] == "360")
            #expect(root.attributes["viewBox"] == "0 0 720 360")
        }
    }

    @Test("titles, labels and series names are escaped")
    func escaping() throws {
        let nasty = "R&D <\"quoted\"> 'x'"
        let chart = SVGChart(title: nasty, xLabel: "a<b", yLabel: "c&d",
                             series: [SVGChart.Series(name: "s1 & s2", points: [.init(x: 0, y: 1), .init(x: 1, y: 2)]),
                                      SVGChart.Series(name: "</text>", points: [.init(x: 0, y: 2)])],
                             target: SVGChart.TargetBand(low: 1, high: 1.5, label: "<target>"))
        let svg = chart.render()
        #expect(svg.contains("R&amp;D &lt;&quot;quoted&quot;&gt; &apos;x&apos;"))
        #expect(!svg.contains(nasty) && !svg.contains("a<b") && !svg.contains(">c&d<"))
        let parsed = try #require(Elements.parse(svg))
        let texts = parsed.elements.filter { $0.name == "text" }.map(\.text)
        for expected in [nasty, "a<b", "c&d", "s1 & s2", "</text>", "<target>"] {
            #expect(texts.contains(expected), "\(expected)")
        }
    }

    @Test("empty, single-point, flat and non-finite inputs render")
    func degenerate() throws {
        let charts = [
            SVGChart(title: "none", xLabel: "x", yLabel: "y", series: []),
            SVGChart(title: "empty", xLabel: "x", yLabel: "y", series: [SVGChart.Series(name: "a", points: [])]),
            SVGChart(title: "non-finite", xLabel: "x", yLabel: "y",
                     series: [SVGChart.Series(name: "a", points: [.init(x: .nan, y: 1), .init(x: 1, y: .infinity)])]),
            SVGChart(title: "empty months", xLabel: "x", yLabel: "y", series: [], xCategories: []),
        ]
        for chart in charts {
            let svg = chart.render()
            #expect(Elements.parse(svg) != nil)
            #expect(svg.contains(">no data</text>"))
            #expect(!svg.contains("nan") && !svg.contains("inf"))
        }
        let single = SVGChart(title: "one", xLabel: "x", yLabel: "y", series: [SVGChart.Series(name: "a", points: [.init(x: 3, y: 7)])]).render()
        #expect(single.contains("<circle") && !single.contains("no data"))
        let flat = SVGChart(title: "flat", xLabel: "x", yLabel: "y",
                            series: [SVGChart.Series(name: "a", values: [5, 5, 5, 5])], xCategories: ["q1", "q2", "q3", "q4"])
        let parsed = try #require(Elements.parse(flat.render()))
        let yLabels = parsed.elements.filter { $0.attributes["text-anchor"] == "end" && $0.name == "text" }.map(\.text)
        #expect(yLabels.count >= 2 && yLabels.contains("5.0"))
        let mixed = SVGChart(title: "mixed", xLabel: "x", yLabel: "y",
                             series: [SVGChart.Series(name: "a", points: [.init(x: 0, y: 1), .init(x: 1, y: .nan), .init(x: 2, y: -.infinity), .init(x: 3, y: 2)],
                                                      band: .init(lower: [0.5, .nan], upper: [1.5]))]).render()
        #expect(Elements.parse(mixed) != nil && !mixed.contains("nan") && !mixed.contains("inf"))
        let huge = SVGChart(title: "huge", xLabel: "x", yLabel: "y",
                            series: [SVGChart.Series(name: "a", points: [.init(x: -1e308, y: 1e308), .init(x: 1e308, y: -1e308)])]).render()
        #expect(Elements.parse(huge) != nil)
    }

    @Test("a step series goes horizontally, then vertically")
    func stepPath() throws {
        let chart = SVGChart(title: "step", xLabel: "x", yLabel: "y",
                             series: [SVGChart.Series(name: "s", points: [.init(x: 0, y: 1), .init(x: 2, y: 0.5), .init(x: 4, y: 0.25)], style: .step)],
                             xRange: 0...4, yRange: 0...1)
        let parsed = try #require(Elements.parse(chart.render()))
        let path = try #require(parsed.elements.first { $0.name == "path" && $0.attributes["fill"] == "none" })
        let tokens = (path.attributes["d"] ?? "").split(separator: " ")
        let commands = tokens.compactMap(\.first).filter(\.isLetter)
        #expect(commands == ["M", "H", "V", "H", "V"])
        // Each H keeps the previous y and reaches the next x; each V then drops to the new y.
        let start = try #require(tokens.first.flatMap { Double($0.dropFirst()) })
        let firstH = try #require(Double(tokens[2].dropFirst()))
        let firstV = try #require(Double(tokens[3].dropFirst()))
        #expect(firstH > start && firstV > (Double(tokens[1]) ?? .infinity))
    }

    @Test("tick steps are 1, 2 or 5 times a power of ten and ticks are their multiples")
    func niceTicks() throws {
        for span in [0.003, 0.7, 1, 3.3, 9.99, 17, 97, 1234, 2_500_000, 7e9] {
            for count in [3, 5, 8] {
                let step = SVGChart.niceStep(span: span, count: count)
                let mantissa = step / pow(10, log10(step).rounded(.down))
                #expect([1, 2, 5, 10].contains { abs(mantissa - Double($0)) < 1e-9 }, "span \(span) step \(step)")
                for tick in SVGChart.ticks(low: -span / 3, high: span, step: step) {
                    #expect(abs(tick / step - (tick / step).rounded()) < 1e-9)
                }
            }
        }
        let labels = try #require(Elements.parse(SVGChart(title: "t", xLabel: "x", yLabel: "y",
            series: [SVGChart.Series(name: "a", points: [.init(x: 0, y: 3), .init(x: 23, y: 97)])]).render()))
            .elements.filter { $0.name == "text" && $0.attributes["text-anchor"] == "end" }.map(\.text)
        #expect(labels == ["0", "20", "40", "60", "80", "100"])
        let survival = try #require(Elements.parse(Self.kaplanMeier.render())).elements
            .filter { $0.name == "text" && $0.attributes["text-anchor"] == "middle" && $0.attributes["font-size"] == "11" }.map(\.text)
        #expect(survival == ["0", "2", "4", "6", "8", "10", "12", "14", "16"])
        let monthly = try #require(Elements.parse(Self.monthly.render())).elements.filter { $0.name == "text" }.map(\.text)
        #expect(monthly.contains("1,000,000") && monthly.contains("2023-01") && !monthly.contains("2023-02"))
        let lorenz = try #require(Elements.parse(Self.lorenz.render())).elements.filter { $0.name == "text" }.map(\.text)
        #expect(lorenz.contains("0%") && lorenz.contains("100%") && lorenz.contains("equality"))
    }

    @Test("every coordinate lies inside the viewBox")
    func withinViewBox() throws {
        let outside = SVGChart(title: "clamped", xLabel: "x", yLabel: "y",
                               series: [SVGChart.Series(name: "a", points: [.init(x: -5, y: -3), .init(x: 9, y: 4)],
                                                        band: .init(lower: [-10, 0], upper: [10, 20]))],
                               target: SVGChart.TargetBand(low: -100, high: 100), xRange: 0...1, yRange: 0...1)
        for chart in Self.all + [outside] {
            let parsed = try #require(Elements.parse(chart.render()))
            for element in parsed.elements {
                for key in ["x", "x1", "x2", "cx"] {
                    if let value = element.attributes[key].flatMap(Double.init) { #expect((0...720).contains(value), "\(element.name) \(key)") }
                }
                for key in ["y", "y1", "y2", "cy"] {
                    if let value = element.attributes[key].flatMap(Double.init) { #expect((0...360).contains(value), "\(element.name) \(key)") }
                }
                var command: Character = "M"
                var coordinate = 0
                for token in (element.attributes["d"] ?? "").split(separator: " ") {
                    var number = Substring(token)
                    if let first = token.first, first.isLetter {
                        command = first
                        coordinate = 0
                        number = token.dropFirst()
                    }
                    guard let value = Double(number) else { continue }
                    let isX = command == "H" || (command != "V" && coordinate % 2 == 0)
                    #expect((0...(isX ? 720 : 360)).contains(value), "path \(command) \(value)")
                    // Coordinates carry at most two decimals.
                    #expect(number.split(separator: ".").dropFirst().first.map { $0.count <= 2 } ?? true)
                    coordinate += 1
                }
            }
        }
    }
}
