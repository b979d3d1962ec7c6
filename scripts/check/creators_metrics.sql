-- The creator-economy metrics of SPEC section 9, in DuckDB SQL over the seven CSV files.
-- Written from the SPEC's definitions, independently of the generator and the auditor: the
-- end-to-end tests and the benchmark use it as the oracle. Each statement produces rows
-- (metric, value, n); ${DIR} is replaced by the dataset directory.

CREATE MACRO tenure() AS INTERVAL 2629800 SECOND;

CREATE TABLE creators AS SELECT * FROM read_csv('${DIR}/creators.csv', header = true, auto_detect = true);
CREATE TABLE patrons AS SELECT * FROM read_csv('${DIR}/patrons.csv', header = true, auto_detect = true);
CREATE TABLE tiers AS SELECT * FROM read_csv('${DIR}/tiers.csv', header = true, auto_detect = true);
CREATE TABLE pledges AS SELECT * FROM read_csv('${DIR}/pledges.csv', header = true, auto_detect = true,
    types = {'ended_at': 'TIMESTAMP', 'pause_started_at': 'TIMESTAMP', 'churn_reason': 'VARCHAR'});
CREATE TABLE transactions AS SELECT * FROM read_csv('${DIR}/transactions.csv', header = true, auto_detect = true,
    types = {'failure_reason': 'VARCHAR'});
CREATE TABLE posts AS SELECT * FROM read_csv('${DIR}/posts.csv', header = true, auto_detect = true,
    types = {'minimum_tier_id': 'VARCHAR'});
CREATE TABLE events AS SELECT * FROM read_csv('${DIR}/engagement_events.csv', header = true, auto_detect = true);

CREATE TABLE months AS
SELECT m AS month_start, m + INTERVAL 1 MONTH - INTERVAL 1 SECOND AS month_end,
       row_number() OVER (ORDER BY m) AS month_number
FROM range(TIMESTAMP '2023-01-01', TIMESTAMP '2025-01-01', INTERVAL 1 MONTH) t(m);

CREATE TABLE pledge_tiers AS
SELECT p.*, t.tier_rank, c.category FROM pledges p JOIN tiers t USING (tier_id) JOIN creators c ON c.creator_id = p.creator_id;

-- MRR growth
SELECT 'mrr.growth' AS metric,
       SUM(CASE WHEN m.month_number = 24 THEN p.pledge_amount_usd END) / SUM(CASE WHEN m.month_number = 1 THEN p.pledge_amount_usd END) - 1 AS value,
       COUNT(*) AS n
FROM months m JOIN pledges p
  ON p.started_at <= m.month_end AND (p.ended_at IS NULL OR p.ended_at > m.month_end)
 AND (p.pause_started_at IS NULL OR p.pause_started_at > m.month_end)
WHERE m.month_number IN (1, 24);

-- Monthly churn: pledges ending in m over pledges active at the end of m - 1, mean over 2023-02 .. 2024-12
SELECT 'churn.monthly.mean', AVG(rate), COUNT(*) FROM (
    SELECT m.month_start,
           (SELECT COUNT(*) FROM pledges p WHERE p.ended_at >= m.month_start AND p.ended_at <= m.month_end)::DOUBLE
         / (SELECT COUNT(*) FROM pledges p WHERE p.started_at <= m.month_start - INTERVAL 1 SECOND
                AND (p.ended_at IS NULL OR p.ended_at > m.month_start - INTERVAL 1 SECOND)) AS rate
    FROM months m WHERE m.month_number >= 2);

-- Hazard by tenure month: a life table on complete intervals inside the window
CREATE TABLE intervals AS
SELECT p.pledge_id, k.k,
       p.started_at + (k.k - 1) * tenure() AS interval_start,
       p.started_at + k.k * tenure() AS interval_end,
       p.ended_at
FROM pledges p CROSS JOIN range(1, 80) k(k)
WHERE p.started_at + (k.k - 1) * tenure() >= TIMESTAMP '2023-01-01'
  AND p.started_at + k.k * tenure() <= TIMESTAMP '2025-01-01'
  AND (p.ended_at IS NULL OR p.ended_at > p.started_at + (k.k - 1) * tenure());
SELECT 'churn.hazard.' || band, SUM(died)::DOUBLE / COUNT(*), COUNT(*) FROM (
    SELECT CASE WHEN k = 1 THEN 'm1' WHEN k <= 3 THEN 'm2_3' WHEN k <= 12 THEN 'm4_12' ELSE 'm13_plus' END AS band,
           (ended_at IS NOT NULL AND ended_at < interval_end)::INTEGER AS died
    FROM intervals) GROUP BY band;

-- Churn reasons among pledges ending inside the window
SELECT 'churn.reason.' || churn_reason, COUNT(*)::DOUBLE / SUM(COUNT(*)) OVER (), SUM(COUNT(*)) OVER ()
FROM pledges WHERE ended_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59'
GROUP BY churn_reason;

-- Payments
CREATE TABLE attempts AS
SELECT *, row_number() OVER (PARTITION BY pledge_id, date_trunc('month', transaction_at) ORDER BY transaction_at, transaction_id) AS attempt_number
FROM transactions WHERE transaction_type = 'pledge_payment' AND transaction_status IN ('succeeded', 'failed');
SELECT 'payments.failure_rate', AVG((transaction_status = 'failed')::INTEGER), COUNT(*) FROM attempts WHERE attempt_number = 1;
SELECT 'payments.recovered_7d', AVG((EXISTS (
           SELECT 1 FROM attempts b WHERE b.pledge_id = a.pledge_id AND b.transaction_status = 'succeeded'
             AND b.transaction_at > a.transaction_at AND b.transaction_at <= a.transaction_at + INTERVAL 7 DAY))::INTEGER), COUNT(*)
FROM attempts a WHERE a.attempt_number = 1 AND a.transaction_status = 'failed';
SELECT 'payments.success_rate', AVG((transaction_status = 'succeeded')::INTEGER), COUNT(*) FROM attempts;
SELECT 'payments.card_expiry_ratio',
       (SUM((failure_reason = 'card_expired' AND month(transaction_at) IN (12, 1))::INTEGER)::DOUBLE / SUM((month(transaction_at) IN (12, 1))::INTEGER))
     / (SUM((failure_reason = 'card_expired' AND month(transaction_at) NOT IN (12, 1))::INTEGER)::DOUBLE / SUM((month(transaction_at) NOT IN (12, 1))::INTEGER)),
       COUNT(*)
FROM attempts;

-- Billing cycle
SELECT 'billing.day1_3_share', AVG((day(transaction_at) <= 3)::INTEGER), COUNT(*) FROM transactions;

-- Revenue concentration
CREATE TABLE revenue AS
SELECT c.creator_id, COALESCE(SUM(t.gross_amount_usd), 0) AS revenue
FROM creators c LEFT JOIN transactions t
  ON t.creator_id = c.creator_id AND t.transaction_type = 'pledge_payment' AND t.transaction_status = 'succeeded'
GROUP BY c.creator_id;
CREATE TABLE ranked AS
SELECT *, row_number() OVER (ORDER BY revenue DESC, creator_id) AS revenue_rank, COUNT(*) OVER () AS creator_count FROM revenue;
SELECT 'revenue.top10_share', SUM(CASE WHEN revenue_rank <= ceil(creator_count / 10.0) THEN revenue END) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.top1_share', SUM(CASE WHEN revenue_rank <= ceil(creator_count / 100.0) THEN revenue END) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.top20_share', SUM(CASE WHEN revenue_rank <= ceil(creator_count / 5.0) THEN revenue END) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.gini', SUM((2 * i - n - 1) * revenue) / (n * SUM(revenue)), n FROM (
    SELECT revenue, row_number() OVER (ORDER BY revenue) AS i, COUNT(*) OVER () AS n FROM revenue) GROUP BY n;

-- Size tiers by revenue rank
CREATE TABLE size_tiers AS
SELECT r.*, CASE WHEN revenue_rank <= ceil(creator_count / 10.0) THEN 'top'
                 WHEN revenue_rank <= ceil(4 * creator_count / 10.0) THEN 'established' ELSE 'emerging' END AS size_tier
FROM ranked r;
SELECT 'creators.emerging_under20_share', AVG((active < 20)::INTEGER), COUNT(*) FROM (
    SELECT s.creator_id, (SELECT COUNT(*) FROM pledges p WHERE p.creator_id = s.creator_id
               AND p.started_at <= c.first_pledge_received_at + 6 * tenure()
               AND (p.ended_at IS NULL OR p.ended_at > c.first_pledge_received_at + 6 * tenure())) AS active
    FROM size_tiers s JOIN creators c USING (creator_id)
    WHERE s.size_tier = 'emerging' AND c.first_pledge_received_at + 6 * tenure() <= TIMESTAMP '2024-12-31 23:59:59');

-- Growth of active pledges per creator, median by size tier
CREATE TABLE creator_month_active AS
SELECT c.creator_id, m.month_number,
       (SELECT COUNT(*) FROM pledges p WHERE p.creator_id = c.creator_id AND p.started_at <= m.month_end
            AND (p.ended_at IS NULL OR p.ended_at > m.month_end)) AS active
FROM creators c CROSS JOIN months m;
SELECT 'growth.' || size_tier || '_median', median(rate), COUNT(*) FROM (
    SELECT s.size_tier, pow(e.active::DOUBLE / f.active, 1.0 / (24 - f.month_number)) - 1 AS rate
    FROM size_tiers s
    JOIN (SELECT creator_id, arg_min(month_number, month_number) AS month_number, arg_min(active, month_number) AS active
          FROM creator_month_active WHERE active > 0 GROUP BY creator_id) f USING (creator_id)
    JOIN creator_month_active e ON e.creator_id = s.creator_id AND e.month_number = 24
    WHERE 24 - f.month_number >= 6)
WHERE size_tier IN ('established', 'top') GROUP BY size_tier;

-- Posting classes and their voluntary churn
CREATE TABLE posting AS
SELECT c.creator_id,
       (SELECT COUNT(*) FROM posts p WHERE p.creator_id = c.creator_id
            AND p.published_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59')::DOUBLE
     / (24 - datediff('month', TIMESTAMP '2023-01-01', greatest(date_trunc('month', c.created_at), TIMESTAMP '2023-01-01'))) AS rate
FROM creators c;
CREATE TABLE posting_class AS
SELECT creator_id, CASE WHEN rate >= 4 THEN 'high' WHEN rate >= 1 THEN 'mid' ELSE 'low' END AS class FROM posting;
CREATE TABLE class_churn AS
SELECT pc.class,
       (SELECT COUNT(*) FROM pledges p JOIN posting_class q USING (creator_id) WHERE q.class = pc.class
            AND p.churn_reason = 'voluntary' AND p.ended_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59')::DOUBLE
     / (SELECT COUNT(*) FROM months m JOIN pledges p ON p.started_at <= m.month_start - INTERVAL 1 SECOND
            AND (p.ended_at IS NULL OR p.ended_at > m.month_start - INTERVAL 1 SECOND)
            JOIN posting_class q USING (creator_id) WHERE q.class = pc.class) AS churn,
       (SELECT COUNT(*) FROM posting_class q WHERE q.class = pc.class) AS creators
FROM (SELECT DISTINCT class FROM posting_class) pc;
SELECT 'posting.high_churn_ratio', h.churn / m.churn, h.creators FROM class_churn h, class_churn m WHERE h.class = 'high' AND m.class = 'mid';
SELECT 'posting.low_churn_ratio', l.churn / m.churn, l.creators FROM class_churn l, class_churn m WHERE l.class = 'low' AND m.class = 'mid';

-- Engagement by pledge-month
CREATE TABLE pledge_months AS
SELECT p.pledge_id, p.patron_id, p.creator_id, p.tier_rank, p.category, p.churn_reason, p.ended_at, m.month_number, m.month_start, m.month_end,
       EXISTS (SELECT 1 FROM events e WHERE e.patron_id = p.patron_id AND e.creator_id = p.creator_id
                   AND e.event_at BETWEEN m.month_start AND m.month_end) AS engaged
FROM pledge_tiers p JOIN months m ON p.started_at <= m.month_end AND (p.ended_at IS NULL OR p.ended_at > m.month_end);
SELECT 'engagement.tier' || least(tier_rank, 3) || '_rate', AVG(engaged::INTEGER), COUNT(*) FROM pledge_months GROUP BY least(tier_rank, 3);
SELECT 'engagement.no_engagement_churn_ratio',
       AVG(CASE WHEN NOT engaged THEN churned END) / AVG(CASE WHEN engaged THEN churned END), COUNT(*) FROM (
    SELECT engaged, COALESCE(churn_reason = 'voluntary' AND ended_at > month_end
                     AND ended_at <= month_start + INTERVAL 2 MONTH - INTERVAL 1 SECOND, false)::INTEGER AS churned
    FROM pledge_months WHERE month_number <= 23);
CREATE TABLE category_engagement AS
SELECT c.category, (SELECT COUNT(*) FROM events e JOIN creators x USING (creator_id) WHERE x.category = c.category)::DOUBLE
                 / (SELECT COUNT(*) FROM pledge_months pm WHERE pm.category = c.category) AS per_pledge_month
FROM (SELECT DISTINCT category FROM creators) c;
SELECT 'engagement.top_category:' || arg_max(category, per_pledge_month), max(per_pledge_month), COUNT(*) FROM category_engagement;

-- Seasonal series (the lifts are fitted by the caller)
SELECT 'series.new_pledges:' || strftime(m.month_start, '%Y-%m'), COUNT(p.pledge_id), 1
FROM months m LEFT JOIN pledges p ON p.started_at BETWEEN m.month_start AND m.month_end GROUP BY m.month_start;
SELECT 'series.new_patrons:' || strftime(m.month_start, '%Y-%m'), COUNT(p.patron_id), 1
FROM months m LEFT JOIN patrons p ON p.first_pledge_at BETWEEN m.month_start AND m.month_end GROUP BY m.month_start;
SELECT 'series.engagement_per_pledge:' || strftime(m.month_start, '%Y-%m'),
       (SELECT COUNT(*) FROM events e WHERE e.event_at BETWEEN m.month_start AND m.month_end)::DOUBLE
     / (SELECT COUNT(*) FROM pledges p WHERE p.started_at <= m.month_end AND (p.ended_at IS NULL OR p.ended_at > m.month_end)), 1
FROM months m;
SELECT 'series.mrr:' || strftime(m.month_start, '%Y-%m'), SUM(p.pledge_amount_usd), COUNT(*)
FROM months m JOIN pledges p ON p.started_at <= m.month_end AND (p.ended_at IS NULL OR p.ended_at > m.month_end)
 AND (p.pause_started_at IS NULL OR p.pause_started_at > m.month_end) GROUP BY m.month_start;

-- The seed's absolute size thresholds: creators with 50+ / 500+ distinct patrons (any pledge, any time)
SELECT 'size.patrons_' || threshold || 'plus_share', AVG((patrons >= threshold)::INTEGER), COUNT(*) FROM (
    SELECT c.creator_id, (SELECT COUNT(DISTINCT p.patron_id) FROM pledges p WHERE p.creator_id = c.creator_id) AS patrons
    FROM creators c) CROSS JOIN (VALUES (50), (500)) t(threshold) GROUP BY threshold;

-- Day-of-month seasonal strength of the daily succeeded-payment gross
CREATE TABLE daily AS
SELECT d::DATE AS day, COALESCE((SELECT SUM(gross_amount_usd) FROM transactions t
        WHERE t.transaction_type = 'pledge_payment' AND t.transaction_status = 'succeeded'
          AND t.transaction_at::DATE = d::DATE), 0) AS gross
FROM generate_series(TIMESTAMP '2023-01-01', TIMESTAMP '2024-12-31', INTERVAL 1 DAY) g(d);
CREATE TABLE daily_ratio AS
SELECT day, day(day) AS dom, gross / AVG(gross) OVER (PARTITION BY date_trunc('month', day)) AS r FROM daily;
SELECT 'seasonality.strength_daily', 1 - var_pop(r - s) / var_pop(r), COUNT(*) FROM (
    SELECT r, AVG(r) OVER (PARTITION BY dom) AS s FROM daily_ratio);
