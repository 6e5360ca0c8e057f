#!/bin/sh
# Search latency per role (rep, manager, auditor, admin) through the web API on a 20,000-message tradegen archive,
# side by side with the tradewind of commit 9b5b199 (before roles) when BEFORE=path/to/its/tradewind is given;
# then a login attack (bench/login_attack.py). Usage: bench/roles.sh [MESSAGES]
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
bench_setup roles.sh tradewind
work=${TW_BENCH_WORK:-/tmp/tw-bench}
mkdir -p "$work"
bench_corpus "$work/corpus-$n" "$n" 8
data="$work/roles-data-$n"
if [ ! -f "$data/archive.db" ]; then
  for d in "$work/corpus-$n"/*/; do
    "$out/daemon/tradewind" import --data "$data" --account "$(basename "$d")@acme-trading.example" "$d" >/dev/null
  done
fi
before_args=""
if [ -n "${BEFORE:-}" ]; then
  bdata="$work/roles-before-$n"
  if [ ! -f "$bdata/archive.db" ]; then
    for d in "$work/corpus-$n"/*/; do
      "$BEFORE" import --data "$bdata" --account "$(basename "$d")@acme-trading.example" "$d" >/dev/null
    done
  fi
  before_args="--before $BEFORE --before-data $bdata"
fi
# shellcheck disable=SC2086
python3 "$src/bench/role_latency.py" --tradewind "$out/daemon/tradewind" --data "$data" $before_args
python3 "$src/bench/login_attack.py" --tradewind "$out/daemon/tradewind" ${BEFORE:+--before "$BEFORE"}
