#!/usr/bin/env bash
# The benchmark suite (not part of the tests): builds the release binary and times each
# capability as a whole process. Figures go to the README's performance section.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product synthaudit >&2
bin="$(swift build -c release --show-bin-path)/synthaudit"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "SaaS generation (seed 42, 500 customers, written, verified with SQL, renamed into place):"
python3 scripts/bench/timeit.py -n 20 --label "  synthaudit generate saas" -- \
  "$bin" generate saas --out "$work/saas.db" --force --quiet
echo "  reference: the public Python generator for the same request takes about 0.2 s on this class of machine"
