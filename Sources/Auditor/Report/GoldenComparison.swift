import Foundation
import TableIO

/// Compares a report with its golden copy, field by field: statuses and text exactly, numbers
/// within `1e-9 + 1e-6 x |value|` (so a change in the last printed digit is not drift, a real
/// change is).
public enum GoldenComparison {
    /// One difference between the golden report and the new one.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var golden: String?
        public var current: String?

        public var description: String {
            switch (golden, current) {
            case (nil, let now?): return "added    \(path) = \(now)"
            case (let was?, nil): return "removed  \(path) (was \(was))"
            default: return "changed  \(path): \(golden ?? "") -> \(current ?? "")"
            }
        }
    }

    /// The order in which a drift is listed: what decides a CI gate first (verdicts, checks,
    /// metrics, data tests), the detail after it.
    static let sectionOrder = ["summary", "checks", "metrics", "integrity", "conflicts", "anomalies", "inputs"]

    static func priority(_ path: String) -> Int {
        let section = path.prefix { $0 != "/" && $0 != "[" }
        return sectionOrder.firstIndex(of: String(section)) ?? sectionOrder.count
    }

    /// The differences between two serialized reports, by section (``sectionOrder``), then by path.
    public static func compare(golden: Data, current: Data) throws -> [Difference] {
        let old = flatten(try JSONSerialization.jsonObject(with: golden, options: [.fragmentsAllowed]))
        let new = flatten(try JSONSerialization.jsonObject(with: current, options: [.fragmentsAllowed]))
        var differences: [Difference] = []
        for path in Set(old.keys).union(new.keys).sorted() {
            switch (old[path], new[path]) {
            case (let was?, let now?):
                if !same(was, now) { differences.append(Difference(path: path, golden: text(was), current: text(now))) }
            case (let was?, nil): differences.append(Difference(path: path, golden: text(was), current: nil))
            case (nil, let now?): differences.append(Difference(path: path, golden: nil, current: text(now)))
            default: break
            }
        }
        return differences.sorted { (priority($0.path), $0.path) < (priority($1.path), $1.path) }
    }

    /// Leaves of a JSON document keyed by path. Array elements that are objects with an `id`,
    /// a `test` or a `key` are keyed by it, so that inserting a check does not shift the others.
    static func flatten(_ value: Any, prefix: String = "") -> [String: Any] {
        var leaves: [String: Any] = [:]
        if let object = value as? [String: Any] {
            for (key, member) in object {
                leaves.merge(flatten(member, prefix: prefix.isEmpty ? key : prefix + "/" + key)) { first, _ in first }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                var name = "[\(index)]"
                if let object = element as? [String: Any] {
                    if let id = object["id"] as? String {
                        name = "[\(id)]"
                    } else if let test = object["test"] as? String {
                        name = "[\(test) \(object["table"] as? String ?? "") \(object["column"] as? String ?? "")]"
                    } else if let key = object["key"] as? String {
                        name = "[\(key)]"
                    }
                }
                leaves.merge(flatten(element, prefix: prefix + name)) { first, _ in first }
            }
        } else {
            leaves[prefix] = value
        }
        return leaves
    }

    static func same(_ lhs: Any, _ rhs: Any) -> Bool {
        if let left = lhs as? NSNumber, let right = rhs as? NSNumber {
            let a = left.doubleValue
            let b = right.doubleValue
            return abs(a - b) <= 1e-9 + 1e-6 * max(abs(a), abs(b))
        }
        return text(lhs) == text(rhs)
    }

    static func text(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if let string = value as? String { return "\"\(string)\"" }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }
}
