#!/usr/bin/env python3
"""Times a command as a whole process: wall seconds and peak resident memory per run.

Usage: timeit.py [-n RUNS] [--warmup N] [--label TEXT] -- COMMAND [ARG ...]
Prints one line: label, runs, min / median / max wall seconds, median peak RSS in MiB.
Every run must exit 0; the first failure stops the benchmark with its output.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark command failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}\n{stderr}")
    return wall, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--label", default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    for _ in range(args.warmup):
        run_once(command)
    results = [run_once(command) for _ in range(args.n)]
    walls = [wall for wall, _ in results]
    memory = statistics.median(rss for _, rss in results)
    label = args.label or " ".join(command)
    print(f"{label}: {args.n} runs, wall min {min(walls):.4f} s, median {statistics.median(walls):.4f} s, "
          f"max {max(walls):.4f} s, peak RSS median {memory:.1f} MiB")


if __name__ == "__main__":
    main()
