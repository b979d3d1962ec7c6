/// The SQL schema of the SaaS database: three tables, four indexes, four views (SPEC section 2).
///
/// The views are written over the base tables only, and take their as-of date from the data
/// (the end of the latest month of `day06_mrr_movements`), so they work on any database of this
/// schema and never depend on the clock.
public enum SaaSSchema {
    public static let tables = """
        CREATE TABLE day06_customers (
            customer_id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            signup_date DATE NOT NULL CHECK (signup_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
            plan_tier TEXT NOT NULL CHECK (plan_tier IN ('Starter', 'Pro', 'Enterprise')),
            mrr_current DECIMAL(10, 2) NOT NULL CHECK (mrr_current >= 0),
            status TEXT NOT NULL CHECK (status IN ('active', 'churned'))
        );
        CREATE TABLE day06_subscriptions (
            subscription_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES day06_customers (customer_id),
            start_date DATE NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
            end_date DATE CHECK (end_date IS NULL OR end_date > start_date),
            mrr DECIMAL(10, 2) NOT NULL CHECK (mrr > 0),
            plan_tier TEXT NOT NULL CHECK (plan_tier IN ('Starter', 'Pro', 'Enterprise'))
        );
        CREATE TABLE day06_mrr_movements (
            month DATE PRIMARY KEY CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-01'),
            new_mrr DECIMAL(12, 2) NOT NULL CHECK (new_mrr >= 0),
            expansion_mrr DECIMAL(12, 2) NOT NULL CHECK (expansion_mrr >= 0),
            contraction_mrr DECIMAL(12, 2) NOT NULL CHECK (contraction_mrr >= 0),
            churn_mrr DECIMAL(12, 2) NOT NULL CHECK (churn_mrr >= 0),
            net_mrr DECIMAL(12, 2) NOT NULL
                CHECK (abs(net_mrr - (new_mrr + expansion_mrr - contraction_mrr - churn_mrr)) < 0.005)
        );
        """

    public static let indexes = """
        CREATE INDEX idx_day06_subscriptions_customer_id ON day06_subscriptions (customer_id);
        CREATE INDEX idx_day06_subscriptions_start_date ON day06_subscriptions (start_date);
        CREATE INDEX idx_day06_customers_signup_date ON day06_customers (signup_date);
        CREATE INDEX idx_day06_customers_status ON day06_customers (status);
        """

    /// `day06_mrr_summary`: the MRR waterfall, one row per month. Opening and closing MRR are
    /// recomputed from the subscriptions, so a mismatch with the stored movements shows as
    /// `closing_mrr - opening_mrr <> net_mrr`.
    public static let mrrSummaryView = """
        CREATE VIEW day06_mrr_summary AS
        WITH months AS (
            SELECT month,
                   date(month, '-1 day') AS opening_day,
                   date(month, '+1 month', '-1 day') AS closing_day,
                   new_mrr, expansion_mrr, contraction_mrr, churn_mrr, net_mrr
            FROM day06_mrr_movements
        ),
        levels AS (
            SELECT m.*,
                   (SELECT ROUND(COALESCE(SUM(s.mrr), 0), 2) FROM day06_subscriptions s
                     WHERE s.start_date <= m.opening_day
                       AND (s.end_date IS NULL OR s.end_date > m.opening_day)) AS opening_mrr,
                   (SELECT ROUND(COALESCE(SUM(s.mrr), 0), 2) FROM day06_subscriptions s
                     WHERE s.start_date <= m.closing_day
                       AND (s.end_date IS NULL OR s.end_date > m.closing_day)) AS closing_mrr
            FROM months m
        )
        SELECT month, opening_mrr, new_mrr, expansion_mrr, contraction_mrr, churn_mrr, net_mrr, closing_mrr,
               CASE WHEN opening_mrr > 0 THEN ROUND(100.0 * (closing_mrr - opening_mrr) / opening_mrr, 2) END
                   AS growth_pct
        FROM levels
        ORDER BY month;
        """

    /// `day06_churn_by_cohort`: per signup month, size, churned and active customers, churn
    /// rate and the mean months to churn (tenure months of 30.4375 days).
    public static let churnByCohortView = """
        CREATE VIEW day06_churn_by_cohort AS
        WITH churn AS (
            SELECT c.customer_id, c.signup_date, c.status,
                   CASE WHEN c.status = 'churned' THEN (
                       SELECT MAX(s.end_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id
                   ) END AS churn_date
            FROM day06_customers c
        )
        SELECT strftime('%Y-%m', signup_date) AS cohort_month,
               COUNT(*) AS customers,
               SUM(status = 'churned') AS churned,
               SUM(status = 'active') AS active,
               ROUND(100.0 * SUM(status = 'churned') / COUNT(*), 2) AS churn_rate_pct,
               ROUND(AVG(julianday(churn_date) - julianday(signup_date)) / 30.4375, 2) AS avg_months_to_churn
        FROM churn
        GROUP BY cohort_month
        ORDER BY cohort_month;
        """

    /// `day06_retention_curves`: per cohort and period k, the customers active at the end of
    /// calendar month cohort + k, for every k the data can observe (no censored cells).
    public static let retentionCurvesView = """
        CREATE VIEW day06_retention_curves AS
        WITH RECURSIVE
        as_of(day) AS (SELECT date(MAX(month), '+1 month', '-1 day') FROM day06_mrr_movements),
        periods(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM periods WHERE k < 120),
        customers AS (
            SELECT c.customer_id, strftime('%Y-%m-01', c.signup_date) AS cohort_start,
                   (SELECT MIN(s.start_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id) AS first_start,
                   CASE WHEN EXISTS (SELECT 1 FROM day06_subscriptions s
                                     WHERE s.customer_id = c.customer_id AND s.end_date IS NULL) THEN NULL
                        ELSE (SELECT MAX(s.end_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
                   END AS churn_date
            FROM day06_customers c
        ),
        cells AS (
            SELECT cohort_start, k, date(cohort_start, '+' || (k + 1) || ' months', '-1 day') AS period_end
            FROM (SELECT DISTINCT cohort_start FROM customers) CROSS JOIN periods
            WHERE date(cohort_start, '+' || (k + 1) || ' months', '-1 day') <= (SELECT day FROM as_of)
        )
        SELECT strftime('%Y-%m', cells.cohort_start) AS cohort_month,
               cells.k AS period,
               COUNT(*) AS cohort_size,
               SUM(cu.first_start <= cells.period_end
                   AND (cu.churn_date IS NULL OR cu.churn_date > cells.period_end)) AS retained,
               ROUND(1.0 * SUM(cu.first_start <= cells.period_end
                   AND (cu.churn_date IS NULL OR cu.churn_date > cells.period_end)) / COUNT(*), 4) AS retention_rate
        FROM cells JOIN customers cu ON cu.cohort_start = cells.cohort_start
        GROUP BY cells.cohort_start, cells.k
        ORDER BY cells.cohort_start, cells.k;
        """

    /// `day06_customer_health`: tenure, current MRR, upgrades and downgrades, a simple LTV
    /// (MRR earned so far: each subscription's MRR times its months), a 0-100 score and a segment.
    ///
    /// Score (0 for churned customers): 40 x min(tenure, 24) / 24 + 10 / 20 / 30 for the current
    /// tier + 15 per upgrade (at most 2) - 15 per downgrade + 10 for an active customer, clamped
    /// to 0...100. Segments: Champion >= 80, Healthy >= 60, Neutral >= 40, At risk < 40, Churned.
    public static let customerHealthView = """
        CREATE VIEW day06_customer_health AS
        WITH as_of(day) AS (SELECT date(MAX(month), '+1 month', '-1 day') FROM day06_mrr_movements),
        ranked AS (
            SELECT s.*, CASE s.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END AS tier_rank,
                   LAG(CASE s.plan_tier WHEN 'Starter' THEN 1 WHEN 'Pro' THEN 2 ELSE 3 END)
                       OVER (PARTITION BY s.customer_id ORDER BY s.start_date, s.subscription_id) AS previous_rank
            FROM day06_subscriptions s
        ),
        per_customer AS (
            SELECT c.customer_id, c.plan_tier, c.mrr_current, c.status, c.signup_date,
                   SUM(r.tier_rank > r.previous_rank) AS upgrades,
                   SUM(r.tier_rank < r.previous_rank) AS downgrades,
                   ROUND(SUM(r.mrr * (julianday(COALESCE(r.end_date, (SELECT day FROM as_of)))
                                      - julianday(r.start_date)) / 30.4375), 2) AS lifetime_value,
                   (julianday(CASE WHEN c.status = 'churned' THEN MAX(r.end_date) ELSE (SELECT day FROM as_of) END)
                    - julianday(c.signup_date)) / 30.4375 AS tenure
            FROM day06_customers c JOIN ranked r ON r.customer_id = c.customer_id
            GROUP BY c.customer_id
        ),
        scored AS (
            SELECT *, CASE WHEN status = 'churned' THEN 0 ELSE MAX(0, MIN(100, CAST(ROUND(
                           40.0 * MIN(tenure, 24) / 24
                           + CASE plan_tier WHEN 'Starter' THEN 10 WHEN 'Pro' THEN 20 ELSE 30 END
                           + 15 * MIN(upgrades, 2) - 15 * downgrades + 10) AS INTEGER))) END AS health_score
            FROM per_customer
        )
        SELECT customer_id, plan_tier, status, signup_date,
               ROUND(tenure, 1) AS tenure_months, mrr_current, upgrades, downgrades, lifetime_value, health_score,
               CASE WHEN status = 'churned' THEN 'Churned'
                    WHEN health_score >= 80 THEN 'Champion'
                    WHEN health_score >= 60 THEN 'Healthy'
                    WHEN health_score >= 40 THEN 'Neutral'
                    ELSE 'At risk' END AS segment
        FROM scored
        ORDER BY customer_id;
        """

    /// Every statement, in order.
    public static var all: String {
        [tables, indexes, mrrSummaryView, churnByCohortView, retentionCurvesView, customerHealthView]
            .joined(separator: "\n")
    }
}
