#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz": clang with AddressSanitizer) and runs
# each one for a bounded time on a corpus seeded from the test suite's bad-input fixtures.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET] [MAKE_FUZZ_CORPUS]
#
# SECONDS_PER_TARGET defaults to 20; ./test.sh passes a short time. For a longer run, pass
# e.g. 3600 and keep build/fuzz-corpus between runs: libFuzzer adds the inputs that reach
# new code to it. MAKE_FUZZ_CORPUS is the make-fuzz-corpus tool of a normal build
# (default: build/ci, then build/dev).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-20}
corpus_tool=${2:-}
if [[ -z "$corpus_tool" ]]; then
    for candidate in build/ci/tests/fuzz/make-fuzz-corpus build/dev/tests/fuzz/make-fuzz-corpus; do
        if [[ -x "$candidate" ]]; then
            corpus_tool=$candidate
            break
        fi
    done
fi
if [[ -z "$corpus_tool" || ! -x "$corpus_tool" ]]; then
    echo "error: make-fuzz-corpus not found; build the tests first (./test.sh) or pass its path" >&2
    exit 1
fi

targets=(fuzz_archivesource fuzz_mediaanalyzer fuzz_httprequest)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]}"

corpus=build/fuzz-corpus
seeds=build/fuzz-seeds
rm -rf "$seeds"
QT_QPA_PLATFORM=offscreen "$corpus_tool" "$seeds"

status=0
for target in "${targets[@]}"; do
    name=${target#fuzz_}
    mkdir -p "$corpus/$name" "build/fuzz-crashes/$name"
    echo "== $target for ${seconds}s"
    # -rss_limit_mb bounds memory per input; -timeout flags any input that takes over 10 s.
    if ! QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES="accrete.*.info=false" "build/fuzz/tests/fuzz/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz-crashes/$name/" \
        "$corpus/$name" "$seeds/$name" 2>"build/fuzz-crashes/$name/log.txt"; then
        echo "FAILED: $target; see build/fuzz-crashes/$name/" >&2
        tail -n 40 "build/fuzz-crashes/$name/log.txt" >&2
        status=1
    else
        grep -E '^stat::(number_of_executed_units|new_units_added)' "build/fuzz-crashes/$name/log.txt" || true
    fi
done
exit $status
