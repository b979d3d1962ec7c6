#!/usr/bin/env python3
"""The audit benchmark: on one creator-economy dataset, side by side and as whole processes,
- `synthaudit audit` (every metric, data test, statistic, anomaly and chart, reports written),
- DuckDB computing the same descriptive metrics with SQL over the same CSV files
  (scripts/bench/creators_metrics.sql through duckdb_metrics.py, its results compared with the
  auditor's report.json so that both computed the same thing),
- `csvscan`, a bare libcsv scan of the same files (the parsing floor of any libcsv reader).

Usage: audit_vs_duckdb.py --bin SYNTHAUDIT --scan CSVSCAN --data DIR [--runs N] [--label TEXT]
Prints per step the median wall time over N runs (after one warm-up run), MB/s and rows/s over
the files' bytes and rows, the median peak resident memory, and the ratios auditor / DuckDB and
auditor / bare scan. Exits 1 if DuckDB's metrics disagree with the auditor's.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timeit import run_once  # noqa: E402


def measure(command, runs, prepare=None):
    results = []
    for attempt in range(runs + 1):
        if prepare:
            prepare()
        wall, rss = run_once(command)
        if attempt > 0:  # the first run warms the page cache and is not counted
            results.append((wall, rss))
    walls = [wall for wall, _ in results]
    return statistics.median(walls), min(walls), max(walls), statistics.median(rss for _, rss in results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    files = sorted(os.path.join(args.data, name) for name in os.listdir(args.data) if name.endswith(".csv"))
    size = sum(os.path.getsize(path) for path in files)
    scan = json.loads(subprocess.run([args.scan, *files], check=True, capture_output=True, text=True).stdout)
    rows = scan["rows"] - scan["files"]  # without the header rows

    work = tempfile.mkdtemp(prefix="synthaudit-audit-bench.")
    report = os.path.join(work, "report")

    def clean_report():
        subprocess.run(["rm", "-rf", report], check=True)

    audit = measure([args.bin, "audit", args.data, "--out", report, "--quiet"], args.runs, clean_report)
    duckdb_command = [sys.executable, os.path.join(here, "duckdb_metrics.py"), args.data]
    duckdb = measure(duckdb_command, args.runs)
    bare = measure([args.scan, *files], args.runs)

    # The comparison that makes the timing honest: DuckDB's figures equal the auditor's.
    clean_report()
    subprocess.run([args.bin, "audit", args.data, "--out", report, "--quiet"], check=False)
    check = subprocess.run(duckdb_command + ["--report", os.path.join(report, "report.json")], capture_output=True, text=True)
    subprocess.run(["rm", "-rf", work], check=True)

    print(f"Audit of {args.label or args.data}: {len(files)} files, {size / 1e6:,.0f} MB, {rows:,} rows; "
          f"median of {args.runs} runs after a warm-up")
    print(f"  {'step':<44} {'median':>9} {'min..max':>14} {'MB/s':>7} {'Mrows/s':>8} {'peak RSS':>10}")
    for name, (median, low, high, rss) in [("synthaudit audit (everything, reports written)", audit),
                                           ("DuckDB, same metrics in SQL (duckdb_metrics.py)", duckdb),
                                           ("bare libcsv scan (csvscan, no field work)", bare)]:
        print(f"  {name:<44} {median:8.2f}s {low:6.2f}..{high:<6.2f} {size / 1e6 / median:7.0f} {rows / 1e6 / median:8.2f} "
              f"{rss:7.0f} MiB")
    print(f"  ratio auditor / DuckDB: {audit[0] / duckdb[0]:.2f} (goal <= 1.00); "
          f"auditor / bare scan: {audit[0] / bare[0]:.2f} (goal <= 1.25)")
    if check.returncode != 0:
        print("  DuckDB's metrics DIFFER from the auditor's:\n" + check.stdout + check.stderr)
        sys.exit(1)
    lines = [line for line in check.stdout.splitlines() if line.startswith("{")]
    compared = json.loads(lines[0]).get("metrics", "?") if lines else "?"
    print(f"  DuckDB's {compared} metrics equal the auditor's report to 1e-9")


if __name__ == "__main__":
    main()
