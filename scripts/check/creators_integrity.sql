-- The referential-integrity rules of SPEC section 3.3 and the dbt-style checks of the seed, in
-- DuckDB SQL over the seven CSV files. Each statement returns (rule, failures, checked).
-- Run after creators_metrics.sql's CREATE TABLE statements (creators_metrics.py does).

SELECT 'unique.ids', (SELECT COUNT(*) - COUNT(DISTINCT creator_id) FROM creators) + (SELECT COUNT(*) - COUNT(DISTINCT patron_id) FROM patrons)
     + (SELECT COUNT(*) - COUNT(DISTINCT tier_id) FROM tiers) + (SELECT COUNT(*) - COUNT(DISTINCT pledge_id) FROM pledges)
     + (SELECT COUNT(*) - COUNT(DISTINCT transaction_id) FROM transactions) + (SELECT COUNT(*) - COUNT(DISTINCT post_id) FROM posts)
     + (SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM events), (SELECT COUNT(*) FROM pledges);
SELECT 'pledge.references', COUNT(*) FILTER (WHERE pa.patron_id IS NULL OR c.creator_id IS NULL OR t.tier_id IS NULL OR t.creator_id <> p.creator_id), COUNT(*)
FROM pledges p LEFT JOIN patrons pa USING (patron_id) LEFT JOIN creators c ON c.creator_id = p.creator_id LEFT JOIN tiers t ON t.tier_id = p.tier_id;
SELECT 'transaction.references', COUNT(*) FILTER (WHERE p.pledge_id IS NULL OR p.patron_id <> t.patron_id OR p.creator_id <> t.creator_id), COUNT(*)
FROM transactions t LEFT JOIN pledges p USING (pledge_id);
SELECT 'patron.first_pledge_at', COUNT(*) FILTER (WHERE f.first IS NULL OR f.first <> pa.first_pledge_at), COUNT(*)
FROM patrons pa LEFT JOIN (SELECT patron_id, MIN(started_at) AS first FROM pledges GROUP BY patron_id) f USING (patron_id);
SELECT 'creator.first_pledge_received_at', COUNT(*) FILTER (WHERE c.first_pledge_received_at IS DISTINCT FROM f.first), COUNT(*)
FROM creators c LEFT JOIN (SELECT creator_id, MIN(started_at) AS first FROM pledges GROUP BY creator_id) f USING (creator_id);
SELECT 'creator.last_post_at', COUNT(*) FILTER (WHERE c.last_post_at IS DISTINCT FROM l.last), COUNT(*)
FROM creators c LEFT JOIN (SELECT creator_id, MAX(published_at) AS last FROM posts GROUP BY creator_id) l USING (creator_id);
-- A payment may differ from the pledge's (current) amount only by being the price of another tier
-- of the same creator (a tier change); and at least 97% of payments must equal it.
SELECT 'payment.amount_matches_pledge', COUNT(*) FILTER (WHERE t.gross_amount_usd <> p.pledge_amount_usd AND NOT EXISTS (
           SELECT 1 FROM tiers x WHERE x.creator_id = p.creator_id AND x.price_usd = t.gross_amount_usd)), COUNT(*)
FROM transactions t JOIN pledges p USING (pledge_id) WHERE t.transaction_type = 'pledge_payment';
SELECT 'payment.amount_matches_pledge_97pct', (AVG((t.gross_amount_usd = p.pledge_amount_usd)::INTEGER) < 0.97)::INTEGER, COUNT(*)
FROM transactions t JOIN pledges p USING (pledge_id) WHERE t.transaction_type = 'pledge_payment';
SELECT 'engagement.while_pledged', COUNT(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM pledges p WHERE p.patron_id = e.patron_id AND p.creator_id = e.creator_id
              AND p.started_at <= e.event_at AND (p.ended_at IS NULL OR p.ended_at > e.event_at))), COUNT(*)
FROM events e;
SELECT 'engagement.post_of_creator_before_event', COUNT(*) FILTER (WHERE po.post_id IS NULL OR po.creator_id <> e.creator_id OR po.published_at > e.event_at), COUNT(*)
FROM events e LEFT JOIN posts po USING (post_id);
SELECT 'post.after_creator_created', COUNT(*) FILTER (WHERE c.creator_id IS NULL OR po.published_at < c.created_at), COUNT(*)
FROM posts po LEFT JOIN creators c USING (creator_id);
SELECT 'patron.one_first_pledge', COUNT(*) FILTER (WHERE firsts <> 1 OR first_start <> earliest), COUNT(*) FROM (
    SELECT patron_id, SUM(is_first_pledge::INTEGER) AS firsts, MIN(started_at) FILTER (WHERE is_first_pledge) AS first_start, MIN(started_at) AS earliest
    FROM pledges GROUP BY patron_id);
SELECT 'patron.lifetime_spend', COUNT(*) FILTER (WHERE round(pa.lifetime_spend_usd, 2) <> round(COALESCE(s.spend, 0), 2)), COUNT(*)
FROM patrons pa LEFT JOIN (
    SELECT patron_id, SUM(CASE WHEN transaction_type = 'pledge_payment' AND transaction_status = 'succeeded' THEN gross_amount_usd
                               WHEN transaction_status = 'refunded' THEN -gross_amount_usd ELSE 0 END) AS spend
    FROM transactions GROUP BY patron_id) s USING (patron_id);
SELECT 'no_future_timestamps',
       (SELECT COUNT(*) FROM creators WHERE created_at > TIMESTAMP '2024-12-31 23:59:59' OR first_pledge_received_at > TIMESTAMP '2024-12-31 23:59:59' OR last_post_at > TIMESTAMP '2024-12-31 23:59:59')
     + (SELECT COUNT(*) FROM patrons WHERE created_at > TIMESTAMP '2024-12-31 23:59:59' OR first_pledge_at > TIMESTAMP '2024-12-31 23:59:59')
     + (SELECT COUNT(*) FROM pledges WHERE started_at > TIMESTAMP '2024-12-31 23:59:59' OR ended_at > TIMESTAMP '2024-12-31 23:59:59' OR pause_started_at > TIMESTAMP '2024-12-31 23:59:59')
     + (SELECT COUNT(*) FROM transactions WHERE transaction_at > TIMESTAMP '2024-12-31 23:59:59')
     + (SELECT COUNT(*) FROM posts WHERE published_at > TIMESTAMP '2024-12-31 23:59:59')
     + (SELECT COUNT(*) FROM events WHERE event_at > TIMESTAMP '2024-12-31 23:59:59'), (SELECT COUNT(*) FROM transactions);
SELECT 'window.inside',
       (SELECT COUNT(*) FROM pledges WHERE ended_at < TIMESTAMP '2023-01-01' OR (started_at < TIMESTAMP '2020-01-01'))
     + (SELECT COUNT(*) FROM transactions WHERE transaction_at < TIMESTAMP '2023-01-01')
     + (SELECT COUNT(*) FROM posts WHERE published_at < TIMESTAMP '2023-01-01')
     + (SELECT COUNT(*) FROM events WHERE event_at < TIMESTAMP '2023-01-01'), (SELECT COUNT(*) FROM pledges);
SELECT 'amounts.positive',
       (SELECT COUNT(*) FROM transactions WHERE gross_amount_usd <= 0 OR platform_fee_usd < 0 OR processing_fee_usd < 0 OR net_amount_usd < 0)
     + (SELECT COUNT(*) FROM pledges WHERE pledge_amount_usd <= 0) + (SELECT COUNT(*) FROM tiers WHERE price_usd <= 0)
     + (SELECT COUNT(*) FROM patrons WHERE lifetime_spend_usd < 0), (SELECT COUNT(*) FROM transactions);
SELECT 'fees.net_equals_gross_minus_fees', COUNT(*) FILTER (WHERE round(gross_amount_usd - platform_fee_usd - processing_fee_usd, 2) <> round(net_amount_usd, 2)
                                                    AND NOT (transaction_status = 'failed' OR transaction_status = 'pending')), COUNT(*) FROM transactions;
SELECT 'fees.failed_attempts_zero', COUNT(*) FILTER (WHERE platform_fee_usd <> 0 OR processing_fee_usd <> 0 OR net_amount_usd <> 0), COUNT(*)
FROM transactions WHERE transaction_status = 'failed';
SELECT 'fees.platform_rate_by_plan', COUNT(*) FILTER (WHERE round(t.gross_amount_usd * CASE c.plan_type WHEN 'lite' THEN 0.05 WHEN 'pro' THEN 0.08 ELSE 0.12 END + 0.0000001, 2) <> t.platform_fee_usd
                                                OR round(round(t.gross_amount_usd * 0.029 + 0.0000001, 2) + 0.30, 2) <> t.processing_fee_usd), COUNT(*)
FROM transactions t JOIN creators c USING (creator_id) WHERE t.transaction_type = 'pledge_payment' AND t.transaction_status = 'succeeded';
SELECT 'logical_order',
       (SELECT COUNT(*) FROM pledges WHERE ended_at IS NOT NULL AND ended_at <= started_at)
     + (SELECT COUNT(*) FROM pledges WHERE pause_started_at IS NOT NULL AND (pause_started_at < started_at OR pause_started_at >= COALESCE(ended_at, TIMESTAMP '2025-01-01')))
     + (SELECT COUNT(*) FROM patrons WHERE created_at > first_pledge_at)
     + (SELECT COUNT(*) FROM creators WHERE created_at > first_pledge_received_at)
     + (SELECT COUNT(*) FROM tiers t JOIN creators c USING (creator_id) WHERE t.created_at < c.created_at), (SELECT COUNT(*) FROM pledges);
SELECT 'accepted_values',
       (SELECT COUNT(*) FROM creators WHERE plan_type NOT IN ('lite', 'pro', 'premium') OR status NOT IN ('active', 'paused', 'suspended', 'deleted')
            OR category NOT IN ('podcasts', 'video', 'visual_art', 'education', 'writing', 'music', 'games'))
     + (SELECT COUNT(*) FROM pledges WHERE pledge_status NOT IN ('active', 'paused', 'churned', 'declined')
            OR (churn_reason IS NOT NULL AND churn_reason NOT IN ('voluntary', 'payment_failed', 'creator_removed'))
            OR (churn_reason IS NULL) <> (ended_at IS NULL))
     + (SELECT COUNT(*) FROM transactions WHERE transaction_type NOT IN ('pledge_payment', 'refund', 'chargeback')
            OR transaction_status NOT IN ('pending', 'succeeded', 'failed', 'refunded')
            OR payment_method NOT IN ('card', 'paypal', 'apple_pay', 'google_pay')
            OR (failure_reason IS NOT NULL) <> (transaction_status = 'failed'))
     + (SELECT COUNT(*) FROM patrons WHERE status NOT IN ('active', 'churned'))
     + (SELECT COUNT(*) FROM posts WHERE post_type NOT IN ('text', 'image', 'video', 'audio', 'poll') OR access_level NOT IN ('public', 'patrons_only', 'tier_locked')
            OR (minimum_tier_id IS NULL) <> (access_level = 'public'))
     + (SELECT COUNT(*) FROM events WHERE event_type NOT IN ('view', 'like', 'comment', 'share'))
     + (SELECT COUNT(*) FROM tiers WHERE tier_rank NOT BETWEEN 1 AND 4), (SELECT COUNT(*) FROM pledges);
SELECT 'status.consistency',
       (SELECT COUNT(*) FROM pledges WHERE (pledge_status = 'declined') <> (churn_reason IS NOT DISTINCT FROM 'payment_failed')
            OR (pledge_status = 'paused' AND (pause_started_at IS NULL OR ended_at IS NOT NULL))
            OR (pledge_status = 'active' AND (ended_at IS NOT NULL OR pause_started_at IS NOT NULL)))
     + (SELECT COUNT(*) FROM patrons pa WHERE (pa.status = 'active') <> EXISTS (SELECT 1 FROM pledges p WHERE p.patron_id = pa.patron_id AND p.ended_at IS NULL)),
       (SELECT COUNT(*) FROM pledges);
