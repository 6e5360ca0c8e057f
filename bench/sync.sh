#!/bin/sh
# IMAP sync speed: tradewind sync --once against mbsync, both pulling every
# rep's mailbox of a tradegen corpus from one local Dovecot (bench/sync_bench.py).
#   bench/sync.sh [MESSAGES] [REPS]   default 20000 8 (--customers 300 --seed 7)
#   BENCH_ROUNDS=N                    rounds per tool (default 3; the median is shown)
#   BENCH_RTT_MS=N                    emulate a WAN link: N ms round trip (bench/latency_proxy.py)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
reps=${2:-8}
gen="$src/../shared/corpus/tradegen.py"
[ -f "$gen" ] || { echo "bench/sync.sh needs ../shared/corpus/tradegen.py beside the checkout" >&2; exit 2; }
"$src/scripts/install-deps.sh"
command -v mbsync >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo;
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq isync >/dev/null; }
out="$src/build-bench"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$out" --target tradewind -j2 >/dev/null
corpus="$out/corpus-sync-$n-$reps"
if [ ! -f "$corpus/truth.jsonl" ]; then
  rm -rf "$corpus"
  python3 "$gen" --out "$corpus" --messages "$n" --reps "$reps" --customers 300 --seed 7 >/dev/null
fi
python3 "$src/bench/sync_bench.py" --tradewind "$out/daemon/tradewind" --corpus "$corpus" --rounds "${BENCH_ROUNDS:-3}" --rtt-ms "${BENCH_RTT_MS:-0}"
