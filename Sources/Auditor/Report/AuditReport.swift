import Foundation
import TableIO

/// One input of an audit: a file or a table, its rows and the file's digest.
public struct AuditInput: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var rows: Int
    public var sha256: String
}

/// Everything an audit found, ready to be written as `report.json` and `report.md`.
public struct AuditReport: Sendable {
    public var profile: String
    public var inputs: [AuditInput]
    public var bandsPath: String?
    public var measurements: Measurements
    public var checks: [CheckResult]
    /// Conflicts proved between the bands used (``BandConflicts``).
    public var conflicts: [BandConflict] = []

    public func count(_ status: CheckStatus) -> Int { checks.filter { $0.status == status }.count }
    public var integrityFailures: Int { measurements.integrity.filter { $0.failures > 0 && !$0.warnOnly }.count }

    /// The report as JSON (SPEC section 7): sorted keys, fixed number formatting, no clock.
    public var json: JSONValue {
        var metrics: [String: JSONValue] = [:]
        for (id, measurement) in measurements.metrics {
            var entry: [String: JSONValue] = ["n": .integer(measurement.n)]
            if let series = measurement.series {
                entry["series"] = .array(series.map { .object(["key": .string($0.key), "value": .number($0.value, digits: 9)]) })
            }
            if let matrix = measurement.matrix {
                entry["matrix"] = .array(matrix.rows.map { row in
                    .object(["key": .string(row.key), "size": .integer(row.size),
                             "retained": .array(row.retained.map { $0.map { .integer($0) } ?? .null }),
                             "cells": .array(row.cells.map { $0.map { .number($0, digits: 9) } ?? .null })])
                })
            }
            if let value = measurement.value { entry["value"] = .number(value, digits: 9) }
            if let label = measurement.label { entry["value"] = .string(label) }
            if let standardError = measurement.standardError { entry["se"] = .number(standardError, digits: 9) }
            if let interval = measurement.interval {
                entry["ci"] = .array([.number(interval.lowerBound, digits: 9), .number(interval.upperBound, digits: 9)])
            }
            metrics[id] = .object(entry)
        }
        let checkEntries: [JSONValue] = checks.map { check in
            var entry: [String: JSONValue] = [
                "id": .string(check.band.id), "metric": .string(check.band.metric), "status": .string(check.status.rawValue),
                "n": .integer(check.n), "band": Self.json(check.band.target),
                "tolerance": check.band.tolerance.map(Self.json) ?? .null,
                "value": check.label.map { .string($0) } ?? check.value.map { .number($0, digits: 9) } ?? .null,
                "note": .string(check.band.note ?? ""), "severity": .string(check.band.severity.rawValue),
            ]
            if let reason = check.reason { entry["reason"] = .string(reason) }
            return .object(entry)
        }
        let integrity: [JSONValue] = measurements.integrity.map { finding in
            var entry: [String: JSONValue] = [
                "test": .string(finding.test), "table": .string(finding.table),
                "column": finding.column.map { .string($0) } ?? .null, "failures": .integer(finding.failures),
                "checked": .integer(finding.checked), "sample_keys": .array(finding.sampleKeys.map { .string($0) }),
            ]
            if finding.warnOnly { entry["severity"] = .string("warn") }
            return .object(entry)
        }
        let declared: [JSONValue] = checks.filter { $0.band.severity == .warn }.map { check in
            .object(["band": .string(check.band.id), "kind": .string("declared"), "note": .string(check.band.note ?? "")])
        }
        let proved: [JSONValue] = self.conflicts.map { conflict in
            .object(["band": .string(conflict.bands[0]), "bands": .array(conflict.bands.map { .string($0) }),
                     "kind": .string("proved"), "note": .string(conflict.explanation)])
        }
        let conflicts = declared + proved
        var summary: [String: JSONValue] = [:]
        for status in CheckStatus.allCases { summary[status.rawValue] = .integer(count(status)) }
        summary["integrity_failures"] = .integer(integrityFailures)
        summary["integrity_tests"] = .integer(measurements.integrity.count)
        return .object([
            "tool": .object(["name": .string("synthaudit"), "version": .string(synthauditVersion)]),
            "profile": .string(profile),
            "bands": bandsPath.map { .string($0) } ?? .null,
            "inputs": .array(inputs.map { input in
                .object(["name": .string(input.name), "kind": .string(input.kind), "rows": .integer(input.rows),
                         "sha256": .string(input.sha256)])
            }),
            "as_of": measurements.asOf.map { .string($0) } ?? .null,
            "definitions": .object(measurements.definitions.mapValues { .string($0) }),
            "metrics": .object(metrics),
            "checks": .array(checkEntries),
            "integrity": .array(integrity),
            "anomalies": anomaliesJSON,
            "skipped": .array(measurements.skipped.map { .object(["measure": .string($0.measure), "reason": .string($0.reason)]) }),
            "summary": .object(summary),
            "conflicts": .array(conflicts),
        ])
    }

    /// SPEC section 7's `anomalies`: `injected` (with ground truth) and `found`, plus the
    /// detector's parameters and the series it looked at.
    var anomaliesJSON: JSONValue {
        guard let anomalies = measurements.anomalies else {
            return .object(["injected": .array([]), "found": .array([])])
        }
        let injected: [JSONValue] = anomalies.injected.map { entry in
            var cause: [String: JSONValue] = [
                "dimension": .string(entry.truth.dimension),
                "value": entry.truth.values.count == 1 ? .string(entry.truth.values[0]) : .array(entry.truth.values.map { .string($0) }),
                "rank": entry.rank.map { .integer($0) } ?? .null,
                "share": entry.share.map { .number($0, digits: 6) } ?? .null,
            ]
            if let drill = entry.drillDown {
                cause["of"] = .integer(drill.ranked.count)
                cause["top"] = .array(drill.ranked.prefix(5).map(Self.json))
            }
            var object: [String: JSONValue] = [
                "id": .string(entry.truth.id), "question": .string(entry.truth.question),
                "series": entry.series.map { .string($0) } ?? .null,
                "window": .array([.string(entry.truth.start.description), .string(entry.truth.end.description)]),
                "z": entry.z.map { .number($0, digits: 6) } ?? .null, "detected": .bool(entry.detected),
                "obvious": .bool(entry.obvious), "root_cause": .object(cause), "answer": .string(entry.answer),
            ]
            if let id = entry.series, let detection = anomalies.detections[id], let surface = anomalies.series.first(where: { $0.id == id }) {
                object["points"] = .array(entry.points.map { Self.json(point: $0, surface, detection) })
            }
            return .object(object)
        }
        let found: [JSONValue] = anomalies.found.map { entry in
            var object: [String: JSONValue] = [
                "series": .string(entry.series), "window": .array([.string(entry.start), .string(entry.end)]),
                "z": .number(entry.z, digits: 6), "answer": .string(entry.answer),
                "root_cause": entry.rootCause.map(Self.json) ?? .null,
            ]
            if let detection = anomalies.detections[entry.series], let surface = anomalies.series.first(where: { $0.id == entry.series }) {
                object["points"] = .array(entry.points.map { Self.json(point: $0, surface, detection) })
            }
            return .object(object)
        }
        let series: [JSONValue] = anomalies.series.compactMap { surface in
            guard let detection = anomalies.detections[surface.id] else { return nil }
            return .object([
                "id": .string(surface.id), "points": .integer(detection.z.compactMap { $0 }.count),
                "flagged": .integer(detection.flagged.filter { $0 }.count), "seasonality": .string(detection.seasonality),
                "dimensions": .array(surface.dimensions.map { .string($0.name) }),
            ])
        }
        let incidents: [JSONValue] = anomalies.incidents.map { incident in
            .object([
                "window": .array([.string(incident.start), .string(incident.end)]),
                "series": .array(incident.shows.map { .string($0.series) }),
                "shows": .array(incident.shows.map { shown in
                    .object(["series": .string(shown.series), "excess": .number(shown.excess, digits: 6), "slices": .integer(shown.slices)])
                }),
                "root_cause": .object(["conditions": .object(incident.cause.mapValues { .string($0) }),
                                       "excess": .number(incident.causeExcess, digits: 6),
                                       "share": .number(incident.causeShare, digits: 6)]),
                "minus_log10_p": .number(-log10(max(incident.p, 1e-300)), digits: 3), "z": .number(incident.z, digits: 6),
                "answer": .string(incident.answer),
            ])
        }
        return .object([
            "injected": .array(injected), "found": .array(found), "series": .array(series), "incidents": .array(incidents),
            "scan": .object(["tests": .integer(anomalies.scanTests), "discoveries": .integer(anomalies.scanDiscoveries),
                             "fdr": .number(SliceScan.q, digits: 3)]),
            "ground_truth": anomalies.groundTruth.map { .string($0) } ?? .null,
            "notes": .array(anomalies.notes.map { .string($0) }),
            "detector": .object([
                "z_threshold": .number(AnomalyDetector.threshold, digits: 3), "esd_alpha": .number(AnomalyDetector.alpha, digits: 3),
                "esd_max_outlier_share": .number(AnomalyDetector.maxOutlierShare, digits: 3),
                "obvious_z": .number(AnomalyDetector.obviousZ, digits: 3),
                "method": .string("Theil-Sen trend, seasonal medians (day of month for daily series), robust z = (r - median r) / (1.4826 MAD r), generalized ESD with the hybrid statistic"),
            ]),
        ])
    }

    static func json(_ contribution: Contribution) -> JSONValue {
        .object(["dimension": .string(contribution.dimension), "value": .string(contribution.value),
                 "share": .number(contribution.share, digits: 6), "baseline_share": .number(contribution.baselineShare, digits: 6),
                 "excess": .number(contribution.excess, digits: 6)])
    }

    static func json(point: Int, _ surface: SurfaceSeries, _ detection: Detection) -> JSONValue {
        .object(["key": .string(surface.keys[point]), "value": detection.values[point].map { .number($0, digits: 9) } ?? .null,
                 "expected": detection.expected[point].map { .number($0, digits: 9) } ?? .null,
                 "z": detection.z[point].map { .number($0, digits: 6) } ?? .null, "flagged": .bool(detection.flagged[point])])
    }

    static func json(_ target: Band.Target) -> JSONValue {
        switch target {
        case .label(let text): return .string(text)
        case .range(let lower, let upper):
            return .array([lower.isFinite ? .number(lower, digits: 9) : .null, upper.isFinite ? .number(upper, digits: 9) : .null])
        }
    }
}
