/// The metrics the auditor knows, by profile: the ids of SPEC section 7 and a few more.
///
/// A bands file may only name metrics listed here for its profile; each entry says what kind of
/// value it is, which lets `bands check` reject a band that cannot make sense (a share above 1).
public enum MetricCatalog {
    /// What a metric's value is.
    public enum Kind: Sendable, Equatable {
        /// A fraction in [0, 1].
        case share
        /// A non-negative count.
        case count
        /// Any real number (a lift, a growth rate, R², a ratio, dollars).
        case number
        /// A label such as a category name.
        case label
    }

    /// A metric id with its kind and a one-line meaning.
    public struct Entry: Sendable {
        public let id: String
        public let kind: Kind
        public let meaning: String
    }

    public static let profiles = ["saas", "creators"]

    /// The metrics of `profile`, or `nil` for an unknown profile.
    public static func entries(for profile: String) -> [Entry]? {
        switch profile {
        case "saas": return saas
        case "creators": return creators
        default: return nil
        }
    }

    static let saas: [Entry] = [
        Entry(id: "customers.count", kind: .count, meaning: "customers"),
        Entry(id: "tiers.first.starter_share", kind: .share, meaning: "first subscriptions on Starter"),
        Entry(id: "tiers.first.pro_share", kind: .share, meaning: "first subscriptions on Pro"),
        Entry(id: "tiers.first.enterprise_share", kind: .share, meaning: "first subscriptions on Enterprise"),
        Entry(id: "prices.first.out_of_range", kind: .count, meaning: "first subscriptions priced outside their tier's range"),
        Entry(id: "retention.pooled.k1", kind: .share, meaning: "pooled cohort retention at period 1"),
        Entry(id: "retention.pooled.k3", kind: .share, meaning: "pooled cohort retention at period 3"),
        Entry(id: "retention.pooled.k6", kind: .share, meaning: "pooled cohort retention at period 6"),
        Entry(id: "retention.pooled.k12", kind: .share, meaning: "pooled cohort retention at period 12"),
        Entry(id: "retention.pooled.k23", kind: .share, meaning: "pooled cohort retention at period 23 (the seed's 24 months)"),
        Entry(id: "retention.cohorts", kind: .share, meaning: "cohort retention matrix (report only, no band)"),
        Entry(id: "retention.km.m1", kind: .share, meaning: "Kaplan-Meier survival at 1 tenure month"),
        Entry(id: "retention.km.m3", kind: .share, meaning: "Kaplan-Meier survival at 3 tenure months"),
        Entry(id: "retention.km.m6", kind: .share, meaning: "Kaplan-Meier survival at 6 tenure months"),
        Entry(id: "retention.km.m12", kind: .share, meaning: "Kaplan-Meier survival at 12 tenure months"),
        Entry(id: "churn.monthly.mean", kind: .share, meaning: "mean monthly logo churn, months 2-24"),
        Entry(id: "lifecycle.upgraded_share", kind: .share, meaning: "customers with at least one upgrade"),
        Entry(id: "lifecycle.downgraded_share", kind: .share, meaning: "customers with at least one downgrade"),
        Entry(id: "lifecycle.unchanged_share", kind: .share, meaning: "customers never changing tier"),
        Entry(id: "lifecycle.single_sub_share", kind: .share, meaning: "customers with exactly one subscription"),
        Entry(id: "lifecycle.multi_sub_share", kind: .share, meaning: "customers with two or more subscriptions"),
        Entry(id: "mrr.month1", kind: .number, meaning: "MRR at the end of month 1, dollars"),
        Entry(id: "mrr.month24", kind: .number, meaning: "MRR at the end of month 24, dollars"),
        Entry(id: "mrr.linear_r2", kind: .share, meaning: "R² of the linear fit of the monthly MRR series"),
        Entry(id: "movements.max_abs_error", kind: .number, meaning: "largest |MRR(m) - MRR(m-1) - net(m)|, dollars"),
        Entry(id: "edge_cases.two_upgrades", kind: .count, meaning: "customers going up two tiers in two steps"),
        Entry(id: "edge_cases.downgrade_after_upgrade", kind: .count, meaning: "customers downgrading right after an upgrade"),
        Entry(id: "edge_cases.churn_period1", kind: .count, meaning: "customers churned by the end of the month after signup"),
        Entry(id: "edge_cases.active_whole_window", kind: .count, meaning: "customers signed up on the window's first day and still active"),
        Entry(id: "edge_cases.enterprise_2000", kind: .count, meaning: "Enterprise subscriptions at $2,000 or more"),
        Entry(id: "database.size_bytes", kind: .count, meaning: "size of the database file"),
        // What every mapping onto the roles yields (a mapping declaring `profile: saas` is checked against these).
        Entry(id: "mrr.movements.new", kind: .number, meaning: "MRR of subscribers starting from zero for the first time, by month (report only)"),
        Entry(id: "mrr.movements.expansion", kind: .number, meaning: "MRR gained by subscribers already paying, by month (report only)"),
        Entry(id: "mrr.movements.contraction", kind: .number, meaning: "MRR lost by subscribers still paying, by month (report only)"),
        Entry(id: "mrr.movements.churn", kind: .number, meaning: "MRR of subscribers going to zero, by month (report only)"),
        Entry(id: "mrr.movements.reactivation", kind: .number, meaning: "MRR of subscribers coming back from zero, by month (report only)"),
        Entry(id: "movements.components_max_abs_error", kind: .number, meaning: "largest gap between a stored movement component and the month-end one, dollars"),
        Entry(id: "revenue.nrr.trailing12", kind: .number, meaning: "net revenue retention of the subscribers paying twelve months before the last month"),
        Entry(id: "revenue.grr.trailing12", kind: .share, meaning: "gross revenue retention of the same subscribers (each capped at its earlier MRR)"),
        Entry(id: "payments.failure_rate", kind: .share, meaning: "failed initial payment attempts of a (subscription, month)"),
        Entry(id: "payments.recovered_7d", kind: .share, meaning: "failed initial attempts followed by a success within 7 days"),
        Entry(id: "payments.success_rate", kind: .share, meaning: "succeeded payment attempts"),
        Entry(id: "payments.collected", kind: .number, meaning: "succeeded payment amounts by month (report only)"),
        Entry(id: "churn.hazard.m1", kind: .share, meaning: "churn hazard in tenure month 1 (lives)"),
        Entry(id: "churn.hazard.m2_3", kind: .share, meaning: "churn hazard in tenure months 2-3"),
        Entry(id: "churn.hazard.m4_12", kind: .share, meaning: "churn hazard in tenure months 4-12"),
        Entry(id: "churn.hazard.m13_plus", kind: .share, meaning: "churn hazard from tenure month 13"),
        Entry(id: "revenue.mrr_top10_share", kind: .share, meaning: "share of last-month MRR held by the top tenth of paying subscribers"),
        Entry(id: "revenue.mrr_gini", kind: .share, meaning: "Gini coefficient of last-month MRR over paying subscribers"),
        Entry(id: "engagement.engaged_share", kind: .share, meaning: "active subscriber-months with at least one event"),
        Entry(id: "engagement.events_per_active_month", kind: .number, meaning: "events per active subscriber-month"),
        Entry(id: "engagement.no_engagement_churn_ratio", kind: .number, meaning: "next-month churn of the not engaged over the engaged"),
    ]

    static let creators: [Entry] = [
        Entry(id: "mrr.growth", kind: .number, meaning: "MRR at the end of 2024-12 over the end of 2023-01, minus 1"),
        Entry(id: "churn.monthly.mean", kind: .share, meaning: "mean monthly pledge churn, 2023-02 .. 2024-12"),
        Entry(id: "churn.hazard.m1", kind: .share, meaning: "churn hazard in tenure month 1"),
        Entry(id: "churn.hazard.m2_3", kind: .share, meaning: "churn hazard in tenure months 2-3"),
        Entry(id: "churn.hazard.m4_12", kind: .share, meaning: "churn hazard in tenure months 4-12"),
        Entry(id: "churn.hazard.m13_plus", kind: .share, meaning: "churn hazard from tenure month 13"),
        Entry(id: "size.patrons_50plus_share", kind: .share, meaning: "creators with 50 or more distinct patrons"),
        Entry(id: "size.patrons_500plus_share", kind: .share, meaning: "creators with 500 or more distinct patrons"),
        Entry(id: "retention.km.m1", kind: .share, meaning: "Kaplan-Meier pledge survival at 1 tenure month (left-truncated)"),
        Entry(id: "retention.km.m3", kind: .share, meaning: "Kaplan-Meier pledge survival at 3 tenure months"),
        Entry(id: "retention.km.m6", kind: .share, meaning: "Kaplan-Meier pledge survival at 6 tenure months"),
        Entry(id: "retention.km.m12", kind: .share, meaning: "Kaplan-Meier pledge survival at 12 tenure months"),
        Entry(id: "churn.reason.voluntary", kind: .share, meaning: "share of window endings that are voluntary"),
        Entry(id: "churn.reason.payment_failed", kind: .share, meaning: "share of window endings by payment failure"),
        Entry(id: "churn.reason.creator_removed", kind: .share, meaning: "share of window endings by the creator"),
        Entry(id: "payments.failure_rate", kind: .share, meaning: "failed initial attempts over initial attempts"),
        Entry(id: "payments.recovered_7d", kind: .share, meaning: "failed initial attempts recovered within 7 days"),
        Entry(id: "payments.success_rate", kind: .share, meaning: "succeeded attempts over attempts"),
        Entry(id: "payments.card_expiry_ratio", kind: .number, meaning: "card_expired failures per attempt, December-January over other months"),
        Entry(id: "billing.day1_3_share", kind: .share, meaning: "transactions on days 1-3 of the month"),
        Entry(id: "seasonality.q4_lift", kind: .number, meaning: "Q4 lift of new pledges"),
        Entry(id: "seasonality.jan_lift", kind: .number, meaning: "January lift of new patrons"),
        Entry(id: "seasonality.summer_lift", kind: .number, meaning: "June-August lift of engagement per active pledge"),
        Entry(id: "seasonality.strength_daily", kind: .share, meaning: "day-of-month seasonal strength of daily revenue"),
        Entry(id: "revenue.top10_share", kind: .share, meaning: "revenue share of the top 10% of creators"),
        Entry(id: "revenue.top1_share", kind: .share, meaning: "revenue share of the top 1% of creators"),
        Entry(id: "revenue.top20_share", kind: .share, meaning: "revenue share of the top 20% of creators"),
        Entry(id: "revenue.gini", kind: .share, meaning: "Gini coefficient of creator revenue"),
        Entry(id: "revenue.powerlaw.alpha", kind: .number, meaning: "power-law exponent of creator revenue (CSN fit)"),
        Entry(id: "revenue.powerlaw.xmin", kind: .number, meaning: "power-law lower bound, dollars"),
        Entry(id: "revenue.powerlaw.n_tail", kind: .count, meaning: "creators in the power-law tail"),
        Entry(id: "revenue.powerlaw.ks_distance", kind: .share, meaning: "KS distance of the power-law fit over its tail"),
        Entry(id: "revenue.powerlaw.lr_lognormal", kind: .number, meaning: "normalized log-likelihood ratio, power law over lognormal"),
        Entry(id: "revenue.powerlaw.p_lognormal", kind: .share, meaning: "p-value of that ratio"),
        Entry(id: "creators.emerging_under20_share", kind: .share, meaning: "emerging creators under 20 active pledges six months after their first"),
        Entry(id: "growth.established_median", kind: .number, meaning: "median monthly growth of established creators' active pledges"),
        Entry(id: "growth.top_median", kind: .number, meaning: "median monthly growth of top creators' active pledges"),
        Entry(id: "posting.high_churn_ratio", kind: .number, meaning: "voluntary churn of creators posting >= 4/month over 1-4/month"),
        Entry(id: "posting.low_churn_ratio", kind: .number, meaning: "voluntary churn of creators posting < 1/month over 1-4/month"),
        Entry(id: "engagement.tier1_rate", kind: .share, meaning: "engaged pledge-months, tier rank 1"),
        Entry(id: "engagement.tier2_rate", kind: .share, meaning: "engaged pledge-months, tier rank 2"),
        Entry(id: "engagement.tier3_rate", kind: .share, meaning: "engaged pledge-months, tier ranks 3 and 4"),
        Entry(id: "engagement.no_engagement_churn_ratio", kind: .number, meaning: "next-month voluntary churn, not engaged over engaged"),
        Entry(id: "engagement.top_category", kind: .label, meaning: "category with the most events per active pledge-month"),
        Entry(id: "shape.patrons_per_creator", kind: .number, meaning: "patrons per creator (15,000 / 500 in the seed)"),
        Entry(id: "shape.pledges_per_creator", kind: .number, meaning: "pledges per creator (25,000 / 500)"),
        Entry(id: "shape.transactions_per_creator", kind: .number, meaning: "transactions per creator (200,000 / 500)"),
        Entry(id: "shape.posts_per_creator", kind: .number, meaning: "posts per creator (8,000 / 500)"),
        Entry(id: "shape.events_per_creator", kind: .number, meaning: "engagement events per creator (500,000 / 500)"),
    ]
}
