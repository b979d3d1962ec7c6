#!/usr/bin/env python3
"""Reference Kaplan-Meier estimates from lifelines (KaplanMeierFitter, exponential Greenwood
intervals, alpha 0.05), for the auditor's tests.

Run by hand: python3 scripts/reference/kaplan_meier.py > Tests/AuditorTests/Fixtures/kaplan_meier.json
Requires: pip install lifelines numpy
"""
import json

import lifelines
import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_waltons


def case(name, durations, observed, entry=None, times=(1, 3, 6, 12)):
    kmf = KaplanMeierFitter()
    kmf.fit(durations, event_observed=observed, entry=entry)
    points = []
    for t in times:
        s = float(kmf.survival_function_at_times(t).iloc[0])
        ci = kmf.confidence_interval_survival_function_.loc[:t]
        lower, upper = (1.0, 1.0) if ci.empty else (float(ci.iloc[-1, 0]), float(ci.iloc[-1, 1]))
        points.append({"time": t, "survival": s, "lower": lower, "upper": upper})
    return {"name": name, "durations": [float(x) for x in durations], "observed": [bool(x) for x in observed],
            "entry": None if entry is None else [float(x) for x in entry], "points": points}


cases = []
waltons = load_waltons()
cases.append(case("waltons", waltons["T"].values, waltons["E"].values, times=(6, 13, 30, 45, 60)))

rng = np.random.default_rng(7)
n = 400
durations = np.round(rng.exponential(14, n), 3) + 0.01
observed = rng.random(n) < 0.7
entry = np.where(rng.random(n) < 0.4, np.round(rng.uniform(0, 1, n) * durations * 0.8, 3), 0.0)
cases.append(case("truncated", durations, observed, entry=entry, times=(1, 3, 6, 12, 24)))

small = case("small", [1, 2, 2, 3, 4, 5, 5, 6, 8, 9], [1, 1, 0, 1, 0, 1, 1, 0, 1, 0], times=(1, 2, 5, 8.5))
cases.append(small)

print(json.dumps({"lifelines": lifelines.__version__, "cases": cases}, indent=1, sort_keys=True))
