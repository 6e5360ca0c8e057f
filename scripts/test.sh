#!/bin/sh
# The test job: install, build from scratch in build-test/, run every test
# (unit, corpus, end-to-end, and the parser fuzzer for TW_FUZZ_SECONDS, default 60).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
TRADEWIND_FUZZ=1 TRADEWIND_TESTS=1 "$src/scripts/install-deps.sh"
out="$src/build-test"
rm -rf "$out"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$out" -j2
cd "$out"
ctest --output-on-failure -j2
