#!/usr/bin/env python3
"""Reference values for the seasonal regression (SPEC 3.2) from statsmodels: coefficients,
classical standard errors and 95% intervals of log y = a + b t + c_Q4 + c_Jan + c_Sum, plus
Student t quantiles from scipy, for the auditor's tests.

Run by hand: python3 scripts/reference/seasonal_ols.py > Tests/AuditorTests/Fixtures/seasonal_ols.json
Requires: pip install statsmodels scipy numpy
"""
import json

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats


def design(months):
    return np.array([[1, i, m >= 10, m == 1, 6 <= m <= 8] for i, m in enumerate(months)], dtype=float)


def case(name, values, months):
    values = [round(float(v), 6) for v in values]
    fit = sm.OLS(np.log(values), design(months)).fit()
    ci = fit.conf_int(alpha=0.05)
    return {"name": name, "values": values, "months": months,
            "params": [float(x) for x in fit.params], "bse": [float(x) for x in fit.bse],
            "ci_lower": [float(x) for x in ci[:, 0]], "ci_upper": [float(x) for x in ci[:, 1]],
            "df_resid": int(fit.df_resid)}


months24 = [m for _ in range(2) for m in range(1, 13)]
rng = np.random.default_rng(11)
t = np.arange(24)
month = np.array(months24)
truth = 500 * np.exp(0.03 * t) * np.where(month >= 10, 1.2, 1) * np.where(month == 1, 1.1, 1) * np.where((month >= 6) & (month <= 8), 0.92, 1)
cases = [
    case("known_lifts_noisy", truth * np.exp(rng.normal(0, 0.05, 24)), months24),
    case("with_spike", np.where(t == 7, truth * 1.8, truth) * np.exp(rng.normal(0, 0.02, 24)), months24),
    case("thirty_six_months", 80 * np.exp(0.01 * np.arange(36)) * np.exp(rng.normal(0, 0.1, 36)),
         [m for _ in range(3) for m in range(1, 13)]),
]
quantiles = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df))}
             for df in (1, 2, 5, 19, 31, 100) for p in (0.5, 0.9, 0.975, 0.995, 0.025)]
print(json.dumps({"statsmodels": statsmodels.__version__, "scipy": scipy.__version__, "cases": cases,
                  "quantiles": quantiles}, indent=1, sort_keys=True))
