import TableIO

/// The calibrated parameters of the creator-economy model (SPEC section 3).
///
/// `Documentation/creators-model.md` explains where each figure comes from. Counts are per unit
/// of scale; `scale` multiplies them.
public struct CreatorParameters: Sendable {
    /// Dataset size multiplier (1 = 500 creators, 15,000 patrons, ~25,000 pledges).
    public var scale: Double = 1

    public var creatorsPerScale = 500
    /// The earliest moment anything exists (the platform's launch).
    public var platformStart = CivilDate(year: 2020, month: 1, day: 1)
    public var windowStart = CivilDate(year: 2023, month: 1, day: 1)
    public var windowEnd = CivilDate(year: 2024, month: 12, day: 31)

    // MARK: Creator sizes and growth

    /// Pareto shape of creator sizes: the share of the top 10% of a Pareto(alpha) population is
    /// 0.1^(1 - 1/alpha); alpha = 1.3 gives about 59%.
    public var sizeAlpha = 1.3
    /// Active pledges at the start of the window per unit of scale, shared by size weight.
    public var activePledgesAtWindowStart = 5_600.0
    /// Shares of the total size weight held by the three largest creators (the exodus), and by
    /// the whole top 10% (including them); the rest keep their Pareto proportions. Fixing these
    /// shares keeps the exodus at ~2,000 x scale pledges and the concentration steady at any scale.
    public var exodusWeightShares: [Double] = [0.085, 0.07, 0.055]
    public var topWeightShare = 0.52
    /// Average total hazard used to turn a target level of active pledges into arrivals, by posting class.
    public var levelHazard: [Double] = [0.056, 0.066, 0.096]
    /// The realized total hazard by tenure band (the targets 25 / 12 / 6 / 3%), and its factor by
    /// posting class, used to find how many of a creator's past arrivals are still active.
    public var nominalHazard: [Double] = [0.24, 0.11, 0.057, 0.034]
    public var levelHazardFactor: [Double] = [0.85, 1.0, 1.35]
    /// Monthly growth of arrivals (mean, spread) by intended size tier: top, established, emerging;
    /// the spread scales stratified normal scores along size order.
    public var growthMean: [Double] = [0.012, 0.048, 0.0]
    public var growthSpread: [Double] = [0.002, 0.015, 0.04]
    /// Months for a new creator's arrivals to reach their level (exponential ramp).
    public var rampMonths = 2.0
    /// Share of creators created inside the window, by intended tier.
    public var inWindowCreatedShare: [Double] = [0.0, 0.15, 0.45]

    // MARK: Seasonality of arrivals

    /// Arrival multiplier in October-December (the Q4 lift of new pledges).
    public var q4ArrivalLift = 1.17
    /// Probability that a pledge in January comes from a new patron, relative to other months.
    public var januaryNewPatronLift = 1.17
    /// Engagement multiplier in June-August (the summer dip).
    public var summerEngagement = 0.953

    // MARK: Churn

    /// Voluntary (and background creator-removed) hazard per tenure month, before multipliers:
    /// month 1, months 2-3, months 4-12, months 13+. Payment-failure exits come on top.
    public var voluntaryHazard: [Double] = [0.15, 0.065, 0.023, 0.0045]
    /// Share of the non-payment hazard recorded as `creator_removed` outside the exodus.
    public var removedShare = 0.005
    /// Voluntary hazard multiplier by posting class: high (>= 4 posts a month), mid, low (< 1).
    public var postingChurnMultiplier: [Double] = [0.68, 1.0, 1.39]
    /// Voluntary hazard multiplier after an engaged and after a non-engaged month.
    public var engagedChurnMultiplier = 0.7
    public var unengagedChurnMultiplier = 1.25
    /// Monthly probability that an active pledge pauses.
    public var pauseHazard = 0.004

    // MARK: Payments

    /// Share of pledges billed on the first days of the month (the rest on their anniversary day).
    public var firstOfMonthBilling = 0.8
    /// Failure probability of an initial attempt by tenure band (month 1, 2-3, 4-12, 13+).
    public var initialFailure: [Double] = [0.10, 0.08, 0.062, 0.045]
    /// Extra failure probability in December and January, all of it `card_expired`.
    public var cardExpiryExtra = 0.012
    /// Probability that the retry of a failed initial attempt succeeds (within 7 days).
    public var retrySuccess = 0.6
    /// Probability that an unrecovered failure ends the pledge (`declined`, `payment_failed`).
    public var declineOnUnrecovered = 0.85
    public var refundRate = 0.008
    public var chargebackRate = 0.0015
    /// Share of pledges that change tier once (payments before the change differ from the final amount).
    public var tierChangeShare = 0.015

    // MARK: Engagement

    /// Probability that an active pledge engages in a month, by tier rank 1, 2, 3, 4.
    public var engagementRate: [Double] = [0.34, 0.557, 0.745, 0.77]
    /// Mean events in an engaged month beyond the first.
    public var extraEventsMean = 4.6
    /// Event multiplier for video creators' patrons (video engages most).
    public var videoEventLift = 1.35

    // MARK: Posting

    /// Posting rates (posts a month) by class: high (>= 4), mid (1-4), low (< 1), with gaps at the
    /// class boundaries so that a creator's measured class is its intended one.
    public var postingRates: [ClosedRange<Double>] = [4.2...5.2, 1.3...2.4, 0.05...0.4]

    // MARK: Anomalies

    public var viralPledgesPerScale = 500.0
    public var exodusPledgesPerScale = 2_000.0
    /// Voluntary churn multiplier in January 2024. SPEC 3.4's "15% above expected" would not be
    /// detectable at scale 1 (the monthly churn rate varies by about 9% of its level from month
    /// to month); x1.7 gives about +35% on the month and a robust z of about 3.9.
    public var holidayChurnLift = 1.7
    public var gamesCollapseShare = 0.3

    public init(scale: Double = 1) {
        self.scale = scale
    }

    /// The number of creators at this scale.
    public var creatorCount: Int { max(10, Int((Double(creatorsPerScale) * scale).rounded())) }

    /// The last moment of the window (the as-of moment, 2024-12-31 23:59:59).
    public var asOf: Timestamp { Timestamp.endOfDay(windowEnd) }
    public var windowStartMoment: Timestamp { Timestamp(windowStart) }
    public var windowMonths: [YearMonth] { Array(windowStart.yearMonth...windowEnd.yearMonth) }
}

/// One tenure month in seconds: 30.4375 days.
public let tenureMonthSeconds: Int64 = 2_629_800
