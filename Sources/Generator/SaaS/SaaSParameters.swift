import TableIO

/// The calibrated parameters of the SaaS model (SPEC section 2, seed `saas-day06.md`).
///
/// Every figure here was chosen so that the targets of SPEC section 2 hold by construction,
/// not by luck of the seed; `Documentation/saas-model.md` derives each one.
public struct SaaSParameters: Sendable {
    /// Total customers (exactly 500).
    public var customerCount = 500
    /// The first and last month of the window.
    public var firstMonth = YearMonth(year: 2023, month: 1)
    public var lastMonth = YearMonth(year: 2024, month: 12)

    /// First-subscription tier shares, Starter / Pro / Enterprise.
    public var tierShares: [Double] = [0.50, 0.35, 0.15]

    /// Customers of the launch month (January 2023). MRR must be ~$50k at the end of month 1,
    /// which at ~$470 of MRR per customer takes a launch cohort of about 100.
    public var launchCohort = 100
    /// Of the launch cohort, how many sign up on launch day (2023-01-01): the customers who can
    /// be active through the whole window.
    public var launchDaySignups = 20
    /// Monthly decay of the signup curve after launch: cohort c (1 = February 2023) has weight
    /// `exp(-decay * (c - 1))`.
    public var signupDecay = 0.04

    /// Survival of a customer by tenure in months, knots placed at k + 0.5 months because a
    /// customer signs up in mid-month on average and "retained at period k" is measured at the
    /// end of calendar month c + k. Targets: 92.5 / 82.5 / 72.5 / 62.5 / 52.5% at k = 1/3/6/12/23.
    public var survivalKnots: [(time: Double, survival: Double)] = [
        (0, 1), (1.5, 0.925), (3.5, 0.825), (6.5, 0.725), (12.5, 0.625), (23.5, 0.525),
    ]

    /// The shape of the price within a tier's range: price quantile = u^(1 / priceShape), so a
    /// shape above 1 leans toward the top of the range (seats grow; list prices are rarely discounted).
    public var priceShape = 1.8

    /// Customers with exactly one upgrade from Starter to Pro.
    public var starterUpgrades = 58
    /// Customers with exactly one upgrade from Pro to Enterprise.
    public var proUpgrades = 30
    /// Customers with exactly one downgrade from Pro to Starter.
    public var proDowngrades = 30
    /// Customers with exactly one downgrade from Enterprise to Pro (rarer: annual contracts).
    public var enterpriseDowngrades = 8
    /// Customers going Starter -> Pro -> Enterprise.
    public var doubleUpgrades = 4
    /// Customers going Starter -> Pro -> Starter (a downgrade after an upgrade).
    public var upgradeThenDowngrade = 3
    /// The least number of days a subscription lasts before its tier changes.
    public var minimumDaysBeforeChange = 30

    /// The as-of date: no date after it (2024-12-31).
    public var asOf: CivilDate { lastMonth.lastDay }

    /// The window's months in order.
    public var months: [YearMonth] { Array(firstMonth...lastMonth) }

    public init() {}

    /// The survival curve of the knots.
    public var survivalCurve: SurvivalCurve { SurvivalCurve(knots: survivalKnots) }
}
