#!/usr/bin/env python3
"""Reference values for the slice scan (Sources/Auditor/Anomalies/SliceScan.swift):
- binomial tails: scipy.stats.binom (integer counts) and scipy.special.betainc (the continuous
  counts the quasi-binomial shrinkage gives), two-sided as twice the smaller tail, at most 1;
- Benjamini-Hochberg: statsmodels' multipletests(method="fdr_bh") on p-values with ties;
- counts: statsmodels' test_poisson_2indep(method="exact-cond"), the conditional test of a
  day's count against m reference days' total (exposures 1 and m), two-sided as twice the
  smaller one-sided p-value (the scan's binomial tail on k of k + R trials at 1 / (m + 1)).

Run by hand: python3 scripts/reference/slice_scan.py > Tests/AuditorTests/Fixtures/slice_scan.json
Requires: pip install scipy statsmodels
"""
import json
import random

import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep

tails = []
for k, n, p in [(0, 10, 0.1), (3, 10, 0.1), (10, 10, 0.1), (40, 500, 0.07), (80, 500, 0.07), (12, 500, 0.07),
                (250, 3800, 0.07), (700, 3800, 0.07), (2, 6, 0.05), (1, 2000, 0.001), (17.5, 41.25, 0.2), (0.4, 3.3, 0.3)]:
    upper = 1.0 if k <= 0 else float(special.betainc(k, n - k + 1, p))
    lower = 1.0 if k >= n else float(special.betainc(n - k, k + 1, 1 - p))
    if float(k).is_integer() and float(n).is_integer():
        assert abs(upper - stats.binom.sf(k - 1, int(n), p)) < 1e-12 * max(1, upper)
        assert abs(lower - stats.binom.cdf(k, int(n), p)) < 1e-12 * max(1, lower)
    tails.append({"k": k, "n": n, "rate": p, "two_sided": min(1.0, 2 * min(upper, lower))})

random.seed(7)
sets = []
for size in (1, 5, 40, 300):
    values = [random.choice([random.random(), random.random() ** 6, 1e-8 * random.random()]) for _ in range(size)]
    values[0:2] = [0.004, 0.004] if size > 2 else values[0:2]  # ties
    for q in (0.01, 0.05):
        reject, _, _, _ = multipletests(values, alpha=q, method="fdr_bh")
        sets.append({"q": q, "p": values, "rejected": [bool(r) for r in reject]})

counts = []
for k, total, m in [(0, 60, 4), (3, 60, 4), (15, 60, 4), (31, 60, 4), (0, 4, 4), (7, 0, 4), (400, 2400, 4), (520, 2400, 4),
                    (2, 3, 4), (0, 1200, 4)]:
    larger = test_poisson_2indep(k, 1, total, m, method="exact-cond", alternative="larger").pvalue
    smaller = test_poisson_2indep(k, 1, total, m, method="exact-cond", alternative="smaller").pvalue
    counts.append({"k": k, "reference_total": total, "reference_days": m, "two_sided": min(1.0, 2 * min(larger, smaller))})

print(json.dumps({"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "tails": tails, "bh": sets, "counts": counts},
                 indent=2, sort_keys=True))
