#!/usr/bin/env bash
# The benchmark suite (not part of the tests): builds the release binary and times each
# capability as a whole process. Figures go to the README's performance section.
#   BENCH_SCALES="1 10 100"   creator-economy scales to generate (default: all three)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product synthaudit >&2
bin="$(swift build -c release --show-bin-path)/synthaudit"
work="$(mktemp -d "${TMPDIR:-/tmp}/synthaudit-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
echo "SaaS generation (seed 42, 500 customers, written, verified with SQL, renamed into place):"
python3 scripts/bench/timeit.py -n 20 --label "  generate saas" --output "$work/saas.db" --prepare "rm -f '$work/saas.db'" -- \
  "$bin" generate saas --out "$work/saas.db" --quiet
echo "  reference: the public Python generator for the same request takes about 0.2 s on this class of machine"
echo
echo "Creator-economy generation (seed 42, $(nproc) threads; MB/s counts every CSV byte written):"
for scale in ${BENCH_SCALES:-1 10 100}; do
  runs=5
  [ "$scale" -ge 100 ] 2>/dev/null && runs=3
  python3 scripts/bench/timeit.py -n "$runs" --label "  generate creators --scale $scale" --output "$work/creators" \
    --prepare "rm -rf '$work/creators'; sync" -- \
    "$bin" generate creators --scale "$scale" --out "$work/creators" --quiet
done
echo "  goal: at least 150 MB/s of CSV per core ($((150 * $(nproc))) MB/s on this machine), 100x in about a minute, under 2 GiB"
echo
echo "Audit (seed 42; MB/s counts the CSV bytes read; report written to a fresh directory):"
for scale in ${BENCH_AUDIT_SCALES:-1 10}; do
  "$bin" generate creators --scale "$scale" --out "$work/audit-$scale" --force --quiet
  size=$(du -sb "$work/audit-$scale" | cut -f1)
  python3 scripts/bench/timeit.py -n 5 --label "  audit creators --scale $scale" --prepare "rm -rf '$work/report'" -- \
    "$bin" audit "$work/audit-$scale" --out "$work/report" --quiet \
    | awk -v size="$size" '{ print; if (match($0, /median [0-9.]+ s/)) { m = substr($0, RSTART + 7, RLENGTH - 9); printf "    %.0f MB read, %.0f MB/s\n", size / 1e6, size / 1e6 / m } }'
  rm -rf "$work/audit-$scale"
done
