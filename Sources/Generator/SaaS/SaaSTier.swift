/// A plan tier of the SaaS dataset, ordered Starter < Pro < Enterprise.
public enum SaaSTier: Int, CaseIterable, Comparable, Sendable {
    case starter
    case pro
    case enterprise

    /// The value stored in `plan_tier`.
    public var name: String {
        switch self {
        case .starter: return "Starter"
        case .pro: return "Pro"
        case .enterprise: return "Enterprise"
        }
    }

    /// The MRR range of a subscription on this tier, in cents (seed section 1: $29-$99, $199-$499, $999-$2,999).
    public var priceRangeCents: ClosedRange<Int> {
        switch self {
        case .starter: return 2_900...9_900
        case .pro: return 19_900...49_900
        case .enterprise: return 99_900...299_900
        }
    }

    public init?(name: String) {
        guard let tier = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = tier
    }

    public static func < (lhs: SaaSTier, rhs: SaaSTier) -> Bool { lhs.rawValue < rhs.rawValue }
}
