#!/usr/bin/env python3
"""Computes the creator-economy metrics of SPEC section 9 with DuckDB SQL (creators_metrics.sql)
and the seasonal lifts by least squares, and prints them as JSON.

Usage: creators_metrics.py DATASET_DIR [--bands]   (--bands also prints each band check)
Requires: pip install duckdb numpy
"""
import json
import math
import pathlib
import sys

import duckdb
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent

BANDS = {
    "mrr.growth": (0.40, 0.60),
    "churn.monthly.mean": (0.06, 0.08),
    "churn.hazard.m1": (0.22, 0.28),
    "churn.hazard.m2_3": (0.09, 0.15),
    "churn.hazard.m4_12": (0.03, 0.09),
    "churn.hazard.m13_plus": (0.02, 0.04),
    "churn.reason.voluntary": (0.50, 0.60),
    "churn.reason.payment_failed": (0.30, 0.40),
    "churn.reason.creator_removed": (0.05, 0.15),
    "payments.failure_rate": (0.06, 0.10),
    "payments.recovered_7d": (0.50, 0.70),
    "payments.success_rate": (0.90, 0.94),
    "payments.card_expiry_ratio": (1.5, math.inf),
    "billing.day1_3_share": (0.65, 0.75),
    "seasonality.q4_lift": (0.15, 0.25),
    "seasonality.jan_lift": (0.05, 0.15),
    "seasonality.summer_lift": (-0.10, -0.05),
    "revenue.top10_share": (0.55, 0.65),
    "creators.emerging_under20_share": (0.35, 0.45),
    "growth.established_median": (0.03, 0.08),
    "growth.top_median": (0.01, 0.03),
    "posting.high_churn_ratio": (0.5, 0.7),
    "posting.low_churn_ratio": (1.7, 2.3),
    "engagement.tier1_rate": (0.25, 0.35),
    "engagement.tier2_rate": (0.45, 0.55),
    "engagement.tier3_rate": (0.65, 0.75),
    "engagement.no_engagement_churn_ratio": (1.5, math.inf),
}


INTEGRITY_RULES = {
    "unique.ids", "pledge.references", "transaction.references", "patron.first_pledge_at", "creator.first_pledge_received_at",
    "creator.last_post_at", "payment.amount_matches_pledge", "payment.amount_matches_pledge_97pct", "engagement.while_pledged", "engagement.post_of_creator_before_event",
    "post.after_creator_created", "patron.one_first_pledge", "patron.lifetime_spend", "no_future_timestamps", "window.inside",
    "amounts.positive", "fees.net_equals_gross_minus_fees", "fees.failed_attempts_zero", "fees.platform_rate_by_plan",
    "logical_order", "accepted_values", "status.consistency",
}


def seasonal_lifts(series):
    """log y = a + b t + c_Q4 [Oct-Dec] + c_Jan [Jan] + c_Sum [Jun-Aug]; lift = exp(c) - 1."""
    keys = sorted(series)
    y = np.log(np.array([series[k] for k in keys], dtype=float))
    months = [int(k[5:7]) for k in keys]
    x = np.column_stack([
        np.ones(len(keys)), np.arange(len(keys)),
        [m >= 10 for m in months], [m == 1 for m in months], [6 <= m <= 8 for m in months],
    ]).astype(float)
    coefficients, *_ = np.linalg.lstsq(x, y, rcond=None)
    return {"q4": math.exp(coefficients[2]) - 1, "jan": math.exp(coefficients[3]) - 1, "summer": math.exp(coefficients[4]) - 1}


def compute(directory):
    text = ((HERE / "creators_metrics.sql").read_text() + "\n" + (HERE / "creators_integrity.sql").read_text()).replace("${DIR}", str(directory))
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    connection = duckdb.connect()
    metrics, series = {}, {}
    for statement in (s.strip() for s in code.split(";")):
        if not statement:
            continue
        result = connection.execute(statement)
        if not statement.upper().startswith("SELECT"):
            continue
        for metric, value, n in result.fetchall():
            if metric.startswith("series."):
                name, key = metric[len("series."):].split(":")
                series.setdefault(name, {})[key] = value
            elif metric in INTEGRITY_RULES:
                metrics["integrity." + metric] = {"value": value, "n": n}
            elif metric.startswith("engagement.top_category:"):
                metrics["engagement.top_category"] = {"value": metric.split(":")[1], "n": n}
            else:
                metrics[metric] = {"value": value, "n": n}
    lifts = {
        "seasonality.q4_lift": seasonal_lifts(series["new_pledges"])["q4"],
        "seasonality.jan_lift": seasonal_lifts(series["new_patrons"])["jan"],
        "seasonality.summer_lift": seasonal_lifts(series["engagement_per_pledge"])["summer"],
    }
    for key, value in lifts.items():
        metrics[key] = {"value": value, "n": 24}
    return metrics, series


def main():
    directory = pathlib.Path(sys.argv[1])
    metrics, series = compute(directory)
    if "--bands" in sys.argv:
        for metric, (low, high) in BANDS.items():
            value = metrics.get(metric, {}).get("value")
            status = "missing" if value is None else ("pass" if low <= value <= high else "FAIL")
            print(f"{status:7} {metric:42} {value if value is None else round(value, 4)!s:>10}  [{low}, {high}]  n={metrics.get(metric, {}).get('n')}")
        print(f"{'':7} engagement.top_category {metrics['engagement.top_category']}")
        for key in sorted(k for k in metrics if k.startswith("integrity.")):
            print(f"{'ok' if metrics[key]['value'] == 0 else 'BROKEN':7} {key:50} failures {metrics[key]['value']} of {metrics[key]['n']}")
        return
    print(json.dumps({"metrics": metrics, "series": series}, indent=2, sort_keys=True, default=float))


if __name__ == "__main__":
    main()
