#!/usr/bin/env bash
# The benchmark suite (not part of the tests): builds the release binaries and times each
# capability as a whole process, on one machine in one run. Figures go to the README's
# performance section.
#   BENCH_SCALES="1 10 100"   creator-economy scales to generate, and (from 10 up) to audit
#   BENCH_RUNS=3              timed runs per audit step (after one warm-up run)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product synthaudit >&2
swift build -c release --product csvscan >&2
bindir="$(swift build -c release --show-bin-path)"
bin="$bindir/synthaudit"
python3 -c "import duckdb, numpy" 2>/dev/null || python3 -m pip install --quiet duckdb numpy >&2
work="$(mktemp -d "${TMPDIR:-/tmp}/synthaudit-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)')"
echo
echo "SaaS generation (seed 42, 500 customers, written, verified with SQL, renamed into place):"
python3 scripts/bench/timeit.py -n 20 --label "  generate saas" --output "$work/saas.db" --prepare "rm -f '$work/saas.db'" -- \
  "$bin" generate saas --out "$work/saas.db" --quiet
echo "  reference: the public Python generator for the same request takes about 0.2 s on this class of machine"
echo
echo "SaaS audit of a 100x SaaS-shaped database (the default copied 100 times: 50,000 customers, 64,000 subscriptions;"
echo "exit 1 is expected: the copy fails the 500-customer band):"
python3 scripts/bench/saas_scaled.py "$work/saas.db" "$work/saas100.db" 100 >&2
python3 scripts/bench/timeit.py -n 5 --label "  audit saas x100" --output "$work/saas100-report" \
  --prepare "rm -rf '$work/saas100-report'" -- \
  sh -c '"$0" audit "$1" --out "$2" --quiet; [ $? -le 1 ]' "$bin" "$work/saas100.db" "$work/saas100-report"
echo "  goal: seconds, not minutes (every measure linear in rows and months)"
echo
echo "Creator-economy generation (seed 42, $(nproc) threads; MB/s counts every CSV byte written):"
for scale in ${BENCH_SCALES:-1 10 100}; do
  runs=5
  [ "$scale" -ge 100 ] 2>/dev/null && runs=3
  python3 scripts/bench/timeit.py -n "$runs" --label "  generate creators --scale $scale" --output "$work/creators-$scale" \
    --prepare "rm -rf '$work/creators-$scale'; sync" -- \
    "$bin" generate creators --scale "$scale" --out "$work/creators-$scale" --quiet
  # Kept for the audit below (the last timed run's files), from scale 10 up.
  [ "$scale" -ge 10 ] 2>/dev/null || rm -rf "$work/creators-$scale"
done
echo "  goal: at least 150 MB/s of CSV per core ($((150 * $(nproc))) MB/s on this machine), peak memory under 2 GiB"
echo
for scale in ${BENCH_SCALES:-1 10 100}; do
  [ -d "$work/creators-$scale" ] || continue
  python3 scripts/bench/audit_vs_duckdb.py --bin "$bin" --scan "$bindir/csvscan" --data "$work/creators-$scale" \
    --runs "${BENCH_RUNS:-3}" --label "the scale-$scale creator dataset (seed 42)"
  rm -rf "$work/creators-$scale"
  echo
done
