#!/usr/bin/env python3
"""Reference standard errors of the concentration and retention figures, from scipy's bootstrap.

The auditor gives revenue.gini, the top shares and NRR/GRR a 95% interval from the influence
function of each figure (estimate +- 1.96 se, se^2 = sum of squared influence values / n^2).
This script draws fixed samples (whole cents, heavy-tailed as revenue is), writes them with
scipy.stats.bootstrap's standard error (9,999 resamples, fixed seed) of:
  - the Gini coefficient sum((2i - n - 1) x_(i)) / (n sum x), ascending order, i from 1;
  - the share of the top ceil(n p) values, p = 1%, 10%, 20%;
  - the ratio of two sums over paired values (NRR: revenue now over revenue a year before);
and the tests check the auditor's standard errors against them (to 8%: a bootstrap and an
influence function agree asymptotically, not exactly). It also measures how often the normal
95% interval (estimate +- 1.96 influence se) covers the true Gini and top 10% share of a
lognormal (sigma 1) over 4,000 samples of 400 (heavy tails make it a little short: about 92%
and 91%), and the top 10% share of a Pareto of shape 1.5, 2 and 3 over 2,000 samples of 500
(far shorter below shape 2, where the tail has no variance); the tests check the auditor's
coverage against these rates.

Run by hand: python3 scripts/reference/concentration_intervals.py > Tests/AuditorTests/Fixtures/concentration_intervals.json
Requires: pip install numpy scipy
"""
import json
import math

import numpy as np
import scipy
from scipy import stats


def gini(x):
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * x.sum()))


def top_share(x, p):
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    return float(x[: math.ceil(len(x) * p)].sum() / x.sum())


def bootstrap_se(statistic, data, paired=False):
    result = stats.bootstrap(data, statistic, n_resamples=9999, paired=paired, vectorized=False,
                             method="percentile", random_state=np.random.default_rng(20261202))
    return float(result.standard_error)


rng = np.random.default_rng(7)
samples = []
for name, n, sigma in (("lognormal_500_s1", 500, 1.0), ("lognormal_2000_s1.5", 2000, 1.5), ("lognormal_300_s0.5", 300, 0.5)):
    cents = np.maximum(1, np.round(np.exp(rng.normal(8.0, sigma, n)))).astype(int)
    values = cents.tolist()
    samples.append({
        "name": name,
        "cents": values,
        "gini": gini(values), "gini_se": bootstrap_se(lambda x: gini(x), (cents,)),
        "top1_share": top_share(values, 0.01), "top1_se": bootstrap_se(lambda x: top_share(x, 0.01), (cents,)),
        "top10_share": top_share(values, 0.10), "top10_se": bootstrap_se(lambda x: top_share(x, 0.10), (cents,)),
        "top20_share": top_share(values, 0.20), "top20_se": bootstrap_se(lambda x: top_share(x, 0.20), (cents,)),
    })

# Retention: a year-ago revenue per subscriber, and now: a third churned (0), the rest moved by
# a lognormal factor (expansion and contraction).
ratios = []
for name, n in (("retention_400", 400), ("retention_3000", 3000)):
    base = np.maximum(1, np.round(np.exp(rng.normal(8.0, 1.0, n)))).astype(int)
    kept = rng.random(n) > 0.33
    now = np.where(kept, np.round(base * np.exp(rng.normal(0.05, 0.3, n))), 0).astype(int)
    ratios.append({
        "name": name, "base": base.tolist(), "now": now.tolist(),
        "ratio": float(now.sum() / base.sum()),
        "ratio_se": bootstrap_se(lambda b, c: c.sum() / b.sum(), (base, now), paired=True),
    })


def influence_gini(x):
    x = np.sort(x)
    n = len(x)
    total = x.sum()
    mean = total / n
    below = np.cumsum(x)
    k = np.arange(n)
    a = (x * (k + 1) - below + (total - below) - x * (n - k - 1)) / n
    d = a.mean()
    g = d / (2 * mean)
    influence = (a - d) / mean - g * (x - mean) / mean
    return g, math.sqrt(float(np.sum(influence ** 2))) / n


def influence_top(x, top):
    x = np.sort(x)[::-1]
    n = len(x)
    total = x.sum()
    share = x[:top].sum() / total
    threshold = x[top - 1]
    influence = (np.where(x > threshold, x - threshold, 0) + top / n * threshold - share * x) / (total / n)
    return share, math.sqrt(float(np.sum(influence ** 2))) / n


z = stats.norm.ppf(0.975)
sigma = 1.0
true_gini = math.erf(sigma / 2)
true_top10 = 1 - stats.norm.cdf(stats.norm.ppf(0.9) - sigma)
coverage_rng = np.random.default_rng(2026)
covered = {"gini": 0, "top10": 0}
draws = 4000
for _ in range(draws):
    x = coverage_rng.lognormal(0, sigma, 400)
    g, g_se = influence_gini(x)
    t, t_se = influence_top(x, 40)
    covered["gini"] += abs(g - true_gini) <= z * g_se
    covered["top10"] += abs(t - true_top10) <= z * t_se
coverage = {"n": 400, "samples": draws, "sigma": sigma,
            "gini": covered["gini"] / draws, "top10": covered["top10"] / draws}

# A Pareto tail of shape alpha < 2 has no variance: the top share's influence has none either,
# and the normal interval covers far less than 95%.
pareto = []
for alpha in (1.5, 2.0, 3.0):
    top_share_true = 0.1 ** (1 - 1 / alpha)
    hits = 0
    for _ in range(2000):
        x = (1 - coverage_rng.random(500)) ** (-1 / alpha)
        t, t_se = influence_top(x, 50)
        hits += abs(t - top_share_true) <= z * t_se
    pareto.append({"alpha": alpha, "n": 500, "samples": 2000, "top10_true": top_share_true, "top10": hits / 2000})

print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__, "samples": samples, "ratios": ratios,
                  "coverage": coverage, "pareto": pareto},
                 indent=1, sort_keys=True))
