#!/usr/bin/env python3
"""How the five injected anomalies fare across seeds: generates each seed's creator dataset,
audits it, and prints per anomaly how often it is detected, obvious and its root cause ranked
first, with the range of its z (Documentation/anomalies.md quotes seeds 1-20 at scale 1).

Usage: anomaly_seeds.py BIN [--seeds 1-20] [--scale 1]
"""
import argparse
import json
import os
import subprocess
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin", help="the synthaudit binary")
    parser.add_argument("--seeds", default="1-20")
    parser.add_argument("--scale", default="1")
    args = parser.parse_args()
    first, last = (int(part) for part in args.seeds.split("-"))
    stats = {}
    with tempfile.TemporaryDirectory(prefix="synthaudit-seeds.") as work:
        for seed in range(first, last + 1):
            data, report = os.path.join(work, "data"), os.path.join(work, "report")
            subprocess.run([args.bin, "generate", "creators", "--seed", str(seed), "--scale", args.scale, "--out", data,
                            "--force", "--quiet"], check=True)
            subprocess.run([args.bin, "audit", data, "--out", report, "--force", "--quiet"], check=False)
            with open(os.path.join(report, "report.json")) as handle:
                injected = json.load(handle)["anomalies"]["injected"]
            for entry in injected:
                row = stats.setdefault(entry["id"], {"n": 0, "detected": 0, "obvious": 0, "rank1": 0, "z": []})
                row["n"] += 1
                row["detected"] += entry["detected"]
                row["obvious"] += entry["obvious"]
                row["rank1"] += entry["root_cause"]["rank"] == 1
                if entry["z"] is not None:
                    row["z"].append(entry["z"])
    print(f"seeds {first}-{last}, scale {args.scale}")
    print(f"{'anomaly':<20} {'detected':>9} {'obvious':>8} {'rank 1':>7}   z range")
    for name, row in stats.items():
        print(f"{name:<20} {row['detected']:>4} / {row['n']:<2} {row['obvious']:>8} {row['rank1']:>7}   "
              f"{min(row['z']):.1f} .. {max(row['z']):.1f}")


if __name__ == "__main__":
    main()
