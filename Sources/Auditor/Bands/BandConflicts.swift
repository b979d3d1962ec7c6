import Foundation
import TableIO

/// A conflict that follows from the bands' targets themselves, whatever the data.
public struct BandConflict: Sendable, Equatable {
    /// The ids of the bands that cannot hold together, the one that gives way first.
    public var bands: [String]
    /// What was checked and why it conflicts, with the numbers.
    public var explanation: String
}

/// Proves conflicts between the bands of one file, by arithmetic on their targets alone.
///
/// Two rules, each a bound that holds for every dataset:
///
/// - **Churn against retention (SaaS).** If a fraction S(K) of customers survives K tenure
///   months, the hazards h_1 ... h_K of those months satisfy Π (1 - h_k) = S(K), so by the
///   inequality of arithmetic and geometric means their average is at most 1 - S(K)^(1/K),
///   reached when the hazards are equal. A `churn.monthly.mean` band whose lower
///   edge exceeds 1 - L^(1/K), with L the lower edge of `retention.pooled.kK`, asks for an
///   average monthly churn that the retention band forbids (calendar churn equals the average
///   tenure hazard when every tenure month is equally represented in the customer base).
/// - **Size tiers against scale (creators).** With a share s_50 of creators having 50 or more
///   patrons and s_500 having 500 or more, and each patron of a creator holding at least one
///   pledge, pledges per creator are at least 50 s_50 + 450 s_500 (the layer-cake bound
///   E[X] >= Σ (K_i - K_(i-1)) P(X >= K_i)). A `shape.pledges_per_creator` band whose upper edge
///   is below that bound at the lower edges of `size.patrons_50plus_share` and
///   `size.patrons_500plus_share` cannot hold with them.
public enum BandConflicts {
    /// The rules tried, for the record when none proves a conflict.
    public static let rules = [
        "churn.monthly.mean against retention.pooled.k*",
        "shape.pledges_per_creator against size.patrons_50plus_share and size.patrons_500plus_share",
    ]

    public static func prove(_ file: BandsFile) -> [BandConflict] {
        var byMetric: [String: Band] = [:]
        for band in file.bands where byMetric[band.metric] == nil { byMetric[band.metric] = band }
        return churnAgainstRetention(byMetric) + sizeTiersAgainstScale(byMetric)
    }

    static func range(_ band: Band?) -> (lower: Double, upper: Double)? {
        guard let band, case .range(let lower, let upper) = band.target else { return nil }
        return (lower, upper)
    }

    static func churnAgainstRetention(_ bands: [String: Band]) -> [BandConflict] {
        guard let churnBand = bands["churn.monthly.mean"], let churn = range(churnBand) else { return [] }
        var conflicts: [BandConflict] = []
        for k in [1, 3, 6, 12, 23] {
            guard let retentionBand = bands["retention.pooled.k\(k)"], let retention = range(retentionBand),
                  retention.lower > 0, retention.upper <= 1 else { continue }
            let highest = 1 - Foundation.pow(retention.lower, 1 / Double(k))
            if churn.lower > highest {
                conflicts.append(BandConflict(bands: [churnBand.id, retentionBand.id], explanation: """
                    retention after \(k) months of at least \(percent(retention.lower)) allows an average monthly churn over \
                    tenure months 1-\(k) of at most 1 - \(Format.fixed(retention.lower, 2))^(1/\(k)) = \(percent(highest)) \
                    (the monthly churn of a base in which those tenure months are equally represented); the churn band \
                    asks for at least \(percent(churn.lower))
                    """))
            }
        }
        return conflicts
    }

    static func sizeTiersAgainstScale(_ bands: [String: Band]) -> [BandConflict] {
        guard let scaleBand = bands["shape.pledges_per_creator"], let scale = range(scaleBand) else { return [] }
        let fifty = range(bands["size.patrons_50plus_share"])?.lower ?? 0
        let fiveHundred = range(bands["size.patrons_500plus_share"])?.lower ?? 0
        guard fifty > 0 || fiveHundred > 0 else { return [] }
        let atLeast50 = max(fifty, fiveHundred)
        let bound = 50 * atLeast50 + 450 * fiveHundred
        guard bound > scale.upper else { return [] }
        let involved = ["size.patrons_500plus_share", "size.patrons_50plus_share"].compactMap { bands[$0]?.id }
        return [BandConflict(bands: [scaleBand.id] + involved, explanation: """
            with at least \(percent(fiveHundred)) of creators at 500+ patrons and \(percent(atLeast50)) at 50+, and one pledge \
            or more per patron of a creator, pledges per creator are at least 50 × \(Format.fixed(atLeast50, 2)) + 450 × \
            \(Format.fixed(fiveHundred, 2)) = \(Format.fixed(bound, 1)); the scale band allows at most \(Format.fixed(scale.upper, 1))
            """)]
    }

    static func percent(_ value: Double) -> String { Format.fixed(value * 100, 2) + "%" }
}
