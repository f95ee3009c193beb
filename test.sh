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

# Tests that set no TIMEOUT of their own get 600 s. Two tests run at a time (CI has 2 cores).
set +e
ctest --preset ci --output-on-failure --timeout 600 -j2 "$@"
status=$?
set -e
exit "$status"
