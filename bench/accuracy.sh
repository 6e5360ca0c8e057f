#!/bin/sh
# Linking accuracy on a tradegen corpus: generates it, imports every rep's
# Maildir, then prints thread precision/recall (bench/thread_quality.py) and
# customer and document accuracy (bench/crm_accuracy.py) against truth.jsonl,
# and how long `tradewind relink` takes over the whole archive.
#   bench/accuracy.sh [MESSAGES] [REPS]   default 20000 8 (--customers 300 --seed 7)
#   WORKFLOW=1 bench/accuracy.sh          the same over the --workflow corpus (approval mail included)
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
reps=${2:-8}
bench_setup accuracy.sh tradewind
bench_peers bc bc
tw="$out/daemon/tradewind"
if [ "${WORKFLOW:-0}" = 1 ]; then  # the --workflow corpus: approval mail between the reps and the manager too
  corpus="${TW_BENCH_WORK:-/tmp/tw-bench}/workflow-$n-$reps"  # shared with bench/approvals.sh and followups.sh
  bench_workflow_corpus "$corpus" "$n" "$reps"
else
  corpus="$out/corpus-sync-$n-$reps"  # shared with bench/ingest.sh
  bench_corpus "$corpus" "$n" "$reps"
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
echo "customers found: $("$tw" customers --data "$data" | grep -c .), in truth with mail: $(python3 -c "import json,sys; print(len({json.loads(l)['customer'] for l in open(sys.argv[1])}))" "$corpus/truth.jsonl")"
echo "relink: $("$tw" relink --data "$data")"
"$tw" export --data "$data" > "$data/export2.jsonl"
"$tw" customers --data "$data" --json > "$data/customers2.jsonl"
echo "after relink: $(python3 "$src/bench/crm_accuracy.py" "$data/export2.jsonl" "$corpus/truth.jsonl" "$data/customers2.jsonl")"
