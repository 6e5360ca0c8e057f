#!/bin/sh
# Builds a libFuzzer target with clang + ASan/UBSan in its own build
# directory and runs it for TW_FUZZ_SECONDS (default 60) over its seeds.
# Fails on any crash, hang (>10 s per input) or leak.
#   run_fuzz.sh [BUILD_DIR] [TARGET]   TARGET: parse (the message parser, seeds:
#                                      the edge corpus) or imap (IMAP responses)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/build-fuzz}
target=${2:-parse}
secs=${TW_FUZZ_SECONDS:-60}
if ! command -v clang++ >/dev/null; then
  echo "SKIP: clang++ is not installed (scripts/install-deps.sh installs it)"; exit 77
fi
cmake -S "$src" -B "$out" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRADEWIND_FUZZ=ON -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$out" --target "fuzz_$target" -j2 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
case "$target" in
  parse) cp "$src"/tests/corpora/edge/*.eml "$src"/tests/corpora/fuzz-regressions/*.eml "$work/corpus/"; dict=mime.dict ;;
  imap) cp "$src"/tests/fuzz/imap-seeds/* "$work/corpus/"; dict=imap.dict ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
cd "$work"
mkdir -p "$out/artifacts"
"$out/tests/fuzz/fuzz_$target" -artifact_prefix="$out/artifacts/" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=262144 \
  -dict="$src/tests/fuzz/$dict" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1 && rc=0 || rc=$?
grep -E "ERROR|SUMMARY|runtime error|#[0-9]+ " "$work/log" | head -60
tail -8 "$work/log"
[ "$rc" -eq 0 ] || echo "FAIL: the fuzzer stopped with status $rc; the input is in $out/artifacts/"
exit "$rc"
