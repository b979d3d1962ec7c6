#!/usr/bin/env python3
"""Recomputes the report's power-law figures (revenue.powerlaw.*) with the `powerlaw` package
from the raw transactions, and prints them side by side with the report's.

Run by hand: python3 scripts/check/power_law.py data/creators reports/creators/report.json
Requires: pip install powerlaw pandas
"""
import json
import sys

import pandas as pd
import powerlaw


def main():
    folder, report = sys.argv[1:3]
    t = pd.read_csv(f"{folder}/transactions.csv", usecols=["creator_id", "transaction_type", "transaction_status",
                                                           "gross_amount_usd", "transaction_at"])
    t = t[(t.transaction_type == "pledge_payment") & (t.transaction_status == "succeeded")
          & (t.transaction_at >= "2023-01-01") & (t.transaction_at <= "2024-12-31 23:59:59")]
    cents = (t.gross_amount_usd * 100).round().astype("int64").groupby(t.creator_id).sum()
    revenue = (cents[cents > 0] / 100).tolist()
    fit = powerlaw.Fit(revenue, verbose=False)
    ratio, p = fit.distribution_compare("power_law", "lognormal", normalized_ratio=True)
    theirs = {"alpha": fit.power_law.alpha, "xmin": fit.power_law.xmin, "n_tail": fit.power_law.n,
              "ks_distance": fit.power_law.D, "lr_lognormal": ratio, "p_lognormal": p}
    metrics = json.load(open(report))["metrics"]
    worst = 0.0
    for key, value in theirs.items():
        ours = metrics[f"revenue.powerlaw.{key}"]["value"]
        difference = abs(ours - value) / max(abs(value), 1e-12)
        worst = max(worst, difference)
        print(f"{key:<13} synthaudit {ours:>16.9f}   powerlaw {float(value):>16.9f}   relative difference {difference:.1e}")
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()
