#!/usr/bin/env python3
"""Reference continuous power-law fits from powerlaw (Clauset, Shalizi & Newman 2009), for the
auditor's tests: powerlaw.Fit(data) with its defaults (continuous, xmin by minimum KS distance D,
alpha by maximum likelihood) and fit.distribution_compare('power_law', 'lognormal',
normalized_ratio=True).

Values are rounded to 6 decimals before fitting, so the JSON round-trips them exactly.
Run by hand: python3 scripts/reference/power_law.py > Tests/AuditorTests/Fixtures/power_law.json
Requires: pip install powerlaw numpy
"""
import json
import warnings

import numpy as np
import powerlaw


def case(name, values):
    values = np.round(np.asarray(values, dtype=float), 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # verbose=0 only silences the progress output, which would otherwise go to stdout.
        fit = powerlaw.Fit(values, verbose=0)
        ratio, p = fit.distribution_compare("power_law", "lognormal", normalized_ratio=True)
        power_law = fit.power_law
    # The refitted power law agrees with the xmin search (D up to rounding: it rebuilds the tail's CDF).
    assert power_law.alpha == fit.alpha and abs(power_law.D - fit.D) < 1e-12
    return {"name": name, "values": [float(x) for x in values], "xmin": float(fit.xmin),
            "alpha": float(power_law.alpha), "sigma": float(power_law.standard_err),
            "n_tail": int(fit.n_tail), "D": float(fit.D), "R": float(ratio), "p": float(p)}


cases = []
rng = np.random.default_rng(11)
# Pareto with alpha 2.5 from xmin 1: numpy's pareto(a) is the Lomax law, exponent a + 1 after shifting.
cases.append(case("pareto", rng.pareto(1.5, 500) + 1))

rng = np.random.default_rng(12)
cases.append(case("lognormal", rng.lognormal(0.5, 1.0, 500)))

# A lognormal body with a Pareto tail (alpha 2.2) from 8 up.
rng = np.random.default_rng(13)
body = rng.lognormal(1.0, 0.6, 800)
tail = 8 * (rng.pareto(1.2, 200) + 1)
cases.append(case("mixture", np.concatenate([body, tail])))

# Few values, rounded to one decimal so many repeat; a heavy tail (alpha near 1.4), where powerlaw
# refines alpha numerically instead of taking the closed form.
rng = np.random.default_rng(14)
cases.append(case("ties", np.round(rng.pareto(0.4, 60) + 1, 1)))

print(json.dumps({"powerlaw": powerlaw.__version__, "cases": cases}, indent=1, sort_keys=True))
