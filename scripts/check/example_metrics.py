#!/usr/bin/env python3
"""Recomputes, with DuckDB SQL written from the mappings' documentation and not from the
auditor's code, the headline figures of the foreign-shaped examples under examples/, and prints
them as JSON ({"metrics": {id: value}}). The end-to-end tests compare them with the audit.

    python3 scripts/check/example_metrics.py single-subscriptions examples/single-subscriptions
    python3 scripts/check/example_metrics.py accounts-churn-events examples/accounts-churn-events
    python3 scripts/check/example_metrics.py stripe-like examples/stripe-like

Definitions (Documentation/profiles.md): a subscriber is active at the end of day d when one of
its subscriptions has start <= d < end (no end: open), a start at most a day after an end
continuing the life (churn.grace_days = 1); with churn events, every subscription of
an account open at a churn event ends at it. MRR at a month end is the sum of the amounts of the
subscriptions active then. Pooled retention at k: subscribers of cohort c (signup month) active
at the end of month c + k, over the cohorts with c + k inside the window. Monthly churn of month
m: lives ending in m that began before m, over the subscribers active at the end of m - 1.
"""
import json
import sys

import duckdb


def months(con, first, last):
    return [r[0] for r in con.execute(
        f"SELECT CAST(m AS DATE) FROM range(DATE '{first}-01', DATE '{last}-01' + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)").fetchall()]


def figures(con, first, last):
    """Figures from two views: subs(subscriber, start, end, amount, start_t, end_t) and
    people(subscriber, signup); start_t and end_t are the moments in epoch seconds (tenure is
    measured on them), start and end their UTC days."""
    out = {}
    month_list = months(con, first, last)
    con.execute("CREATE TEMP TABLE month_ends AS SELECT m AS month, last_day(m) AS day FROM unnest(?::DATE[]) t(m)", [month_list])
    mrr = con.execute("""
        SELECT e.month, COALESCE(SUM(s.amount), 0) FROM month_ends e
        LEFT JOIN subs s ON s.start <= e.day AND (s."end" IS NULL OR s."end" > e.day)
        GROUP BY e.month ORDER BY e.month""").fetchall()
    out["mrr.month1"] = float(mrr[0][1])
    out[f"mrr.month{len(mrr)}"] = float(mrr[-1][1])
    # Lives: the union of each subscriber's subscriptions (a start at most one day after the
    # previous end continues it: the default grace of churn.grace_days).
    con.execute("""
        CREATE TEMP TABLE lives AS
        WITH ordered AS (
            SELECT subscriber, start, "end", start_t, end_t,
                   MAX(COALESCE("end", DATE '9999-12-31')) OVER (PARTITION BY subscriber ORDER BY start, "end" NULLS LAST
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM subs),
        marked AS (SELECT *, SUM(CASE WHEN reach IS NULL OR start > reach + INTERVAL 1 DAY THEN 1 ELSE 0 END)
                       OVER (PARTITION BY subscriber ORDER BY start, "end" NULLS LAST) AS run FROM ordered)
        SELECT subscriber, run, MIN(start) AS start,
               NULLIF(MAX(COALESCE("end", DATE '9999-12-31')), DATE '9999-12-31') AS "end",
               MIN(start_t) AS start_t, CASE WHEN COUNT(*) FILTER (WHERE "end" IS NULL) > 0 THEN NULL ELSE MAX(end_t) END AS end_t
        FROM marked GROUP BY subscriber, run""")
    last_day = con.execute(f"SELECT last_day(DATE '{last}-01')").fetchone()[0]
    for k in [1, 3, 6, 12]:
        row = con.execute(f"""
            WITH cohort AS (SELECT p.subscriber, date_trunc('month', p.signup) AS c FROM people p
                            WHERE p.subscriber IN (SELECT subscriber FROM lives))
            SELECT COUNT(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM lives l WHERE l.subscriber = cohort.subscriber
                       AND l.start <= last_day(c + INTERVAL {k} MONTH)
                       AND (l."end" IS NULL OR l."end" > last_day(c + INTERVAL {k} MONTH)))),
                   COUNT(*)
            FROM cohort WHERE last_day(c + INTERVAL {k} MONTH) <= DATE '{last_day}'""").fetchone()
        out[f"retention.pooled.k{k}"] = row[0] / row[1] if row[1] else None
    rates = con.execute("""
        WITH ends AS (SELECT month, day, LAG(day) OVER (ORDER BY month) AS previous FROM month_ends)
        SELECT e.month,
               (SELECT COUNT(*) FROM lives l WHERE l."end" > e.previous AND l."end" <= e.day AND l.start <= e.previous),
               (SELECT COUNT(*) FROM lives l WHERE l.start <= e.previous AND (l."end" IS NULL OR l."end" > e.previous))
        FROM ends e WHERE e.previous IS NOT NULL ORDER BY e.month""").fetchall()
    values = [a / b for _, a, b in rates if b > 0]
    out["churn.monthly.mean"] = sum(values) / len(values)
    out["customers.count"] = con.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    # Hazard by tenure: tenure month k of a life is [start + (k-1) T, start + k T), T = 30.4375 days;
    # counted where the whole month lies in the window and the life is active at its start.
    window_start = con.execute(f"SELECT epoch(DATE '{first}-01')::BIGINT").fetchone()[0]
    limit = con.execute(f"SELECT epoch(DATE '{last_day}' + INTERVAL 1 DAY)::BIGINT").fetchone()[0]
    rows = con.execute(f"""
        WITH l AS (SELECT start_t AS s, CASE WHEN end_t IS NULL THEN 9000000000000000000 ELSE end_t END AS e FROM lives),
        iv AS (SELECT e, k, s + (k - 1) * 2629800 AS a, s + k * 2629800 AS b FROM l, range(1, 1300) t(k))
        SELECT CASE WHEN k = 1 THEN 'm1' WHEN k <= 3 THEN 'm2_3' WHEN k <= 12 THEN 'm4_12' ELSE 'm13_plus' END AS band,
               SUM(CASE WHEN e < b THEN 1 ELSE 0 END), COUNT(*)
        FROM iv WHERE a >= {window_start} AND b <= {limit} AND e > a GROUP BY band""").fetchall()
    for band, died, exposed in rows:
        out[f"churn.hazard.{band}"] = died / exposed
    # Concentration of MRR at the end of the last month over paying subscribers (whole cents).
    paying = [r[0] for r in con.execute(f"""
        SELECT SUM(round(amount * 100))::BIGINT AS cents FROM subs
        WHERE start <= DATE '{last_day}' AND ("end" IS NULL OR "end" > DATE '{last_day}')
        GROUP BY subscriber HAVING SUM(round(amount * 100)) > 0 ORDER BY cents DESC""").fetchall()]
    top = (len(paying) + 9) // 10
    out["revenue.mrr_top10_share"] = sum(paying[:top]) / sum(paying)
    ascending = sorted(paying)
    n = len(ascending)
    out["revenue.mrr_gini"] = sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(ascending)) / (n * sum(ascending))
    return out


def main():
    name, folder = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    if name == "single-subscriptions":
        con.execute(f"""CREATE VIEW raw AS SELECT * FROM read_csv('{folder}/subscriptions.csv', header=true, all_varchar=true)""")
        con.execute("""CREATE VIEW subs_days AS SELECT customer AS subscriber, strptime(started, '%m/%d/%Y')::DATE AS start,
                       CASE WHEN ended IS NULL OR ended = '' THEN NULL ELSE strptime(ended, '%m/%d/%Y')::DATE END AS "end",
                       CAST(monthly_amount AS DOUBLE) AS amount FROM raw""")
        con.execute("""CREATE VIEW subs AS SELECT *, epoch(start)::BIGINT AS start_t, epoch("end")::BIGINT AS end_t FROM subs_days""")
        con.execute("CREATE VIEW people AS SELECT subscriber, MIN(start) AS signup FROM subs GROUP BY subscriber")
        result = figures(con, "2023-01", "2024-06")
    elif name == "accounts-churn-events":
        con.execute(f"""CREATE VIEW accounts AS SELECT * FROM read_csv('{folder}/accounts.csv', header=true, all_varchar=true)""")
        con.execute(f"""CREATE VIEW raw AS SELECT * FROM read_csv('{folder}/subscriptions.csv', header=true, all_varchar=true)""")
        con.execute(f"""CREATE VIEW churn AS SELECT account_id, strptime(churned_on, '%d-%m-%Y')::DATE AS day
                        FROM read_csv('{folder}/churn_events.csv', header=true, all_varchar=true)""")
        # Paid subscriptions; each ends at the first churn event of its account on or after its start.
        con.execute("""CREATE VIEW paid AS SELECT account_id AS subscriber, strptime(start_date, '%d-%m-%Y')::DATE AS start,
                       CASE WHEN end_date IS NULL OR end_date = '' THEN NULL ELSE strptime(end_date, '%d-%m-%Y')::DATE END AS "end",
                       CAST(arr_amount AS DOUBLE) / 12 AS amount FROM raw WHERE is_trial <> 'true'""")
        con.execute("""CREATE VIEW subs_days AS SELECT p.subscriber, p.start,
                       COALESCE((SELECT MIN(c.day) FROM churn c WHERE c.account_id = p.subscriber AND c.day >= p.start
                                 AND (p."end" IS NULL OR c.day < p."end")), p."end") AS "end", p.amount FROM paid p""")
        con.execute("""CREATE VIEW subs AS SELECT *, epoch(start)::BIGINT AS start_t, epoch("end")::BIGINT AS end_t FROM subs_days""")
        con.execute("CREATE VIEW people AS SELECT account_id AS subscriber, strptime(created_on, '%d-%m-%Y')::DATE AS signup FROM accounts")
        result = figures(con, "2023-01", "2024-12")
    elif name == "stripe-like":
        con.execute(f"""CREATE VIEW customers AS SELECT * FROM read_csv('{folder}/customers.csv', header=true, all_varchar=true)""")
        con.execute(f"""CREATE VIEW raw AS SELECT * FROM read_csv('{folder}/subscriptions.csv', header=true, all_varchar=true)""")
        con.execute(f"""CREATE VIEW invoices AS SELECT * FROM read_csv('{folder}/invoices.csv', header=true, all_varchar=true)""")
        # Days of epoch seconds in UTC; MRR counts from the trial's end; a yearly price over 12 months.
        con.execute("""CREATE VIEW subs AS SELECT customer AS subscriber,
                       CAST(to_timestamp(CAST(COALESCE(NULLIF(trial_end, ''), start_date) AS BIGINT)) AT TIME ZONE 'UTC' AS DATE) AS start,
                       CASE WHEN ended_at IS NULL OR ended_at = '' THEN NULL
                            ELSE CAST(to_timestamp(CAST(ended_at AS BIGINT)) AT TIME ZONE 'UTC' AS DATE) END AS "end",
                       CAST(plan_amount AS DOUBLE) * CAST(quantity AS DOUBLE) / CASE WHEN plan_interval = 'year' THEN 1200 ELSE 100 END AS amount,
                       CAST(COALESCE(NULLIF(trial_end, ''), start_date) AS BIGINT) AS start_t,
                       CAST(NULLIF(ended_at, '') AS BIGINT) AS end_t
                       FROM raw WHERE status <> 'incomplete_expired'""")
        con.execute("""CREATE VIEW people AS SELECT id AS subscriber,
                       CAST(to_timestamp(CAST(created AS BIGINT)) AT TIME ZONE 'UTC' AS DATE) AS signup FROM customers""")
        result = figures(con, "2023-01", "2024-12")
        # Payments: each invoice paid or uncollectible (open counts as failed) is an attempt; the
        # initial attempt of a (subscription, month) is its earliest.
        row = con.execute("""
            WITH attempts AS (
                SELECT subscription, CAST(created AS BIGINT) AS t, status = 'paid' AS ok,
                       date_trunc('month', to_timestamp(CAST(created AS BIGINT)) AT TIME ZONE 'UTC') AS m, id
                FROM invoices WHERE status IN ('paid', 'uncollectible', 'open')
                  AND CAST(created AS BIGINT) >= 1672531200 AND CAST(created AS BIGINT) <= 1735689599),
            ranked AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY subscription, m ORDER BY t, id) AS position FROM attempts),
            initial AS (SELECT * FROM ranked WHERE position = 1)
            SELECT (SELECT COUNT(*) FROM initial WHERE NOT ok), (SELECT COUNT(*) FROM initial),
                   (SELECT COUNT(*) FROM initial i WHERE NOT ok AND EXISTS (
                        SELECT 1 FROM attempts a WHERE a.subscription = i.subscription AND a.ok AND a.t > i.t AND a.t <= i.t + 604800)),
                   (SELECT COUNT(*) FROM attempts WHERE ok), (SELECT COUNT(*) FROM attempts)""").fetchone()
        result["payments.failure_rate"] = row[0] / row[1]
        result["payments.recovered_7d"] = row[2] / row[0]
        result["payments.success_rate"] = row[3] / row[4]
        # Engagement: subscriber-months active at the month end, engaged with an event in the month.
        con.execute(f"""CREATE VIEW events AS SELECT customer AS subscriber, CAST(occurred_at_ms AS BIGINT) // 1000 AS t
                        FROM read_csv('{folder}/events.csv', header=true, all_varchar=true)""")
        row = con.execute("""
            WITH active AS (
                SELECT DISTINCT l.subscriber, e.month, e.day FROM lives l JOIN month_ends e
                ON l.start <= e.day AND (l."end" IS NULL OR l."end" > e.day)),
            counts AS (
                SELECT a.subscriber, a.month, (SELECT COUNT(*) FROM events v WHERE v.subscriber = a.subscriber
                    AND v.t >= epoch(a.month) AND v.t < epoch(a.day + INTERVAL 1 DAY) AND v.t <= 1735689599) AS n FROM active a)
            SELECT COUNT(*), COUNT(*) FILTER (WHERE n > 0), SUM(n) FROM counts""").fetchone()
        result["engagement.engaged_share"] = row[1] / row[0]
        # MRR at the last month end by the price each subscription refers to (the prices dimension).
        by_price = [r[0] for r in con.execute("""
            SELECT SUM(round(CAST(plan_amount AS DOUBLE) * CAST(quantity AS DOUBLE) / CASE WHEN plan_interval = 'year' THEN 1200 ELSE 100 END * 100))::BIGINT
            FROM raw r WHERE status <> 'incomplete_expired'
              AND CAST(to_timestamp(CAST(COALESCE(NULLIF(trial_end, ''), start_date) AS BIGINT)) AT TIME ZONE 'UTC' AS DATE) <= DATE '2024-12-31'
              AND (ended_at IS NULL OR ended_at = '' OR CAST(to_timestamp(CAST(ended_at AS BIGINT)) AT TIME ZONE 'UTC' AS DATE) > DATE '2024-12-31')
            GROUP BY plan_id HAVING SUM(round(CAST(plan_amount AS DOUBLE) * CAST(quantity AS DOUBLE) / CASE WHEN plan_interval = 'year' THEN 1200 ELSE 100 END * 100)) > 0
            ORDER BY 1 DESC""").fetchall()]
        result["revenue.prices.mrr_top10_share"] = sum(by_price[:(len(by_price) + 9) // 10]) / sum(by_price)
        result["engagement.events_per_active_month"] = row[2] / row[0]
    else:
        raise SystemExit(f"unknown example {name}")
    json.dump({"metrics": result}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
