#!/usr/bin/env python3
"""Times a command as a whole process: wall seconds and peak resident memory per run.

Usage: timeit.py [-n RUNS] [--warmup N] [--label TEXT] [--output PATH] [--prepare SHELL] -- COMMAND [ARG ...]
Prints one line: label, runs, min / median / max wall seconds, median peak RSS in MiB, and
with --output the size of what the command wrote there and its rate (MB/s at the median).
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
    parser.add_argument("--output", default=None, help="file or directory the command writes; its size gives MB/s")
    parser.add_argument("--prepare", default=None, help="shell command run, untimed, before each run")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    def timed():
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
        return run_once(command)

    for _ in range(args.warmup):
        timed()
    results = [timed() for _ in range(args.n)]
    walls = [wall for wall, _ in results]
    memory = statistics.median(rss for _, rss in results)
    label = args.label or " ".join(command)
    median = statistics.median(walls)
    line = (f"{label}: {args.n} runs, wall min {min(walls):.3f} s, median {median:.3f} s, "
            f"max {max(walls):.3f} s, peak RSS median {memory:.1f} MiB")
    if args.output:
        size = output_size(args.output)
        line += f", output {size / 1e6:.1f} MB, {size / 1e6 / median:.0f} MB/s"
    print(line, flush=True)


def output_size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


if __name__ == "__main__":
    main()
