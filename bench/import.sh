#!/bin/sh
# Import speed, side by side in one run: tradewind import (attachment text
# included, both cores) against mu index and notmuch new (neither extracts
# attachment text) on the same tradegen Maildirs; then thread quality against
# the corpus truth and search latency over 100 fixed queries.
#   bench/import.sh [MESSAGES]      default 20000 (--reps 8 --customers 300 --seed 7)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
gen="$src/../shared/corpus/tradegen.py"
[ -f "$gen" ] || { echo "bench/import.sh needs ../shared/corpus/tradegen.py beside the checkout" >&2; exit 2; }
"$src/scripts/install-deps.sh"
for tool in mu notmuch bc; do
  command -v $tool >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo;
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq maildir-utils notmuch bc >/dev/null; break; }
done
out="$src/build-bench"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$out" --target tradewind bench_search -j2 >/dev/null
corpus="$out/corpus-import-$n"
if [ ! -f "$corpus/truth.jsonl" ]; then
  rm -rf "$corpus"
  python3 "$gen" --out "$corpus" --messages "$n" --reps 8 --customers 300 --seed 7 >/dev/null
fi
files=$(grep -c . "$corpus/truth.jsonl")
work="$out/import-run"
rm -rf "$work"; mkdir -p "$work"
sync
# Each tool: wall seconds and peak RSS (KB) from /usr/bin/time, index size.
measure() {  # name, command...
  name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1
}
tw_all() {
  for rep in "$corpus"/*/; do
    r=$(basename "$rep")
    /usr/bin/time -a -f "%e %M" -o "$work/tw-parts.time" "$out/daemon/tradewind" import --data "$work/tw-data" \
      --account "$r@acme-trading.example" "$rep" >>"$work/tw.log"
  done
}
start=$(date +%s.%N); tw_all; end=$(date +%s.%N)
tw_s=$(echo "$end - $start" | bc); tw_rss=$(awk '{ if ($2 > m) m = $2 } END { print m }' "$work/tw-parts.time")
mu init --muhome="$work/mu" --maildir="$corpus" >/dev/null
measure mu mu index --muhome="$work/mu"
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
mkdir -p "$work/notmuch"
NOTMUCH_CONFIG="$work/notmuch-config" measure notmuch notmuch new
size() { du -sk "$1" | cut -f1; }
mu_s=$(cut -d' ' -f1 "$work/mu.time"); mu_rss=$(cut -d' ' -f2 "$work/mu.time")
nm_s=$(cut -d' ' -f1 "$work/notmuch.time"); nm_rss=$(cut -d' ' -f2 "$work/notmuch.time")
echo "corpus: $files message files, $(du -sm "$corpus" | cut -f1) MB, $(nproc) cores"
printf "%-34s %8s %9s %12s %12s %14s\n" tool seconds msgs/s "peak RSS MB" "index MB" "ratio (x/tw)"
row() { printf "%-34s %8.1f %9.0f %12.0f %12.0f %14.2f\n" "$1" "$2" "$(echo "$files / $2" | bc -l)" \
  "$(echo "$3 / 1024" | bc -l)" "$(echo "$4 / 1024" | bc -l)" "$(echo "$2 / $tw_s" | bc -l)"; }
row "tradewind import (+attachment text)" "$tw_s" "$tw_rss" "$(size "$work/tw-data")"
row "mu index" "$mu_s" "$mu_rss" "$(size "$work/mu")"
row "notmuch new" "$nm_s" "$nm_rss" "$(size "$work/notmuch")"
echo "(ratio > 1: the peer took longer than tradewind)"
"$out/daemon/tradewind" export --data "$work/tw-data" > "$work/export.jsonl"
printf "threads vs truth: "; python3 "$src/bench/thread_quality.py" "$work/export.jsonl" "$corpus/truth.jsonl"
"$out/bench/bench_search" "$work/tw-data" "$src/bench/queries.txt" 5
