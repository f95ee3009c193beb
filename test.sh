#!/usr/bin/env bash
# Installs what is missing, builds Accrete with warnings as errors (CMake preset "ci") and
# runs every test through CTest. Extra arguments go to ctest, e.g. `./test.sh -R cli`.
# Exits with ctest's status.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-common.sh

accrete_install_packages
accrete_configure ci
cmake --build --preset ci

# The fuzzers (clang, AddressSanitizer) run for ACCRETE_FUZZ_SECONDS each (default 15) when
# no ctest arguments are given; ACCRETE_FUZZ_SECONDS=0 skips them. They run before ctest so
# that ctest's summary is the last thing printed.
fuzz_status=0
fuzz_seconds=${ACCRETE_FUZZ_SECONDS:-15}
if [[ $# -eq 0 && "$fuzz_seconds" != 0 ]]; then
    set +e
    tests/fuzz/run-fuzzers.sh "$fuzz_seconds" build/ci/tests/fuzz/make-fuzz-corpus
    fuzz_status=$?
    set -e
fi

# Tests that set no TIMEOUT of their own get 600 s. Two tests run at a time (CI has 2 cores).
set +e
ctest --preset ci --output-on-failure --timeout 600 -j2 "$@"
status=$?
set -e
if [[ $fuzz_status -ne 0 ]]; then
    echo "error: a fuzzer failed; see the output above and build/fuzz-crashes/" >&2
    exit "$fuzz_status"
fi
exit "$status"
