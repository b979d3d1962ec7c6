#!/usr/bin/env bash
# Builds a libFuzzer target of Fuzz/ and runs it: CSVFuzz (TableIO's CSV reader and value parsers,
# the default) or MappingFuzz (the mapping language: expressions, time formats, zones).
#
#   scripts/fuzz/libfuzzer.sh [SECONDS]                       # default 60
#   TARGET=MappingFuzz scripts/fuzz/libfuzzer.sh 600
#
# Environment:
#   TARGET=CSVFuzz              the target: CSVFuzz or MappingFuzz
#   SANITIZERS=fuzzer,address   the -sanitize= list (default; "fuzzer" alone runs about twice as fast)
#   JOBS=N                      run N fuzzing processes in fork mode, going on after a crash (-ignore_crashes);
#                               unset: one process that stops at the first crash
#   MAX_LEN=N                   the largest input libFuzzer makes (CSVFuzz 70000: the reader's slices are
#                               32 KiB; MappingFuzz 12000: just past the 10,000 characters of an expression)
#   FUZZ_ARGS="..."             more libFuzzer options
#
# Seeds come from Fuzz/corpus (CSVFuzz) or Fuzz/corpus-mapping (MappingFuzz), both committed; what
# the fuzzer learns goes to Fuzz/work-corpus or Fuzz/work-corpus-mapping, and crash reproducers to
# Fuzz/crashes/<target>-crash-... (all ignored by git). Re-run one reproducer with
#   Fuzz/.build/<sanitizers>/release/<target> Fuzz/crashes/<target>-crash-...
set -euo pipefail

seconds="${1:-60}"
target="${TARGET:-CSVFuzz}"
sanitizers="${SANITIZERS:-fuzzer,address}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/Fuzz"
scratch="$fuzz/.build/${sanitizers//,/-}"
case "$target" in
    CSVFuzz) corpus=corpus; work=work-corpus; max_len=70000 ;;
    MappingFuzz) corpus=corpus-mapping; work=work-corpus-mapping; max_len=12000 ;;
    *) echo "libfuzzer: unknown TARGET '$target' (CSVFuzz or MappingFuzz)" >&2; exit 64 ;;
esac

echo "libfuzzer: building $target with -sanitize=$sanitizers into ${scratch#$root/}" >&2
swift build --package-path "$fuzz" --scratch-path "$scratch" -c release --product "$target" \
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library >&2
binary="$scratch/release/$target"

mkdir -p "$fuzz/$work" "$fuzz/crashes"
options=(-max_total_time="$seconds" -max_len="${MAX_LEN:-$max_len}" -print_final_stats=1
         -artifact_prefix="$fuzz/crashes/$target-" -timeout=10 -rss_limit_mb=2048)
if [[ -n "${JOBS:-}" ]]; then
    options+=(-fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# The Swift runtime's own crash backtracer would hold the process after libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
# shellcheck disable=SC2086
exec "$binary" "${options[@]}" ${FUZZ_ARGS:-} "$fuzz/$work" "$fuzz/$corpus"
