#!/bin/sh
# IMAP to searchable archive, side by side in one run (bench/ingest_bench.py):
#   tradewind sync --once            IMAP -> stored, threaded, indexed (attachment text included)
#   mbsync -a, then mu index         what users do today: copy to Maildir, then index it
#   mbsync -a, then notmuch new
# all pulling every rep's mailbox of a tradegen corpus from one local Dovecot;
# then the new-mail latency of a live `tradewind sync` (delivery -> found by search).
#   bench/ingest.sh [MESSAGES] [REPS]   default 20000 8 (--customers 300 --seed 7)
#   BENCH_ROUNDS=N                      rounds (default 3; medians are shown)
#   BENCH_RTT_MS=N                      emulate a WAN link: N ms round trip (bench/latency_proxy.py)
#   BENCH_LATENCY=N                     new-mail deliveries to time (default 40; 0: skip)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
reps=${2:-8}
gen="$src/../shared/corpus/tradegen.py"
[ -f "$gen" ] || { echo "bench/ingest.sh needs ../shared/corpus/tradegen.py beside the checkout" >&2; exit 2; }
"$src/scripts/install-deps.sh"
for tool in mbsync mu notmuch; do
  command -v $tool >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo;
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq isync maildir-utils notmuch >/dev/null; break; }
done
out="$src/build-bench"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$out" --target tradewind -j2 >/dev/null
corpus="$out/corpus-sync-$n-$reps"
if [ ! -f "$corpus/truth.jsonl" ]; then
  rm -rf "$corpus"
  python3 "$gen" --out "$corpus" --messages "$n" --reps "$reps" --customers 300 --seed 7 >/dev/null
fi
python3 "$src/bench/ingest_bench.py" --tradewind "$out/daemon/tradewind" --corpus "$corpus" \
  --rounds "${BENCH_ROUNDS:-3}" --rtt-ms "${BENCH_RTT_MS:-0}" --latency "${BENCH_LATENCY:-40}"
