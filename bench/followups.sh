#!/bin/sh
# Follow-ups against the truth of a tradegen --workflow corpus (20,000 messages, 8 reps by default): imports it,
# sets meta.json's calendar, lists every open follow-up at the newest message + 1 minute, and compares
# (bench/followup_accuracy.py): reply_due against deals awaiting "us", customer_silent against those awaiting
# "customer", each due time against the deadline computed from the calendar. Also times the import, and with
# BEFORE=path/to/an/older/tradewind (without follow-ups) the same import side by side, and one rep's list.
# Usage: bench/followups.sh [MESSAGES] [REPS]
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
reps=${2:-8}
bench_setup followups.sh tradewind
work=${TW_BENCH_WORK:-/tmp/tw-bench}
corpus="$work/workflow-$n-$reps"
bench_workflow_corpus "$corpus" "$n" "$reps"
tw="$out/daemon/tradewind"
t_new=$(bench_import_all "$tw" "$work/followups-data" "$corpus")
echo "import with follow-ups: $t_new s"
if [ -n "${BEFORE:-}" ]; then
  t_old=$(bench_import_all "$BEFORE" "$work/followups-before" "$corpus")
  echo "import before follow-ups: $t_old s  (ratio $(echo "scale=3; $t_new / $t_old" | bc))"
fi
data="$work/followups-data"
tz=$(python3 -c "import json; print(json.load(open('$corpus/meta.json'))['rep_calendar']['tz'])")
hours=$(python3 -c "import json; c=json.load(open('$corpus/meta.json'))['rep_calendar']; print(c['days'], c['hours'])")
"$tw" calendar set --data "$data" --tz "$tz" --hours "$hours" >/dev/null
now=$(python3 -c "import json,datetime as d; t=d.datetime.fromisoformat(json.load(open('$corpus/meta.json'))['last_message']); print((t+d.timedelta(minutes=1)).isoformat())")
"$tw" followups --data "$data" --all --json --now "$now" > "$work/followups.jsonl"
"$tw" export --data "$data" --hashes > "$work/followups-export.jsonl"
python3 "$src/bench/followup_accuracy.py" "$corpus" "$work/followups.jsonl" "$work/followups-export.jsonl"
rep=$(ls "$corpus" | head -1)
for k in 1 2 3 4 5; do
  /usr/bin/time -f "followups --rep $rep: %e s" "$tw" followups --data "$data" --rep "$rep@acme-trading.example" --json --now "$now" >/dev/null
done
# The home page ("My day") on this archive, as a rep and as a manager of every rep, beside the search page.
python3 "$src/bench/home_latency.py" --tradewind "$tw" --data "$data"
