#!/bin/sh
# Import speed, side by side in one run: tradewind import (attachment text
# included, both cores) against mu index and notmuch new (neither extracts
# attachment text) on the same tradegen Maildirs; then thread quality against
# the corpus truth and search latency over 100 fixed queries.
#   bench/import.sh [MESSAGES]      default 20000 (--reps 8 --customers 300 --seed 7)
#   BENCH_ROUNDS=N                  rounds per tool (default 3; the median is shown)
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
bench_setup import.sh tradewind bench_search
bench_peers "maildir-utils notmuch bc" mu notmuch bc
corpus="$out/corpus-import-$n"
bench_corpus "$corpus" "$n" 8
files=$(grep -c . "$corpus/truth.jsonl")
work="$out/import-run"
rounds=${BENCH_ROUNDS:-3}
rm -rf "$work"; mkdir -p "$work"
cat > "$work/notmuch-config" <<CFG
[database]
path=$work/notmuch
mail_root=$corpus
[new]
tags=
[user]
name=bench
primary_email=bench@example.com
CFG
# One round = each tool once, from an empty index, in turn (so background noise
# hits all of them alike); each tool's row is its median round.
# Per round and tool, "seconds peakKB" is appended to $work/NAME.times.
tw_round() {
  rm -rf "$work/tw-data" "$work/tw-parts.time"
  start=$(date +%s.%N)
  for rep in "$corpus"/*/; do
    r=$(basename "$rep")
    /usr/bin/time -a -f "%e %M" -o "$work/tw-parts.time" "$out/daemon/tradewind" import --data "$work/tw-data" \
      --account "$r@acme-trading.example" "$rep" >"$work/tw.log"
  done
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(awk '{ if ($2 > m) m = $2 } END { print m }' "$work/tw-parts.time")" >>"$work/tw.times"
}
mu_round() {
  rm -rf "$work/mu"
  mu init --muhome="$work/mu" --maildir="$corpus" >/dev/null
  /usr/bin/time -a -f "%e %M" -o "$work/mu.times" mu index --muhome="$work/mu" >"$work/mu.log" 2>&1
}
nm_round() {
  rm -rf "$work/notmuch"; mkdir -p "$work/notmuch"
  NOTMUCH_CONFIG="$work/notmuch-config" /usr/bin/time -a -f "%e %M" -o "$work/notmuch.times" notmuch new >"$work/notmuch.log" 2>&1
}
sync
for round in $(seq "$rounds"); do tw_round; mu_round; nm_round; done
median() { sort -n "$1" | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
spread() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.1f-%.1f", a[1], a[NR] }'; }
tw_s=$(median "$work/tw.times" | cut -d' ' -f1); tw_rss=$(median "$work/tw.times" | cut -d' ' -f2)
mu_s=$(median "$work/mu.times" | cut -d' ' -f1); mu_rss=$(median "$work/mu.times" | cut -d' ' -f2)
nm_s=$(median "$work/notmuch.times" | cut -d' ' -f1); nm_rss=$(median "$work/notmuch.times" | cut -d' ' -f2)
size() { du -sk "$1" | cut -f1; }
echo "corpus: $files message files, $(du -sm "$corpus" | cut -f1) MB, $(nproc) cores; median of $rounds rounds (tools in turn)"
printf "%-34s %8s %11s %9s %12s %12s %14s\n" tool seconds "(range)" msgs/s "peak RSS MB" "index MB" "ratio (x/tw)"
row() { printf "%-34s %8.1f %11s %9.0f %12.0f %12.0f %14.2f\n" "$1" "$2" "$3" "$(echo "$files / $2" | bc -l)" \
  "$(echo "$4 / 1024" | bc -l)" "$(echo "$5 / 1024" | bc -l)" "$(echo "$2 / $tw_s" | bc -l)"; }
row "tradewind import (+attachment text)" "$tw_s" "$(spread "$work/tw.times")" "$tw_rss" "$(size "$work/tw-data")"
row "mu index" "$mu_s" "$(spread "$work/mu.times")" "$mu_rss" "$(size "$work/mu")"
row "notmuch new" "$nm_s" "$(spread "$work/notmuch.times")" "$nm_rss" "$(size "$work/notmuch")"
echo "(ratio > 1: the peer took longer than tradewind)"
"$out/daemon/tradewind" export --data "$work/tw-data" > "$work/export.jsonl"
printf "threads vs truth: "; python3 "$src/bench/thread_quality.py" "$work/export.jsonl" "$corpus/truth.jsonl"
"$out/bench/bench_search" "$work/tw-data" "$src/bench/queries.txt" 5
