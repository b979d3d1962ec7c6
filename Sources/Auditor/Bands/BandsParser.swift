import Datasets
import Yams

/// Reads and validates a bands file (YAML), reporting every problem with its line.
///
/// The format, documented in `Documentation/bands.md`:
///
///     profile: creators
///     bands:
///       - id: payments.success_rate
///         metric: payments.success_rate
///         target: [0.90, 0.94]        # or 500, or {min: 1.5}, or {max: 0.04}, or video
///         tolerance: [0.88, 0.96]     # optional: outside target, inside tolerance = warn
///         severity: warn              # optional: never fail
///         min_n: 1000                 # optional: smaller samples are inconclusive
///         source: "Payment success rate ~92%"
///         note: "..."                 # optional
public enum BandsParser {
    static let bandKeys: Set<String> = ["id", "metric", "target", "tolerance", "severity", "min_n", "source", "note"]

    /// Parses `text` (the contents of `path`); the file is usable only if the diagnostics are empty.
    public static func parse(_ text: String, path: String) -> (file: BandsFile?, diagnostics: [BandsDiagnostic]) {
        var diagnostics: [BandsDiagnostic] = []
        func problem(_ line: Int, _ message: String) {
            diagnostics.append(BandsDiagnostic(path: path, line: line, message: message))
        }
        let root: Node
        do throws(BoundedYAML.Failure) {
            guard let node = try BoundedYAML.compose(text, path: path) else {
                problem(1, "empty bands file: expected 'profile' and 'bands'")
                return (nil, diagnostics)
            }
            root = node
        } catch {
            problem(error.line, error.message)
            return (nil, diagnostics)
        }
        guard let top = root.mapping else {
            problem(root.mark?.line ?? 1, "expected a mapping with 'profile' and 'bands'")
            return (nil, diagnostics)
        }
        for key in top.keys where !["profile", "bands"].contains(key.string ?? "") {
            problem(key.mark?.line ?? 1, "unknown key '\(key.string ?? "?")' (expected 'profile' and 'bands')")
        }
        guard let profileNode = top["profile"], let profile = profileNode.string else {
            problem(root.mark?.line ?? 1, "missing 'profile' (one of \(MetricCatalog.profiles.joined(separator: ", ")))")
            return (nil, diagnostics)
        }
        guard let catalog = MetricCatalog.entries(for: profile) else {
            problem(profileNode.mark?.line ?? 1, "unknown profile '\(profile)' (expected one of \(MetricCatalog.profiles.joined(separator: ", ")))")
            return (nil, diagnostics)
        }
        let kinds = Dictionary(uniqueKeysWithValues: catalog.map { ($0.id, $0.kind) })
        guard let list = top["bands"]?.sequence else {
            problem(top["bands"]?.mark?.line ?? root.mark?.line ?? 1, "missing 'bands' (a list of bands)")
            return (nil, diagnostics)
        }

        var bands: [Band] = []
        var firstLine: [String: Int] = [:]
        for entry in list {
            let line = entry.mark?.line ?? 1
            guard let fields = entry.mapping else {
                problem(line, "a band must be a mapping with id, metric, target and source")
                continue
            }
            for key in fields.keys where !bandKeys.contains(key.string ?? "") {
                problem(key.mark?.line ?? line, "unknown key '\(key.string ?? "?")' in a band (expected \(bandKeys.sorted().joined(separator: ", ")))")
            }
            func text(_ key: String, required: Bool) -> String? {
                guard let node = fields[key] else {
                    if required { problem(line, "band is missing '\(key)'") }
                    return nil
                }
                guard let value = node.string, node.scalar != nil, !value.isEmpty else {
                    problem(node.mark?.line ?? line, "'\(key)' must be non-empty text")
                    return nil
                }
                return value
            }
            let id = text("id", required: true)
            let metric = text("metric", required: true)
            let source = text("source", required: true)
            let note = text("note", required: false)
            if let id {
                if let earlier = firstLine[id] {
                    problem(fields["id"]?.mark?.line ?? line, "duplicate band id '\(id)' (first at line \(earlier))")
                } else {
                    firstLine[id] = fields["id"]?.mark?.line ?? line
                }
            }
            var kind: MetricCatalog.Kind?
            if let metric {
                kind = kinds[metric]
                if kind == nil {
                    problem(fields["metric"]?.mark?.line ?? line, "unknown metric '\(metric)' for profile '\(profile)'")
                }
            }
            var target: Band.Target?
            if let node = fields["target"] {
                target = parseTarget(node, key: "target", kind: kind, problem: problem)
            } else {
                problem(line, "band is missing 'target'")
            }
            var tolerance: Band.Target?
            if let node = fields["tolerance"] {
                tolerance = parseTarget(node, key: "tolerance", kind: kind, problem: problem)
                if case .range(let lower, let upper)? = tolerance, case .range(let targetLower, let targetUpper)? = target,
                   lower > targetLower || upper < targetUpper {
                    problem(node.mark?.line ?? line, "tolerance \(tolerance!) does not contain the target \(target!)")
                }
                if case .label? = tolerance { problem(node.mark?.line ?? line, "a label target has no tolerance") }
            }
            var severity = Band.Severity.fail
            if let node = fields["severity"] {
                if let value = node.string, let parsed = Band.Severity(rawValue: value) {
                    severity = parsed
                } else {
                    problem(node.mark?.line ?? line, "'severity' must be 'fail' or 'warn'")
                }
            }
            var minimumN: Int?
            if let node = fields["min_n"] {
                if let value = node.int, value >= 0 {
                    minimumN = value
                } else {
                    problem(node.mark?.line ?? line, "'min_n' must be a non-negative integer")
                }
            }
            if let id, let metric, let source, let target {
                bands.append(Band(id: id, metric: metric, target: target, tolerance: tolerance, severity: severity,
                                  minimumN: minimumN, source: source, note: note, line: line))
            }
        }
        let file = diagnostics.isEmpty ? BandsFile(path: path, profile: profile, bands: bands) : nil
        return (file, diagnostics.sorted { ($0.line, $0.message) < ($1.line, $1.message) })
    }

    /// `[lo, hi]`, `{min: x}`, `{max: x}`, a number (exact) or a word (a label).
    static func parseTarget(_ node: Node, key: String, kind: MetricCatalog.Kind?,
                            problem: (Int, String) -> Void) -> Band.Target? {
        let line = node.mark?.line ?? 1
        var result: Band.Target?
        if let pair = node.sequence {
            let values = pair.map { number($0) }
            guard values.count == 2, let lower = values[0], let upper = values[1] else {
                problem(line, "'\(key)' must be [lower, upper] with two numbers (.inf allowed)")
                return nil
            }
            result = .range(lower: lower, upper: upper)
        } else if let bounds = node.mapping {
            var lower = -Double.infinity
            var upper = Double.infinity
            for (name, value) in bounds {
                guard let bound = number(value) else {
                    problem(value.mark?.line ?? line, "'\(key).\(name.string ?? "?")' must be a number")
                    continue
                }
                switch name.string {
                case "min": lower = bound
                case "max": upper = bound
                default: problem(name.mark?.line ?? line, "'\(key)' takes 'min' and 'max', not '\(name.string ?? "?")'")
                }
            }
            result = .range(lower: lower, upper: upper)
        } else if let value = number(node) {
            result = .range(lower: value, upper: value)
        } else if let word = node.string, !word.isEmpty {
            result = .label(word)
        } else {
            problem(line, "'\(key)' must be [lower, upper], {min: x}, {max: x}, a number or a label")
            return nil
        }
        switch (result, kind) {
        case (.range(let lower, let upper)?, _) where lower > upper:
            problem(line, "inverted band: \(key) lower bound \(Band.format(lower)) is above its upper bound \(Band.format(upper))")
            return nil
        case (.range(let lower, let upper)?, .share?)
            where (lower < 0 && lower != -.infinity) || (upper > 1 && upper != .infinity):
            problem(line, "\(key) \(result!) is outside [0, 1], but the metric is a share (write 0.62, not 62)")
        case (.range?, .label?):
            problem(line, "the metric is a label: its \(key) must be a word, not a number")
        case (.label?, .some(let metricKind)) where metricKind != .label:
            problem(line, "the metric is numeric: its \(key) must be a number or a range")
        default: break
        }
        return result
    }

    static func number(_ node: Node) -> Double? {
        guard node.scalar != nil else { return nil }
        if let integer = node.int { return Double(integer) }
        if let real = node.float, !real.isNaN { return real }
        return nil
    }

    static func line(of error: YamlError) -> Int { MappingLoader.line(of: error) }

    static func summary(of error: YamlError) -> String { MappingLoader.summary(of: error) }
}
