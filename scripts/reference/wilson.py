#!/usr/bin/env python3
"""Reference Wilson intervals from statsmodels (proportion_confint, method="wilson", alpha 0.05).

Run by hand: python3 scripts/reference/wilson.py > Tests/AuditorTests/Fixtures/wilson.json
Requires: pip install statsmodels
"""
import json

import statsmodels
from statsmodels.stats.proportion import proportion_confint

cases = [(0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (52, 100), (454, 489), (95, 500), (1, 1000), (999, 1000),
         (12345, 20000), (7, 13)]
rows = []
for k, n in cases:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    rows.append({"successes": k, "n": n, "lower": low, "upper": high})
print(json.dumps({"statsmodels": statsmodels.__version__, "cases": rows}, indent=2, sort_keys=True))
