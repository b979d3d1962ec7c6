-- The creator-economy metrics of SPEC section 9 in DuckDB SQL, written for speed: the benchmark's
-- DuckDB side (scripts/bench/duckdb_metrics.py runs it). The definitions are the SPEC's, the same
-- as the oracle's (scripts/check/creators_metrics.sql) and every statement below produces the
-- same rows (metric, value, n); only the evaluation differs:
--   * each CSV is read once, with its schema given (no sniffing) and only the columns a metric needs;
--   * the five small files become small tables (pledges with precomputed month spans);
--   * transactions.csv and engagement_events.csv are each aggregated in ONE scan (GROUPING SETS):
--     per (pledge, month) the first failed and first succeeded payment attempt (the one large
--     intermediate, a row per pledge-month with an attempt, dropped as soon as the two payment
--     metrics that need it are computed), per creator revenue and per day totals; per
--     (patron, creator) a bitmask of the window months with any engagement and per month event
--     counts (small);
--   * "active at the end of month m" is an integer range test on month numbers, so no pledge x
--     month table is built, and the correlated subqueries become joins, range arithmetic and
--     running sums.
-- The seasonal lifts are fitted by the caller from the series.* rows, as the oracle's caller does;
-- the integrity rules (scripts/check/creators_integrity.sql) are not part of this benchmark.
-- ${DIR} is replaced by the dataset directory.
--
-- Conventions (SPEC 9): the window is 2023-01 .. 2024-12, the as-of moment 2024-12-31 23:59:59, a
-- tenure month 2629800 s (30.4375 days). Month number m: 2023-01 is 1, 2024-12 is 24, 2022-12 is 0.
-- end(m) = the last second of month m. A pledge is active at t when started_at <= t and (ended_at is
-- empty or ended_at > t); so it is active at end(m) for exactly the m in [start month, end month - 1]
-- (the month spans lo .. hi below), and not paused at end(m) for m < the pause's month.
-- Timestamps have whole seconds.

CREATE MACRO month_number(t) AS (year(t) - 2023) * 12 + month(t);
-- The bits of months first .. last (bit m - 1 stands for month m), 0 when the range is empty.
CREATE MACRO month_bits(first, last) AS
    CASE WHEN first <= last THEN ((1 << (last - first + 1)) - 1) << (first - 1) ELSE 0 END;

-- ---------------------------------------------------------------------------------------------
-- The small files: only the needed columns (the others are declared VARCHAR and never converted).

CREATE TABLE creators AS
SELECT creator_id, category, created_at, first_pledge_received_at
FROM read_csv('${DIR}/creators.csv', header = true, auto_detect = false, columns = {
    'creator_id': 'VARCHAR', 'creator_name': 'VARCHAR', 'email': 'VARCHAR', 'category': 'VARCHAR',
    'subcategory': 'VARCHAR', 'country_code': 'VARCHAR', 'currency_code': 'VARCHAR', 'plan_type': 'VARCHAR',
    'is_nsfw': 'VARCHAR', 'is_verified': 'VARCHAR', 'created_at': 'TIMESTAMP', 'first_pledge_received_at': 'TIMESTAMP',
    'last_post_at': 'VARCHAR', 'status': 'VARCHAR'});

CREATE TABLE tiers AS
SELECT tier_id, tier_rank
FROM read_csv('${DIR}/tiers.csv', header = true, auto_detect = false, columns = {
    'tier_id': 'VARCHAR', 'creator_id': 'VARCHAR', 'tier_name': 'VARCHAR', 'tier_rank': 'INTEGER', 'price_usd': 'VARCHAR',
    'description': 'VARCHAR', 'is_active': 'VARCHAR', 'created_at': 'VARCHAR', 'archived_at': 'VARCHAR'});

-- Pledges with their month spans: active at end(m) for lo <= m <= hi (m in 0 .. 24), and active
-- and not paused for lo <= m <= hi_unpaused. Amounts are exact decimals.
CREATE TABLE pledges AS
SELECT patron_id, creator_id, tier_id, pledge_amount_usd AS amount, started_at, ended_at, churn_reason,
       month_number(started_at) AS start_month,
       month_number(ended_at) AS end_month,
       greatest(month_number(started_at), 0) AS lo,
       least(COALESCE(month_number(ended_at) - 1, 24), 24) AS hi,
       least(COALESCE(month_number(ended_at) - 1, 24), COALESCE(month_number(pause_started_at) - 1, 24), 24) AS hi_unpaused
FROM read_csv('${DIR}/pledges.csv', header = true, auto_detect = false, columns = {
    'pledge_id': 'VARCHAR', 'patron_id': 'VARCHAR', 'creator_id': 'VARCHAR', 'tier_id': 'VARCHAR',
    'pledge_amount_usd': 'DECIMAL(12,2)', 'pledge_status': 'VARCHAR', 'is_first_pledge': 'VARCHAR',
    'started_at': 'TIMESTAMP', 'ended_at': 'TIMESTAMP', 'pause_started_at': 'TIMESTAMP', 'churn_reason': 'VARCHAR'});

-- New patrons per month (patrons.csv is only needed for this series).
CREATE TABLE new_patrons AS
SELECT month_number(first_pledge_at) AS m, COUNT(*) AS patrons
FROM read_csv('${DIR}/patrons.csv', header = true, auto_detect = false, columns = {
    'patron_id': 'VARCHAR', 'patron_name': 'VARCHAR', 'email': 'VARCHAR', 'country_code': 'VARCHAR',
    'created_at': 'VARCHAR', 'first_pledge_at': 'TIMESTAMP', 'lifetime_spend_usd': 'VARCHAR', 'status': 'VARCHAR'})
GROUP BY ALL;

-- Posts per creator inside the window (posts.csv is only needed for the posting rate).
CREATE TABLE window_posts AS
SELECT creator_id, COUNT(*) AS posts
FROM read_csv('${DIR}/posts.csv', header = true, auto_detect = false, columns = {
    'post_id': 'VARCHAR', 'creator_id': 'VARCHAR', 'title': 'VARCHAR', 'post_type': 'VARCHAR', 'access_level': 'VARCHAR',
    'minimum_tier_id': 'VARCHAR', 'published_at': 'TIMESTAMP', 'is_pinned': 'VARCHAR'})
WHERE published_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59'
GROUP BY ALL;

-- ---------------------------------------------------------------------------------------------
-- transactions.csv, one scan, three groupings (an attempt is a pledge_payment that succeeded or
-- failed; pending ones, refunds and chargebacks are not attempts):
--   (pledge_id, m): the pledge's attempts in calendar month m: the time of its first failure and
--     of its first success. The month's first attempt (by transaction_at, then transaction_id)
--     failed exactly when its first failure comes before its first success, or it has no success;
--     a failure and a success in the same second would need transaction_id, so the check below
--     stops the run if there is one (there is none: one attempt per billing run or retry);
--   (creator_id): succeeded pledge-payment gross per creator;
--   (day): every transaction, the attempts, their successes and card-expiry failures, and the
--     succeeded pledge-payment gross.
CREATE TABLE transaction_groups AS
SELECT grouping(pledge_id, m, creator_id, day) AS grouping_id, pledge_id, m, creator_id, day,
       COUNT(*) AS transactions,
       COUNT(*) FILTER (WHERE attempt) AS attempts,
       COUNT(*) FILTER (WHERE attempt AND transaction_status = 'succeeded') AS successes,
       COUNT(*) FILTER (WHERE attempt AND failure_reason = 'card_expired') AS card_expired,
       SUM(gross_amount_usd) FILTER (WHERE attempt AND transaction_status = 'succeeded') AS gross,
       MIN(transaction_at) FILTER (WHERE attempt AND transaction_status = 'failed') AS first_failure_at,
       MIN(transaction_at) FILTER (WHERE attempt AND transaction_status = 'succeeded') AS first_success_at
FROM (
    SELECT pledge_id, creator_id, transaction_status, gross_amount_usd, failure_reason, transaction_at,
           month_number(transaction_at)::SMALLINT AS m, transaction_at::DATE AS day,
           transaction_type = 'pledge_payment' AND transaction_status IN ('succeeded', 'failed') AS attempt
    FROM read_csv('${DIR}/transactions.csv', header = true, auto_detect = false, columns = {
        'transaction_id': 'VARCHAR', 'pledge_id': 'VARCHAR', 'patron_id': 'VARCHAR', 'creator_id': 'VARCHAR',
        'transaction_type': 'VARCHAR', 'transaction_status': 'VARCHAR', 'gross_amount_usd': 'DECIMAL(12,2)',
        'platform_fee_usd': 'VARCHAR', 'processing_fee_usd': 'VARCHAR', 'net_amount_usd': 'VARCHAR',
        'payment_method': 'VARCHAR', 'failure_reason': 'VARCHAR', 'transaction_at': 'TIMESTAMP'}))
GROUP BY GROUPING SETS ((pledge_id, m), (creator_id), (day));
CREATE TABLE creator_gross AS
SELECT creator_id, gross FROM transaction_groups WHERE grouping_id = 13;   -- grouped by creator_id only: 0b1101
CREATE TABLE daily_totals AS
SELECT day, transactions, attempts, successes, card_expired, gross FROM transaction_groups WHERE grouping_id = 14;   -- 0b1110

-- The (pledge, month) groups with attempts (grouped by pledge_id and m: 0b0011), used right away
-- by the two metrics that need them, then dropped: the one large intermediate result.
CREATE VIEW attempt_months AS
SELECT pledge_id, m, first_success_at,
       first_failure_at IS NOT NULL AND (first_success_at IS NULL OR first_failure_at < first_success_at) AS first_failed,
       least(first_failure_at, first_success_at) AS first_at
FROM transaction_groups WHERE grouping_id = 3 AND (first_failure_at IS NOT NULL OR first_success_at IS NOT NULL);
SELECT error('a failed and a succeeded payment attempt of pledge ' || pledge_id || ' in the same second: order them by transaction_id')
FROM transaction_groups WHERE grouping_id = 3 AND first_failure_at = first_success_at LIMIT 1;

-- Payments: the first attempt of each (pledge, month) and its failure; a failed first attempt is
-- recovered when a success of the pledge follows within 7 days: the month's first success (after
-- the failure, there being no tie), or the next month's first success (7 days never reach two
-- months ahead). The next months are picked by a semi-join so that the outer join's hash table
-- holds the few failed months, not every pledge-month.
SELECT 'payments.failure_rate', AVG(first_failed::INTEGER), COUNT(*) FROM attempt_months;
CREATE TABLE failed_months AS
SELECT pledge_id, m, first_at, first_success_at FROM attempt_months WHERE first_failed;
SELECT 'payments.recovered_7d',
       AVG(COALESCE(f.first_success_at <= f.first_at + INTERVAL 7 DAY
                    OR nx.first_success_at <= f.first_at + INTERVAL 7 DAY, false)::INTEGER),
       COUNT(*)
FROM failed_months f
LEFT JOIN (SELECT a.pledge_id, a.m, a.first_success_at FROM attempt_months a
           SEMI JOIN failed_months x ON x.pledge_id = a.pledge_id AND a.m = x.m + 1) nx
       ON nx.pledge_id = f.pledge_id AND nx.m = f.m + 1;
DROP TABLE failed_months;
DROP VIEW attempt_months;
DROP TABLE transaction_groups;

-- ---------------------------------------------------------------------------------------------
-- engagement_events.csv, one scan, two groupings:
--   (patron_id, creator_id): the events of the pair and the bitmask of the window months in which
--     it has at least one event (bit m - 1 for month m);
--   (m): the events of each calendar month.
CREATE TABLE event_groups AS
SELECT grouping(patron_id, creator_id, m) AS grouping_id, patron_id, creator_id, m,
       COUNT(*) AS events,
       bit_or(CASE WHEN m BETWEEN 1 AND 24 THEN 1 << (m - 1) ELSE 0 END) AS engaged_months
FROM (
    SELECT patron_id, creator_id, month_number(event_at) AS m
    FROM read_csv('${DIR}/engagement_events.csv', header = true, auto_detect = false, columns = {
        'event_id': 'VARCHAR', 'patron_id': 'VARCHAR', 'creator_id': 'VARCHAR', 'post_id': 'VARCHAR',
        'event_type': 'VARCHAR', 'event_at': 'TIMESTAMP'}))
GROUP BY GROUPING SETS ((patron_id, creator_id), (m));

CREATE TABLE pair_events AS
SELECT patron_id, creator_id, events, engaged_months FROM event_groups WHERE grouping_id = 1;   -- 0b001
CREATE TABLE monthly_events AS
SELECT m, events FROM event_groups WHERE grouping_id = 6;   -- 0b110
DROP TABLE event_groups;

-- ---------------------------------------------------------------------------------------------
-- The months m = 0 .. 24 and, at each month end, the pledges active, the pledges active and not
-- paused, and their MRR: running sums of the changes, a span lo .. hi opening at lo and closing
-- after hi (one pass over the pledges instead of a pledge x month join).
CREATE TABLE months AS
SELECT m::INTEGER AS m, TIMESTAMP '2023-01-01' + to_months((m - 1)::INTEGER) AS month_start FROM range(0, 25) t(m);
CREATE TABLE month_ends AS
WITH changes AS (
    SELECT lo AS m, 1 AS active, 0 AS unpaused, 0::DECIMAL(12,2) AS mrr FROM pledges WHERE lo <= hi
    UNION ALL SELECT hi + 1, -1, 0, 0 FROM pledges WHERE lo <= hi
    UNION ALL SELECT lo, 0, 1, amount FROM pledges WHERE lo <= hi_unpaused
    UNION ALL SELECT hi_unpaused + 1, 0, -1, -amount FROM pledges WHERE lo <= hi_unpaused),
per_month AS (SELECT m, SUM(active) AS active, SUM(unpaused) AS unpaused, SUM(mrr) AS mrr FROM changes GROUP BY m)
SELECT months.m, months.month_start,
       SUM(COALESCE(active, 0)) OVER w AS active,
       SUM(COALESCE(unpaused, 0)) OVER w AS unpaused,
       SUM(COALESCE(mrr, 0)) OVER w AS mrr
FROM months LEFT JOIN per_month USING (m)
WINDOW w AS (ORDER BY months.m);

-- MRR growth: MRR (active, not paused) at end(24) over MRR at end(1), minus 1
SELECT 'mrr.growth' AS metric, e.mrr::DOUBLE / b.mrr::DOUBLE - 1 AS value, b.unpaused + e.unpaused AS n
FROM month_ends b, month_ends e WHERE b.m = 1 AND e.m = 24;

-- Monthly churn: pledges ending in m over pledges active at end(m - 1), mean over m = 2 .. 24
SELECT 'churn.monthly.mean', AVG(COALESCE(ended.n, 0)::DOUBLE / a.active), COUNT(*)
FROM month_ends a
LEFT JOIN (SELECT end_month, COUNT(*) AS n FROM pledges GROUP BY end_month) ended ON ended.end_month = a.m + 1
WHERE a.m BETWEEN 1 AND 23;

-- Hazard by tenure month: a life table on the complete tenure intervals inside the window.
-- Interval k of a pledge is [s + (k-1)T, s + kT] (s = start, T = tenure month, k = 1 .. 79); it
-- counts when it lies inside [2023-01-01, 2025-01-01] and the pledge is alive at its start
-- (e > s + (k-1)T), and dies when e < s + kT. In integers: k_first <= k <= k_last, and the
-- pledge dies in interval floor((e - s) / T) + 1 (when that interval counts).
CREATE TABLE hazard_spans AS
SELECT greatest(1, ceil((epoch(TIMESTAMP '2023-01-01') - s) / 2629800.0) + 1)::BIGINT AS k_first,
       least(79, floor((epoch(TIMESTAMP '2025-01-01') - s) / 2629800.0),
             COALESCE(ceil((e - s) / 2629800.0), 79))::BIGINT AS k_last,
       (floor((e - s) / 2629800.0) + 1)::BIGINT AS k_death
FROM (SELECT epoch(started_at) AS s, epoch(ended_at) AS e FROM pledges);
SELECT 'churn.hazard.' || band,
       SUM(COALESCE(k_death BETWEEN greatest(k_first, band_first) AND least(k_last, band_last), false)::INTEGER)::DOUBLE
     / SUM(least(k_last, band_last) - greatest(k_first, band_first) + 1),
       SUM(least(k_last, band_last) - greatest(k_first, band_first) + 1)
FROM hazard_spans
JOIN (VALUES ('m1', 1, 1), ('m2_3', 2, 3), ('m4_12', 4, 12), ('m13_plus', 13, 79)) bands(band, band_first, band_last)
  ON greatest(k_first, band_first) <= least(k_last, band_last)
GROUP BY band;

-- Churn reasons among pledges ending inside the window
SELECT 'churn.reason.' || churn_reason, COUNT(*)::DOUBLE / SUM(COUNT(*)) OVER (), SUM(COUNT(*)) OVER ()
FROM pledges WHERE ended_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59'
GROUP BY churn_reason;

-- Payments over all attempts
SELECT 'payments.success_rate', SUM(successes)::DOUBLE / SUM(attempts), SUM(attempts) FROM daily_totals;
SELECT 'payments.card_expiry_ratio',
       (SUM(card_expired) FILTER (WHERE month(day) IN (12, 1))::DOUBLE / SUM(attempts) FILTER (WHERE month(day) IN (12, 1)))
     / (SUM(card_expired) FILTER (WHERE month(day) NOT IN (12, 1))::DOUBLE / SUM(attempts) FILTER (WHERE month(day) NOT IN (12, 1))),
       SUM(attempts)
FROM daily_totals;

-- Billing cycle: share of all transactions on days 1 .. 3 of the month
SELECT 'billing.day1_3_share', SUM(transactions) FILTER (WHERE day(day) <= 3)::DOUBLE / SUM(transactions), SUM(transactions)
FROM daily_totals;

-- Revenue concentration (succeeded pledge-payment gross per creator, 0 without any)
CREATE TABLE ranked AS
SELECT c.creator_id, COALESCE(g.gross, 0)::DOUBLE AS revenue,
       row_number() OVER (ORDER BY COALESCE(g.gross, 0) DESC, c.creator_id) AS revenue_rank,
       COUNT(*) OVER () AS creator_count
FROM creators c LEFT JOIN creator_gross g USING (creator_id);
SELECT 'revenue.top10_share', SUM(revenue) FILTER (WHERE revenue_rank <= ceil(creator_count / 10.0)) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.top1_share', SUM(revenue) FILTER (WHERE revenue_rank <= ceil(creator_count / 100.0)) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.top20_share', SUM(revenue) FILTER (WHERE revenue_rank <= ceil(creator_count / 5.0)) / SUM(revenue), COUNT(*) FROM ranked;
SELECT 'revenue.gini', SUM((2 * i - n - 1) * revenue) / (n * SUM(revenue)), n FROM (
    SELECT revenue, row_number() OVER (ORDER BY revenue) AS i, COUNT(*) OVER () AS n FROM ranked) GROUP BY n;

-- Size tiers by revenue rank
CREATE TABLE size_tiers AS
SELECT creator_id, CASE WHEN revenue_rank <= ceil(creator_count / 10.0) THEN 'top'
                        WHEN revenue_rank <= ceil(4 * creator_count / 10.0) THEN 'established' ELSE 'emerging' END AS size_tier
FROM ranked;

-- Emerging creators with fewer than 20 active pledges 6 tenure months after their first pledge
SELECT 'creators.emerging_under20_share', AVG((active < 20)::INTEGER), COUNT(*) FROM (
    SELECT c.creator_id, COUNT(p.creator_id) AS active
    FROM size_tiers s JOIN creators c USING (creator_id)
    LEFT JOIN pledges p ON p.creator_id = c.creator_id
         AND p.started_at <= c.first_pledge_received_at + INTERVAL 15778800 SECOND
         AND (p.ended_at IS NULL OR p.ended_at > c.first_pledge_received_at + INTERVAL 15778800 SECOND)
    WHERE s.size_tier = 'emerging' AND c.first_pledge_received_at + INTERVAL 15778800 SECOND <= TIMESTAMP '2024-12-31 23:59:59'
    GROUP BY c.creator_id);

-- Growth of active pledges per creator from its first month with any (f) to 2024-12, median by
-- size tier; active at end(m) for m = 1 .. 24 means greatest(lo, 1) <= m <= hi.
CREATE TABLE creator_growth AS
WITH first_month AS (
    SELECT p.creator_id, MIN(greatest(p.lo, 1)) AS f
    FROM pledges p JOIN creators c USING (creator_id)
    WHERE greatest(p.lo, 1) <= p.hi GROUP BY p.creator_id)
SELECT creator_id, f,
       COUNT(*) FILTER (WHERE greatest(p.lo, 1) <= f AND f <= p.hi) AS first_active,
       COUNT(*) FILTER (WHERE p.hi = 24 AND p.lo <= 24) AS last_active
FROM first_month JOIN pledges p USING (creator_id)
GROUP BY creator_id, f;
SELECT 'growth.' || size_tier || '_median', median(rate), COUNT(*) FROM (
    SELECT s.size_tier, pow(g.last_active::DOUBLE / g.first_active, 1.0 / (24 - g.f)) - 1 AS rate
    FROM size_tiers s JOIN creator_growth g USING (creator_id)
    WHERE 24 - g.f >= 6)
WHERE size_tier IN ('established', 'top') GROUP BY size_tier;

-- Posting classes (posts per month since the creator's first window month) and their voluntary
-- churn: voluntary endings in the window over the pledges active at end(m - 1), m = 1 .. 24,
-- i.e. the months m' = 0 .. 23 of each span.
CREATE TABLE posting_class AS
SELECT creator_id, CASE WHEN rate >= 4 THEN 'high' WHEN rate >= 1 THEN 'mid' ELSE 'low' END AS class FROM (
    SELECT c.creator_id, COALESCE(w.posts, 0)::DOUBLE
         / (24 - datediff('month', TIMESTAMP '2023-01-01', greatest(date_trunc('month', c.created_at), TIMESTAMP '2023-01-01'))) AS rate
    FROM creators c LEFT JOIN window_posts w USING (creator_id));
CREATE TABLE class_churn AS
SELECT q.class, v.voluntary::DOUBLE / v.exposure AS churn, q.creators
FROM (SELECT class, COUNT(*) AS creators FROM posting_class GROUP BY class) q
LEFT JOIN (
    SELECT pc.class,
           COUNT(*) FILTER (WHERE p.churn_reason = 'voluntary'
                              AND p.ended_at BETWEEN TIMESTAMP '2023-01-01' AND TIMESTAMP '2024-12-31 23:59:59') AS voluntary,
           SUM(greatest(0, least(p.hi, 23) - p.lo + 1)) AS exposure
    FROM pledges p JOIN posting_class pc USING (creator_id) GROUP BY pc.class) v USING (class);
SELECT 'posting.high_churn_ratio', h.churn / m.churn, h.creators FROM class_churn h, class_churn m WHERE h.class = 'high' AND m.class = 'mid';
SELECT 'posting.low_churn_ratio', l.churn / m.churn, l.creators FROM class_churn l, class_churn m WHERE l.class = 'low' AND m.class = 'mid';

-- Engagement by pledge-month: the pledge-months of a pledge (with a tier and a creator) are the
-- window months first .. last at whose end it is active; one is engaged when the pair
-- (patron, creator) has an event in it, i.e. its bit is set in the pair's mask.
CREATE TABLE pledge_engagement AS
SELECT t.tier_rank, c.category, p.churn_reason, p.end_month,
       greatest(p.lo, 1) AS first, p.hi AS last,
       COALESCE(e.engaged_months, 0) AS engaged_months
FROM pledges p JOIN tiers t USING (tier_id) JOIN creators c ON c.creator_id = p.creator_id
LEFT JOIN pair_events e ON e.patron_id = p.patron_id AND e.creator_id = p.creator_id
WHERE greatest(p.lo, 1) <= p.hi;
SELECT 'engagement.tier' || least(tier_rank, 3) || '_rate',
       SUM(bit_count(engaged_months & month_bits(first, last)))::DOUBLE / SUM(last - first + 1), SUM(last - first + 1)
FROM pledge_engagement GROUP BY least(tier_rank, 3);
-- Voluntary churn in the month after a pledge-month m <= 23: the pledge ends in m + 1, so the
-- churned pledge-month is m = end_month - 1, the span's last month.
SELECT 'engagement.no_engagement_churn_ratio',
       (SUM(churned) - SUM(churned_engaged))::DOUBLE / (SUM(months) - SUM(engaged))
     / (SUM(churned_engaged)::DOUBLE / SUM(engaged)),
       SUM(months)
FROM (
    SELECT greatest(0, least(last, 23) - first + 1) AS months,
           bit_count(engaged_months & month_bits(first, least(last, 23))) AS engaged,
           (churn_month IS NOT NULL)::INTEGER AS churned,
           (engaged_months & month_bits(churn_month, churn_month) <> 0)::INTEGER AS churned_engaged
    FROM (SELECT *, CASE WHEN churn_reason = 'voluntary' AND end_month - 1 BETWEEN first AND least(last, 23)
                         THEN end_month - 1 END AS churn_month
          FROM pledge_engagement));
CREATE TABLE category_engagement AS
SELECT k.category, COALESCE(e.events, 0)::DOUBLE / COALESCE(pm.pledge_months, 0) AS per_pledge_month
FROM (SELECT DISTINCT category FROM creators) k
LEFT JOIN (SELECT c.category, SUM(x.events) AS events FROM pair_events x JOIN creators c USING (creator_id) GROUP BY c.category) e USING (category)
LEFT JOIN (SELECT category, SUM(last - first + 1) AS pledge_months FROM pledge_engagement GROUP BY category) pm USING (category);
SELECT 'engagement.top_category:' || arg_max(category, per_pledge_month), max(per_pledge_month), COUNT(*) FROM category_engagement;

-- Seasonal series (the lifts are fitted by the caller)
SELECT 'series.new_pledges:' || strftime(mo.month_start, '%Y-%m'), COUNT(p.start_month), 1
FROM months mo LEFT JOIN pledges p ON p.start_month = mo.m WHERE mo.m >= 1 GROUP BY mo.month_start;
SELECT 'series.new_patrons:' || strftime(mo.month_start, '%Y-%m'), COALESCE(SUM(np.patrons), 0), 1
FROM months mo LEFT JOIN new_patrons np ON np.m = mo.m WHERE mo.m >= 1 GROUP BY mo.month_start;
SELECT 'series.engagement_per_pledge:' || strftime(a.month_start, '%Y-%m'), COALESCE(e.events, 0)::DOUBLE / a.active, 1
FROM month_ends a LEFT JOIN monthly_events e USING (m) WHERE a.m >= 1;
SELECT 'series.mrr:' || strftime(month_start, '%Y-%m'), mrr::DOUBLE, unpaused FROM month_ends WHERE m >= 1 AND unpaused > 0;

-- The seed's absolute size thresholds: creators with 50+ / 500+ distinct patrons (any pledge, any time)
SELECT 'size.patrons_' || threshold || 'plus_share', AVG((patrons >= threshold)::INTEGER), COUNT(*) FROM (
    SELECT c.creator_id, COUNT(DISTINCT p.patron_id) AS patrons
    FROM creators c LEFT JOIN pledges p USING (creator_id) GROUP BY c.creator_id
) CROSS JOIN (VALUES (50), (500)) t(threshold) GROUP BY threshold;

-- Day-of-month seasonal strength of the daily succeeded-payment gross
CREATE TABLE daily_ratio AS
SELECT day, day(day) AS dom, gross / AVG(gross) OVER (PARTITION BY date_trunc('month', day)) AS r FROM (
    SELECT g.d::DATE AS day, COALESCE(t.gross, 0)::DOUBLE AS gross
    FROM generate_series(TIMESTAMP '2023-01-01', TIMESTAMP '2024-12-31', INTERVAL 1 DAY) g(d)
    LEFT JOIN daily_totals t ON t.day = g.d::DATE);
SELECT 'seasonality.strength_daily', 1 - var_pop(r - s) / var_pop(r), COUNT(*) FROM (
    SELECT r, AVG(r) OVER (PARTITION BY dom) AS s FROM daily_ratio);
