#!/usr/bin/env python3
"""Reference robust statistics for the auditor's tests (Sources/Auditor/Statistics/RobustStatistics.swift):

- median: numpy.median; MAD: scipy.stats.median_abs_deviation(x) * 1.4826 (R's mad() constant);
  robust z-scores (x - median) / MAD, falling back to 1.253314 * mean |x - median| when the MAD is 0
  (a numpy transcription of that rule: no package has it with R's constant);
- Theil-Sen: scipy.stats.theilslopes(y, x) (default method "separate": intercept = median(y) - slope median(x));
- classic generalized ESD (Rosner 1983): PyAstronomy's pyasl.generalizedESD(x, maxOLs, alpha=0.05,
  fullOutput=True, ubvar=True), on Rosner's data from the NIST e-Handbook (section 1.3.5.17.3), checked
  against the table the handbook publishes, and on normal samples with injected outliers;
- hybrid ESD (S-H-ESD, Hochenbaum, Vallis & Kejariwal 2017): a line-by-line transcription of the loop of
  detect_anoms in Twitter's R package AnomalyDetection (two-tailed), since no Python package has it.

Inputs are rounded to 6 decimals, so the JSON round-trips them exactly.
Run by hand from the repository root: python3 scripts/reference/robust.py
(writes Tests/AuditorTests/Fixtures/robust.json).
Requires: pip install PyAstronomy scipy numpy
Generated with Python 3.11.7, numpy 2.4.6, scipy 1.17.1, PyAstronomy 0.25.0.
"""
import json
import os
import platform
import warnings

import numpy as np
import PyAstronomy
import scipy
from PyAstronomy import pyasl
from scipy import stats

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "AuditorTests", "Fixtures",
                      "robust.json")


def rounded(values):
    return [round(float(v), 6) for v in values]


# --- Median, MAD, z-scores ---------------------------------------------------------------------------

def mad(x):
    return float(stats.median_abs_deviation(x) * 1.4826)


def median_case(name, values):
    x = np.asarray(rounded(values))
    center, scale = float(np.median(x)), mad(x)
    # R's 1.4826 is not scipy's scale="normal" (1 / Phi^-1(3/4) = 1.482602218...): 1.5e-6 apart, which a
    # 1e-9 comparison tells apart.
    if scale > 0:
        assert abs(stats.median_abs_deviation(x, scale="normal") / scale - 1.482602218505602 / 1.4826) < 1e-12
    if scale == 0:
        scale = 1.253314 * float(np.mean(np.abs(x - center)))
    z = [float(v) for v in (x - center) / scale] if scale > 0 else None
    return {"name": name, "values": [float(v) for v in x], "median": center, "mad": mad(x), "z": z}


rng = np.random.default_rng(21)
medians = [
    median_case("odd", rng.normal(5, 2, 11)),
    median_case("even", rng.normal(-3, 0.5, 12)),
    median_case("ties", np.round(rng.normal(0, 2, 15) * 2) / 2),
    median_case("outlier", np.append(rng.normal(100, 10, 20), 1e4)),
    median_case("mad_zero", [3, 3, 3, 3, 3, 4, 10, 3, 1]),
    median_case("constant", [2.5] * 5),
    median_case("single", [7.0]),
]
assert medians[4]["mad"] == 0 and medians[4]["z"] is not None
assert medians[5]["z"] is None and medians[6]["z"] is None


# --- Theil-Sen ---------------------------------------------------------------------------------------

def theil_sen_case(name, x, y):
    x, y = np.asarray(rounded(x)), np.asarray(rounded(y))
    result = stats.theilslopes(y, x)
    return {"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
            "slope": float(result.slope), "intercept": float(result.intercept)}


rng = np.random.default_rng(22)
t24 = np.arange(24.0)
spiked = 3 + 0.8 * t24 + rng.normal(0, 1, 24)
spiked[[2, 9, 15, 20]] += [50, -40, 65, 80]
repeated = rng.integers(0, 10, 30).astype(float)
t731 = np.arange(731.0)
daily = 100 + 0.05 * t731 + 5 * np.sin(2 * np.pi * t731 / 7) + rng.normal(0, 2, 731)
spikes = rng.choice(731, 37, replace=False)
daily[spikes] *= rng.uniform(2, 6, 37)
unsorted = rng.uniform(-10, 10, 40)
theil_sen = [
    theil_sen_case("linear_noise_24", t24, 3 + 0.8 * t24 + rng.normal(0, 1, 24)),
    theil_sen_case("outliers_24", t24, spiked),
    theil_sen_case("repeated_x_30", repeated, 12 - 1.5 * repeated + rng.normal(0, 0.8, 30)),
    theil_sen_case("unsorted_x_40", unsorted, -0.25 * unsorted + rng.standard_t(2, 40)),
    theil_sen_case("daily_spikes_731", t731, daily),
]


# --- Classic generalized ESD (PyAstronomy) -----------------------------------------------------------

# Rosner (1983), as tabulated in the NIST/SEMATECH e-Handbook, section 1.3.5.17.3 (54 values).
ROSNER = [-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56, 1.58, 1.65, 1.69,
          1.70, 1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10, 2.14, 2.15, 2.23, 2.24, 2.26, 2.35,
          2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92, 2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64,
          5.34, 5.42, 6.01]
# The handbook's summary table for up to 10 outliers at alpha 0.05, its values cut (not rounded) to three
# decimals; it concludes there are 3 outliers:
#   i   R_i    lambda_i
#   1   3.118  3.158
#   2   2.942  3.151
#   3   3.179  3.143
#   4   2.810  3.136
#   5   2.815  3.128
#   6   2.848  3.120
#   7   2.279  3.111
#   8   2.310  3.103
#   9   2.101  3.094
#  10   2.067  3.085
NIST_R = [3.118, 2.942, 3.179, 2.810, 2.815, 2.848, 2.279, 2.310, 2.101, 2.067]
NIST_LAMBDA = [3.158, 3.151, 3.143, 3.136, 3.128, 3.120, 3.111, 3.103, 3.094, 3.085]


def classic_case(name, values, max_outliers):
    x = np.asarray(rounded(values))
    # ubvar=True: the sample standard deviation (ddof 1) of Rosner and NIST. PyAstronomy's default,
    # ubvar=False, divides by n and gives other R values (3.148 instead of 3.118 at step 1 of Rosner's data).
    count, outliers, r, lam, removed = pyasl.generalizedESD(x, max_outliers, alpha=0.05, fullOutput=True,
                                                            ubvar=True)
    # PyAstronomy computes one more R than it tests (removed has max_outliers + 1 entries); R and lambda
    # have max_outliers.
    assert len(r) == len(lam) == max_outliers and len(removed) == max_outliers + 1
    return {"name": name, "values": [float(v) for v in x], "max_outliers": max_outliers, "alpha": 0.05,
            "count": int(count), "outliers": [int(i) for i in outliers], "removed": [int(i) for i in removed[:-1]],
            "R": [float(v) for v in r], "lambda": [float(v) for v in lam]}


def injected(seed, n, positions, shifts):
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 1, n)
    x[positions] += shifts
    return x


classic = [
    classic_case("rosner", ROSNER, 10),
    classic_case("normal_3_injected", injected(31, 100, [7, 50, 93], [6, -7, 8]), 10),
    classic_case("normal_clean", injected(32, 60, [], []), 5),
    classic_case("normal_two_sided_200", injected(33, 200, [0, 40, 41, 120, 199, 150], [-9, 7, 7.5, -6, 10, 5]), 20),
    classic_case("symmetric_ties", [-6, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 6], 3),
]
rosner = classic[0]
assert rosner["count"] == 3 and rosner["outliers"] == [53, 52, 51]
for ours, published in zip(rosner["R"] + rosner["lambda"], NIST_R + NIST_LAMBDA):
    assert 0 <= ours - published < 1e-3, (ours, published)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    biased = pyasl.generalizedESD(np.asarray(ROSNER), 10, alpha=0.05, fullOutput=True)
assert abs(biased[2][0] - NIST_R[0]) > 0.02
assert classic[-1]["removed"][0] == 0  # |-6 - 0| = |6 - 0|: the first index wins, as numpy's argmax.


# --- Hybrid ESD (transcription of AnomalyDetection's detect_anoms) -----------------------------------

def r_mad(x):
    # R's mad(x): 1.4826 * median(abs(x - median(x))).
    return 1.4826 * np.median(np.abs(x - np.median(x)))


def detect_anoms_loop(values, max_outliers, alpha=0.05):
    """The ESD loop of detect_anoms (AnomalyDetection/R/detect_anoms.R) with one_tail = FALSE, transcribed
    line by line from R (1-based i kept; data[[1L]] is the index column, data[[2L]] the values). The R
    function keeps only R_idx; the R and lam of every step are recorded here as well."""
    index = np.arange(len(values))                       # data[[1L]]
    data = np.asarray(values, dtype=float)               # data[[2L]]
    n = len(data)                                        # n <- length(data[[2L]])
    R_idx = []                                           # R_idx <- 1L:max_outliers
    num_anoms = 0                                        # num_anoms <- 0L
    Rs, lams = [], []
    for i in range(1, max_outliers + 1):                 # for (i in 1L:max_outliers){
        ares = np.abs(data - np.median(data))            # ares = abs(data[[2L]] - func_ma(data[[2L]]))
        data_sigma = r_mad(data)                         # data_sigma <- func_sigma(data[[2L]])
        if data_sigma == 0:                              # if(data_sigma == 0)
            break                                        #   break
        ares = ares / data_sigma                         # ares <- ares/data_sigma
        R = np.max(ares)                                 # R <- max(ares)
        temp_max_idx = np.flatnonzero(ares == R)[0]      # temp_max_idx <- which(ares == R)[1L]
        R_idx.append(int(index[temp_max_idx]))           # R_idx[i] <- data[[1L]][temp_max_idx]
        keep = index != R_idx[-1]                        # data <- data[-which(data[[1L]] == R_idx[i]), ]
        index, data = index[keep], data[keep]
        p = 1 - alpha / (2 * (n - i + 1))                # p <- 1 - alpha/(2*(n-i+1))
        t = stats.t.ppf(p, n - i - 1)                    # t <- qt(p,(n-i-1L))
        lam = t * (n - i) / np.sqrt(((n - i - 1) + t ** 2) * (n - i + 1))  # lam <- t*(n-i) / sqrt(((n-i-1)+t**2)*(n-i+1))
        Rs.append(float(R))
        lams.append(float(lam))
        if R > lam:                                      # if(R > lam)
            num_anoms = i                                #   num_anoms <- i
    return num_anoms, R_idx, Rs, lams


def hybrid_case(name, values, max_outliers):
    x = np.asarray(rounded(values))
    count, removed, r, lam = detect_anoms_loop(x, max_outliers)
    return {"name": name, "values": [float(v) for v in x], "max_outliers": max_outliers, "alpha": 0.05,
            "count": count, "outliers": removed[:count], "removed": removed, "R": r, "lambda": lam}


rng = np.random.default_rng(41)
daily_residuals = rng.normal(0, 3, 731)
daily_residuals[rng.choice(731, 12, replace=False)] += rng.choice([-1, 1], 12) * rng.uniform(15, 40, 12)
hybrid = [
    hybrid_case("rosner", ROSNER, 10),
    # max_outliers = trunc(0.49 n), detect_anoms' default k.
    hybrid_case("normal_spikes_120", injected(42, 120, [3, 30, 31, 77], [8, -6, 6.5, 12]), int(0.49 * 120)),
    hybrid_case("daily_residuals_731", daily_residuals, 30),
    hybrid_case("symmetric_ties", [-6, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 6], 3),
    # The MAD is 0 once the 50 is gone: the loop stops after one step.
    hybrid_case("mad_collapse", [0, 1, 0, 2, 0, 3, 0, -1, 0, -2, 0, 50], 5),
]
assert len(hybrid[-1]["R"]) == 1 and hybrid[-1]["outliers"] == [11]
assert hybrid[3]["removed"][0] == 0

fixture = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
           "pyastronomy": PyAstronomy.__version__ if hasattr(PyAstronomy, "__version__") else None,
           "median_mad": medians, "theil_sen": theil_sen, "esd_classic": classic, "esd_hybrid": hybrid,
           "nist_rosner": {"R": NIST_R, "lambda": NIST_LAMBDA}}
with open(OUTPUT, "w") as file:
    json.dump(fixture, file, indent=1, sort_keys=True)
    file.write("\n")
