#!/usr/bin/env python3
"""How far the concentration and retention figures move from one generator seed to the next,
against the standard error the report gives them (Documentation/metrics.md, "Intervals of
concentration and retention").

Generates the creator dataset at scale 1 for each seed, audits it, and prints for each figure
the mean and standard deviation over the seeds beside the mean of the report's standard error.
A standard deviation well below the standard error means the generator draws those units less
freely than independently (creator sizes are stratified by rank); one near it, that the
interval describes the seed-to-seed spread.

Run by hand: python3 scripts/check/interval_spread.py --bin .build/release/synthaudit [--seeds 12]
"""
import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

FIGURES = ["revenue.top10_share", "revenue.top1_share", "revenue.gini", "revenue.mrr_top10_share",
           "revenue.nrr.trailing12", "revenue.grr.trailing12"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args()
    values = {figure: [] for figure in FIGURES}
    errors = {figure: [] for figure in FIGURES}
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(1, args.seeds + 1):
            data, out = Path(scratch, f"data{seed}"), Path(scratch, f"report{seed}")
            subprocess.run([args.bin, "generate", "creators", "--seed", str(seed), "--out", str(data), "--quiet"], check=True)
            # Exit status 1 is a failed band check (seeds other than the default one may miss a band).
            audit = subprocess.run([args.bin, "audit", str(data), "--out", str(out), "--quiet"])
            if audit.returncode not in (0, 1):
                raise SystemExit(f"audit of seed {seed} exited with {audit.returncode}")
            metrics = json.loads(Path(out, "report.json").read_text())["metrics"]
            for figure in FIGURES:
                values[figure].append(metrics[figure]["value"])
                errors[figure].append(metrics[figure]["se"])
            subprocess.run(["rm", "-rf", str(data), str(out)], check=True)
    print(f"{'figure':28} {'seeds':>5} {'mean':>8} {'sd':>8} {'mean se':>8} {'sd / se':>8}")
    for figure in FIGURES:
        sd, se = statistics.stdev(values[figure]), statistics.mean(errors[figure])
        print(f"{figure:28} {len(values[figure]):>5} {statistics.mean(values[figure]):8.4f} {sd:8.4f} {se:8.4f} {sd / se:8.2f}")


if __name__ == "__main__":
    main()
