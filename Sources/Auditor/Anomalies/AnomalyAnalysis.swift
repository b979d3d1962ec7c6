import Foundation
import TableIO

/// One anomaly of a dataset's ground truth (`anomalies.json`, SPEC 3.4).
public struct GroundTruthAnomaly: Sendable, Equatable {
    public var id: String
    public var question: String
    public var surfaceSeries: String
    public var start: CivilDate
    public var end: CivilDate
    public var dimension: String
    public var values: [String]

    /// The anomalies of an `anomalies.json` file; a readable message when it does not parse.
    public static func load(_ path: String) throws -> [GroundTruthAnomaly] {
        let data = Data(try InputFile.read(path, displayName: (path as NSString).lastPathComponent))
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = root["anomalies"] as? [[String: Any]] else {
            throw GroundTruthError("expected an object with an \"anomalies\" array")
        }
        return try entries.enumerated().map { index, entry in
            func text(_ key: String) throws -> String {
                guard let value = entry[key] as? String else { throw GroundTruthError("anomaly \(index + 1): missing \"\(key)\"") }
                return value
            }
            let id = try text("id")
            guard let window = entry["window"] as? [String], window.count == 2,
                  let start = CivilDate(window[0]), let end = CivilDate(window[1]), start <= end else {
                throw GroundTruthError("anomaly \(id): \"window\" must be two dates YYYY-MM-DD, the first not after the second")
            }
            guard let cause = entry["expected_root_cause"] as? [String: Any], let dimension = cause["dimension"] as? String else {
                throw GroundTruthError("anomaly \(id): missing \"expected_root_cause\".\"dimension\"")
            }
            let values = (cause["value"] as? [String]) ?? (cause["value"] as? String).map { [$0] } ?? []
            guard !values.isEmpty else { throw GroundTruthError("anomaly \(id): missing \"expected_root_cause\".\"value\"") }
            return GroundTruthAnomaly(id: id, question: (entry["question"] as? String) ?? "", surfaceSeries: try text("surface_series"),
                                      start: start, end: end, dimension: dimension, values: values)
        }
    }
}

public struct GroundTruthError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// How the analysis scored one injected anomaly.
public struct InjectedAnomaly: Sendable {
    public var truth: GroundTruthAnomaly
    /// The series it was scored on (a family member for a family such as category MRR).
    public var series: String?
    public var points: [Int]
    public var z: Double?
    public var detected: Bool
    public var obvious: Bool
    /// The expected root cause's drill-down, its rank (1 = first) and combined share.
    public var drillDown: DrillDown?
    public var rank: Int?
    public var share: Double?
    public var answer: String
}

/// An anomaly found without ground truth: a window of flagged points and its best explanation.
public struct FoundAnomaly: Sendable {
    public var series: String
    public var points: ClosedRange<Int>
    public var start: String
    public var end: String
    public var z: Double
    public var rootCause: Contribution?
    public var answer: String
}

/// The anomaly section of a report.
public struct AnomalyReport: Sendable {
    public var series: [SurfaceSeries] = []
    public var detections: [String: Detection] = [:]
    public var injected: [InjectedAnomaly] = []
    public var found: [FoundAnomaly] = []
    /// The slice scan's incidents (``SliceScan``), strongest first, and how many slice-days it
    /// tested and discovered at its false discovery rate.
    public var incidents: [Incident] = []
    public var scanTests = 0
    public var scanDiscoveries = 0
    /// Where the ground truth came from, or why it could not be used.
    public var groundTruth: String?
    public var notes: [String] = []

    public init() {}

    mutating func setIncidents(_ scan: (incidents: [Incident], tests: Int, discoveries: Int)) {
        (incidents, scanTests, scanDiscoveries) = scan
    }
}

/// Runs the detector over every surface series, lists the strongest windows found, and scores
/// the injected anomalies when there is ground truth.
public enum AnomalyAnalysis {
    /// Windows kept per series, and family-member windows kept over all members.
    static let perSeries = 3
    static let familyMembers = 10

    /// The most points of a daily series the detector reads: its last ten years. Theil-Sen takes
    /// every pair of points (n^2 / 2 slopes), so a daily series of a century-long window would need
    /// gigabytes; ten years is 6.7 M slopes (53 MB).
    public static let maximumDailyPoints = 3_653

    /// Daily series cut to their last ``maximumDailyPoints`` days.
    static func bounded(_ series: [SurfaceSeries]) -> [SurfaceSeries] {
        series.map { $0.daily && $0.keys.count > maximumDailyPoints ? $0.suffix(maximumDailyPoints) : $0 }
    }

    /// The detector over `allSeries` and, unless `scan` is false (the caller scans later, with
    /// series read after these), the slice scan over them and `scanOnly` (series no detector reads).
    public static func analyze(_ allSeries: [SurfaceSeries], groundTruth: [GroundTruthAnomaly]?, scanOnly: [SurfaceSeries] = [],
                               scan: Bool = true) -> AnomalyReport {
        var report = AnomalyReport()
        let series = bounded(allSeries)
        if allSeries.contains(where: { $0.daily && $0.keys.count > maximumDailyPoints }) {
            report.notes.append("the window is longer than ten years: the daily series cover its last \(Format.grouped(maximumDailyPoints)) days")
        }
        report.series = series
        let detections = detectAll(series)
        for (index, detection) in detections.enumerated() {
            if let detection { report.detections[series[index].id] = detection }
        }
        var platform: [FoundAnomaly] = []
        var members: [FoundAnomaly] = []
        for (index, surface) in series.enumerated() {
            guard let detection = detections[index] else { continue }
            let windows = detection.windows.map { window -> (ClosedRange<Int>, Double) in
                let peak = detection.peak(in: Array(window)) ?? window.lowerBound
                return (window, detection.z[peak] ?? 0)
            }.sorted { abs($0.1) != abs($1.1) ? abs($0.1) > abs($1.1) : $0.0.lowerBound < $1.0.lowerBound }
            for (window, z) in windows.prefix(perSeries) {
                let drills = DrillDownAnalysis.split(surface, detection, points: Array(window), direction: z < 0 ? -1 : 1)
                let cause = DrillDownAnalysis.strongest(drills)
                let found = FoundAnomaly(series: surface.id, points: window, start: surface.keys[window.lowerBound],
                                         end: surface.keys[window.upperBound], z: z, rootCause: cause,
                                         answer: AnomalyAnswer.sentence(surface, detection, points: Array(window), cause: cause))
                if surface.member == nil { platform.append(found) } else { members.append(found) }
            }
        }
        let order: (FoundAnomaly, FoundAnomaly) -> Bool = {
            abs($0.z) != abs($1.z) ? abs($0.z) > abs($1.z) : ($0.series, $0.points.lowerBound) < ($1.series, $1.points.lowerBound)
        }
        report.found = (platform + members.sorted(by: order).prefix(familyMembers)).sorted(by: order)
        if scan { report.setIncidents(SliceScan.incidents(series + bounded(scanOnly))) }

        if let groundTruth {
            report.injected = groundTruth.map { score($0, series: series, detections: report.detections) }
        }
        return report
    }

    /// Detections of all series, on both cores.
    static func detectAll(_ series: [SurfaceSeries]) -> [Detection?] {
        let results = ResultSlots<Detection?>(count: series.count)
        DispatchQueue.concurrentPerform(iterations: series.count) { index in
            results.set(index, AnomalyDetector.detect(series[index]))
        }
        return results.values
    }

    static func score(_ truth: GroundTruthAnomaly, series: [SurfaceSeries], detections: [String: Detection]) -> InjectedAnomaly {
        var result = InjectedAnomaly(truth: truth, series: nil, points: [], z: nil, detected: false, obvious: false,
                                     drillDown: nil, rank: nil, share: nil, answer: "")
        let candidates = series.filter { $0.id == truth.surfaceSeries }.isEmpty
            ? series.filter { $0.family == truth.surfaceSeries && $0.member != nil }
            : series.filter { $0.id == truth.surfaceSeries }
        // The member (or the series) where the window stands out most.
        var best: (surface: SurfaceSeries, detection: Detection, points: [Int], peak: Int)?
        for surface in candidates {
            guard let detection = detections[surface.id] else { continue }
            let points = surface.keys.indices.filter { covers(truth, surface.days[$0], daily: surface.daily) }
            guard let peak = detection.peak(in: points) else { continue }
            if best.map({ abs(detection.z[peak] ?? 0) > abs($0.detection.z[$0.peak] ?? 0) }) ?? true {
                best = (surface, detection, points, peak)
            }
        }
        guard let best else {
            result.answer = "Not scored: the dataset has no series \(truth.surfaceSeries) covering \(truth.start) .. \(truth.end)."
            return result
        }
        let z = best.detection.z[best.peak] ?? 0
        result.series = best.surface.id
        result.points = best.points
        result.z = z
        result.detected = best.points.contains { best.detection.flagged[$0] }
        result.obvious = best.detection.isObvious(in: best.points)
        // Drill down where the expected dimension is: the series itself, or the family's parent
        // split by the family's dimension (category MRR -> platform MRR by category).
        var target: (SurfaceSeries, Detection)? = (best.surface, best.detection)
        if !best.surface.dimensions.contains(where: { $0.name == truth.dimension }),
           best.surface.memberDimension == truth.dimension, let parent = best.surface.parent {
            target = series.first { $0.id == parent }.flatMap { surface in detections[parent].map { (surface, $0) } }
        }
        var cause: Contribution?
        if let (surface, detection) = target {
            let drills = DrillDownAnalysis.split(surface, detection, points: best.points, direction: z < 0 ? -1 : 1)
            if let drill = drills.first(where: { $0.dimension == truth.dimension }) {
                result.drillDown = drill
                if let (rank, share) = drill.rank(of: truth.values) {
                    result.rank = rank
                    result.share = share
                }
                cause = drill.ranked.first
            }
        }
        var answer = AnomalyAnswer.sentence(best.surface, best.detection, points: best.points, cause: nil)
        if let drill = result.drillDown, let rank = result.rank, let share = result.share {
            let names = truth.values.joined(separator: ", ")
            let movement = z < 0 ? "shortfall" : "excess"
            answer += "; \(truth.dimension) \(names) \(truth.values.count > 1 ? "account" : "accounts") for \(Format.percent(share)) of the \(movement) (rank \(rank) of \(drill.ranked.count))"
            if rank > 1, let first = cause { answer += "; ranked first: \(first.value) with \(Format.percent(first.share))" }
        } else {
            answer += "; the expected root cause \(truth.dimension) = \(truth.values.joined(separator: ", ")) is not among the drill-down values"
        }
        result.answer = answer + "."
        return result
    }

    /// Whether a point (a day, or a month given by its first day) overlaps the anomaly's window.
    static func covers(_ truth: GroundTruthAnomaly, _ day: CivilDate, daily: Bool) -> Bool {
        if daily { return day >= truth.start && day <= truth.end }
        let last = day.yearMonth.lastDay
        return last >= truth.start && day <= truth.end
    }
}

/// Results written from concurrent iterations into distinct slots.
final class ResultSlots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var values: [Value] { storage.map { $0! } }
}

/// The one-sentence answers of the report: what the series did in the window against what was
/// expected, and what explains it.
enum AnomalyAnswer {
    static func sentence(_ series: SurfaceSeries, _ detection: Detection, points: [Int], cause: Contribution?) -> String {
        let defined = points.filter { detection.values[$0] != nil && detection.expected[$0] != nil }
        guard let peak = detection.peak(in: points), let first = defined.first, let last = defined.last else {
            return "\(series.title): no defined value in the window"
        }
        let z = detection.z[peak] ?? 0
        let when = first == last ? series.keys[first] : "\(series.keys[first]) .. \(series.keys[last])"
        var text: String
        if defined.count <= 4 {
            let actual = defined.map { format(detection.values[$0] ?? 0, series) }.joined(separator: ", ")
            let expected = defined.map { format(detection.expected[$0] ?? 0, series) }.joined(separator: ", ")
            text = "\(series.title) was \(actual) in \(when) against an expected \(expected)"
        } else {
            let actual = defined.reduce(0.0) { $0 + (detection.values[$1] ?? 0) } / Double(defined.count)
            let expected = defined.reduce(0.0) { $0 + (detection.expected[$1] ?? 0) } / Double(defined.count)
            text = "\(series.title) averaged \(format(actual, series)) over \(when) against an expected \(format(expected, series))"
        }
        let verdict = points.contains { detection.flagged[$0] } ? "flagged" : "not flagged"
        text += " (peak robust z \(Format.fixed(z, 1)) on \(series.keys[peak]), \(verdict))"
        if let cause {
            let movement = z < 0 ? "shortfall" : "excess"
            text += "; \(cause.dimension) \(cause.value) accounts for \(Format.percent(cause.share)) of the \(movement)"
            text += " (\(Format.percent(cause.baselineShare)) of the series otherwise)"
        }
        return text
    }

    static func format(_ value: Double, _ series: SurfaceSeries) -> String {
        switch (series.form, series.unit) {
        case (.change, _): return (value >= 0 ? "+" : "") + Format.fixed(value * 100, 1) + "%"
        case (_, .share): return Format.fixed(value * 100, 1) + "%"
        case (_, .dollars): return "$" + Format.grouped(Int(value.rounded()))
        case (_, .count): return Format.grouped(Int(value.rounded()))
        }
    }
}
