#!/usr/bin/env python3
"""The benchmark's DuckDB side: computes the creator-economy metrics of SPEC section 9 from the
seven CSV files with scripts/bench/creators_metrics.sql (the same definitions and output rows as the
oracle scripts/check/creators_metrics.sql, written for speed) and prints one JSON line:
{"seconds": wall time of the whole run (connect, CSV reading, every query, the lift fits),
 "peak_rss_mib": peak resident memory of this process, "metrics": how many metrics}.

With --report it compares every metric with the "metrics" object of an auditor's report.json:
numbers to 1e-9 (relative above 1, absolute below: |a - b| <= 1e-9 * max(1, |b|), the end-to-end
tests' rule; the report rounds to 9 decimals) and labels exactly; series are out of scope. Any
mismatch is printed and the exit status is 1. A different n is only noted on stderr: the report's
n follows the auditor's own sample-size convention (mrr.growth: every pledge; here, as in the
oracle, the pledges counted at the two month ends).

Usage: duckdb_metrics.py DATASET_DIR [--report REPORT_JSON] [--threads N] [--print]
Requires: pip install duckdb numpy
"""
import argparse
import json
import os
import pathlib
import resource
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
# The seasonal lifts are the oracle's least-squares fit (scripts/check/creators_metrics.py).
sys.path.insert(0, str(HERE.parent / "check"))
from creators_metrics import seasonal_lifts  # noqa: E402


def compute(directory, threads):
    import duckdb
    sql = (HERE / "creators_metrics.sql").read_text().replace("${DIR}", str(directory))
    # In memory, with memory_limit 3 GB: without it the peak at scale 100 was 3.6 - 3.9 GiB on 2
    # threads (the per (pledge, month) payment aggregate, ~20M groups, is the largest state), too
    # close to the 4 GiB budget and growing with the thread count (thread-local hash tables).
    # With it DuckDB spills a few aggregate partitions to a scratch directory (never the working
    # directory) and peaks near 3.0 GiB, for about 5% more time; scales 1 and 10 never reach it.
    with tempfile.TemporaryDirectory(prefix="duckdb-bench-") as scratch:
        connection = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": "3GB", "temp_directory": scratch})
        metrics, series = {}, {}
        for statement in connection.extract_statements(sql):
            result = connection.execute(statement)
            if statement.type != duckdb.StatementType.SELECT:
                continue
            for metric, value, n in result.fetchall():
                if metric.startswith("series."):
                    name, key = metric[len("series."):].split(":")
                    series.setdefault(name, {})[key] = value
                elif metric.startswith("engagement.top_category:"):
                    metrics["engagement.top_category"] = {"value": metric.split(":", 1)[1], "n": n}
                else:
                    metrics[metric] = {"value": None if value is None else float(value), "n": n}
        connection.close()
    for key, (name, lift) in {"seasonality.q4_lift": ("new_pledges", "q4"), "seasonality.jan_lift": ("new_patrons", "jan"),
                              "seasonality.summer_lift": ("engagement_per_pledge", "summer")}.items():
        metrics[key] = {"value": seasonal_lifts(series[name])[lift], "n": len(series[name])}
    return metrics


def compare(metrics, report_path):
    """The mismatches of values (and, as notes, of n) with the report's metrics."""
    reported = json.loads(pathlib.Path(report_path).read_text())["metrics"]
    mismatches, notes = [], []
    for metric, ours in sorted(metrics.items()):
        theirs = reported.get(metric)
        if theirs is None or "value" not in theirs:
            mismatches.append(f"{metric}: not in the report (duckdb {ours['value']!r})")
            continue
        a, b = ours["value"], theirs["value"]
        if isinstance(a, str) or isinstance(b, str):
            same = a == b
        else:
            same = a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))
        if not same:
            mismatches.append(f"{metric}: duckdb {a!r}, report {b!r}")
        if ours["n"] != theirs.get("n"):
            notes.append(f"note: {metric}: n {ours['n']} here, {theirs.get('n')} in the report")
    return mismatches, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--report", help="an auditor's report.json to compare with")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--print", action="store_true", help="also print the metrics as JSON")
    args = parser.parse_args()
    start = time.perf_counter()
    metrics = compute(pathlib.Path(args.directory).resolve(), args.threads)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # KiB on Linux
    print(json.dumps({"seconds": round(seconds, 3), "peak_rss_mib": round(peak, 1), "metrics": len(metrics)}), flush=True)
    if args.print:
        print(json.dumps(metrics, indent=2, sort_keys=True))
    if args.report:
        mismatches, notes = compare(metrics, args.report)
        for line in notes:
            print(line, file=sys.stderr)
        for line in mismatches:
            print(line)
        if mismatches:
            sys.exit(1)


if __name__ == "__main__":
    main()
