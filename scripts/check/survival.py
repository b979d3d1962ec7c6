#!/usr/bin/env python3
"""Recomputes the report's Kaplan-Meier figures (retention.km.m1/m3/m6/m12) with lifelines
from the raw data, and prints them side by side with the report's.

Run by hand:
  python3 scripts/check/survival.py saas data/day06_saas_metrics.db reports/saas/report.json
  python3 scripts/check/survival.py creators data/creators reports/creators/report.json
Requires: pip install lifelines pandas
"""
import json
import sqlite3
import sys
from datetime import datetime, timezone

import pandas as pd
from lifelines import KaplanMeierFitter

TENURE_DAYS = 30.4375


def saas(path):
    db = sqlite3.connect(path)
    as_of = db.execute("SELECT date(MAX(month), '+1 month', '-1 day') FROM day06_mrr_movements").fetchone()[0]
    rows = db.execute("""
        SELECT c.signup_date,
               CASE WHEN EXISTS (SELECT 1 FROM day06_subscriptions s WHERE s.customer_id = c.customer_id AND s.end_date IS NULL)
                    THEN NULL ELSE (SELECT MAX(end_date) FROM day06_subscriptions s WHERE s.customer_id = c.customer_id) END
        FROM day06_customers c WHERE EXISTS (SELECT 1 FROM day06_subscriptions s WHERE s.customer_id = c.customer_id)
        """).fetchall()
    as_of = pd.Timestamp(as_of)
    durations, observed = [], []
    for signup, churn in rows:
        signup = pd.Timestamp(signup[:10])
        if signup > as_of:
            continue
        ended = churn is not None and pd.Timestamp(churn[:10]) <= as_of
        exit_ = pd.Timestamp(churn[:10]) if ended else as_of + pd.Timedelta(days=1)
        durations.append(max(0, (exit_ - signup).days) / TENURE_DAYS)
        observed.append(ended)
    return durations, observed, None


def creators(folder):
    pledges = pd.read_csv(f"{folder}/pledges.csv", usecols=["started_at", "ended_at"])
    seconds = lambda column: pd.to_datetime(column, format="%Y-%m-%d %H:%M:%S", utc=True).astype("int64") // 10**9
    start = seconds(pledges["started_at"])
    end = seconds(pledges["ended_at"].fillna("2100-01-01 00:00:00"))
    window_start = int(datetime(2023, 1, 1, tzinfo=timezone.utc).timestamp())
    as_of = int(datetime(2024, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp())
    keep = (start <= as_of) & (end > window_start)
    start, end = start[keep], end[keep]
    ended = end <= as_of
    tenure = TENURE_DAYS * 86400
    durations = ((end.where(ended, as_of + 1) - start) / tenure).tolist()
    entry = ((window_start - start).clip(lower=0) / tenure).tolist()
    return durations, ended.tolist(), entry


def main():
    profile, path, report = sys.argv[1:4]
    durations, observed, entry = (saas if profile == "saas" else creators)(path)
    kmf = KaplanMeierFitter().fit(durations, event_observed=observed, entry=entry)
    metrics = json.load(open(report))["metrics"]
    worst = 0.0
    for k in (1, 3, 6, 12):
        ours = metrics[f"retention.km.m{k}"]
        theirs = float(kmf.survival_function_at_times(k).iloc[0])
        ci = kmf.confidence_interval_survival_function_.loc[:k].iloc[-1]
        worst = max(worst, abs(ours["value"] - theirs), abs(ours["ci"][0] - ci.iloc[0]), abs(ours["ci"][1] - ci.iloc[1]))
        print(f"m{k:<3} synthaudit {ours['value']:.9f} [{ours['ci'][0]:.9f}, {ours['ci'][1]:.9f}]   "
              f"lifelines {theirs:.9f} [{ci.iloc[0]:.9f}, {ci.iloc[1]:.9f}]")
    print(f"largest difference {worst:.2e} (report figures carry 9 digits)")
    sys.exit(0 if worst < 1e-8 else 1)


if __name__ == "__main__":
    main()
