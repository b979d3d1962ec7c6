#!/usr/bin/env bash
# Builds the libFuzzer target of Fuzz/ (TableIO's CSV reader and value parsers) and runs it.
#
#   scripts/fuzz/libfuzzer.sh [SECONDS]        # default 60
#
# Environment:
#   SANITIZERS=fuzzer,address   the -sanitize= list (default; "fuzzer" alone runs about twice as fast)
#   JOBS=N                      run N fuzzing processes in fork mode, going on after a crash (-ignore_crashes);
#                               unset: one process that stops at the first crash
#   MAX_LEN=70000               the largest input libFuzzer makes (the reader's slices are 32 KiB)
#   FUZZ_ARGS="..."             more libFuzzer options
#
# Seeds come from Fuzz/corpus (committed); what the fuzzer learns goes to Fuzz/work-corpus and
# crash reproducers to Fuzz/crashes/ (both ignored by git). Re-run one reproducer with
#   Fuzz/.build/<sanitizers>/release/CSVFuzz Fuzz/crashes/crash-...
set -euo pipefail

seconds="${1:-60}"
sanitizers="${SANITIZERS:-fuzzer,address}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/Fuzz"
scratch="$fuzz/.build/${sanitizers//,/-}"

echo "libfuzzer: building with -sanitize=$sanitizers into ${scratch#$root/}" >&2
swift build --package-path "$fuzz" --scratch-path "$scratch" -c release \
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library >&2
binary="$scratch/release/CSVFuzz"

mkdir -p "$fuzz/work-corpus" "$fuzz/crashes"
options=(-max_total_time="$seconds" -max_len="${MAX_LEN:-70000}" -print_final_stats=1
         -artifact_prefix="$fuzz/crashes/" -timeout=10 -rss_limit_mb=2048)
if [[ -n "${JOBS:-}" ]]; then
    options+=(-fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# The Swift runtime's own crash backtracer would hold the process after libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
# shellcheck disable=SC2086
exec "$binary" "${options[@]}" ${FUZZ_ARGS:-} "$fuzz/work-corpus" "$fuzz/corpus"
