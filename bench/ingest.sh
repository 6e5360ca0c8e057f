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
. "$(dirname "$0")/common.sh"
n=${1:-20000}
reps=${2:-8}
bench_setup ingest.sh tradewind
bench_peers "isync maildir-utils notmuch" mbsync mu notmuch
corpus="$out/corpus-sync-$n-$reps"
bench_corpus "$corpus" "$n" "$reps"
python3 "$src/bench/ingest_bench.py" --tradewind "$out/daemon/tradewind" --corpus "$corpus" \
  --rounds "${BENCH_ROUNDS:-3}" --rtt-ms "${BENCH_RTT_MS:-0}" --latency "${BENCH_LATENCY:-40}"
