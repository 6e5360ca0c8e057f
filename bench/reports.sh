#!/bin/sh
# Reports against the truth of a tradegen --workflow corpus (20,000 messages, 8 reps plus the manager): imports
# it, sets meta.json's rep calendar, then times each report as a whole process and compares it with deals.jsonl
# (bench/report_accuracy.py). Built so far: responses (counts exact, median and p90 business minutes within 1
# minute per rep) and funnel (deals per stage within 0.5%, values equal to the truth's amounts).
# Usage: bench/reports.sh [MESSAGES] [REPS]
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
reps=${2:-8}
bench_setup reports.sh tradewind
work=${TW_BENCH_WORK:-/tmp/tw-bench}
corpus="$work/workflow-$n-$reps"
bench_workflow_corpus "$corpus" "$n" "$reps"
tw="$out/daemon/tradewind"
data="$work/reports-data-$n"
echo "import: $(bench_import_all "$tw" "$data" "$corpus") s"
tz=$(python3 -c "import json; print(json.load(open('$corpus/meta.json'))['rep_calendar']['tz'])")
hours=$(python3 -c "import json; c=json.load(open('$corpus/meta.json'))['rep_calendar']; print(c['days'], c['hours'])")
"$tw" calendar set --data "$data" --tz "$tz" --hours "$hours" >/dev/null
/usr/bin/time -f "report responses: %e s, %M KB" "$tw" report responses --data "$data" --json > "$work/responses.json"
/usr/bin/time -f "report funnel: %e s, %M KB" "$tw" report funnel --data "$data" --json > "$work/funnel.json"
python3 "$src/bench/report_accuracy.py" "$corpus" "$work/responses.json" "$work/funnel.json"
