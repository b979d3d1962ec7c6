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
