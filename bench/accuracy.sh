#!/bin/sh
# Linking accuracy on a tradegen corpus: generates it, imports every rep's
# Maildir, then prints thread precision/recall (bench/thread_quality.py) and
# customer and document accuracy (bench/crm_accuracy.py) against truth.jsonl,
# and how long `tradewind relink` takes over the whole archive.
#   bench/accuracy.sh [MESSAGES] [REPS]   default 20000 8 (--customers 300 --seed 7)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
reps=${2:-8}
gen="$src/../shared/corpus/tradegen.py"
[ -f "$gen" ] || { echo "bench/accuracy.sh needs ../shared/corpus/tradegen.py beside the checkout" >&2; exit 2; }
"$src/scripts/install-deps.sh"
out="$src/build-bench"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$out" --target tradewind -j2 >/dev/null
tw="$out/daemon/tradewind"
corpus="$out/corpus-sync-$n-$reps"  # shared with bench/ingest.sh
if [ ! -f "$corpus/truth.jsonl" ]; then
  rm -rf "$corpus"
  python3 "$gen" --out "$corpus" --messages "$n" --reps "$reps" --customers 300 --seed 7 >/dev/null
fi
data="$out/accuracy-data"
rm -rf "$data"
start=$(date +%s.%N)
for dir in "$corpus"/*/; do
  rep=$(basename "$dir")
  "$tw" import --data "$data" --account "$rep@acme-trading.example" "$dir" >/dev/null
done
end=$(date +%s.%N)
echo "corpus: $(grep -c . "$corpus/truth.jsonl") message files, $reps reps; import (linking included): $(echo "$end - $start" | bc) s"
"$tw" export --data "$data" > "$data/export.jsonl"
echo "threads:   $(python3 "$src/bench/thread_quality.py" "$data/export.jsonl" "$corpus/truth.jsonl")"
"$tw" customers --data "$data" --json > "$data/customers.jsonl"
echo "customers and documents: $(python3 "$src/bench/crm_accuracy.py" "$data/export.jsonl" "$corpus/truth.jsonl" "$data/customers.jsonl")"
echo "customers found: $("$tw" customers --data "$data" | grep -c .), in truth: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$corpus/customers.json")"
echo "relink: $("$tw" relink --data "$data")"
"$tw" export --data "$data" > "$data/export2.jsonl"
"$tw" customers --data "$data" --json > "$data/customers2.jsonl"
echo "after relink: $(python3 "$src/bench/crm_accuracy.py" "$data/export2.jsonl" "$corpus/truth.jsonl" "$data/customers2.jsonl")"
