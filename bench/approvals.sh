#!/bin/sh
# Approvals against the truth of a tradegen --workflow corpus (20,000 messages, 8 reps plus the manager wei.chen):
# imports it, adds meta.json's rule (QT and PI from USD approval_threshold_usd, approver wei.chen), applies it to the
# archive (approvals recheck) and compares (bench/approval_accuracy.py): needs_approval, outcome per document,
# violations, amounts. With BEFORE=path/to/an/older/tradewind, the same import side by side (the cost of reading
# approvals as mail is stored; three rounds in turn, medians).
# Usage: bench/approvals.sh [MESSAGES] [REPS]
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-20000}
reps=${2:-8}
bench_setup approvals.sh tradewind
work=${TW_BENCH_WORK:-/tmp/tw-bench}
corpus="$work/workflow-$n-$reps"
bench_workflow_corpus "$corpus" "$n" "$reps"
tw="$out/daemon/tradewind"
data="$work/approvals-data"
if [ -n "${BEFORE:-}" ]; then
  # Three rounds, in turn (the machine is noisy); the medians and their ratio.
  news=""; olds=""
  for round in 1 2 3; do
    news="$news $(bench_import_all "$tw" "$data" "$corpus")"
    olds="$olds $(bench_import_all "$BEFORE" "$work/approvals-before" "$corpus")"
  done
  median() { printf '%s\n' $1 | sort -n | sed -n 2p; }
  t_new=$(median "$news"); t_old=$(median "$olds")
  echo "import: $t_new s (runs:$news)"
  echo "import before approvals: $t_old s (runs:$olds)  (ratio $(echo "scale=3; $t_new / $t_old" | bc))"
else
  t_new=$(bench_import_all "$tw" "$data" "$corpus")
  echo "import: $t_new s"
fi
min=$(python3 -c "import json; print(json.load(open('$corpus/meta.json'))['approval_threshold_usd'])")
pw="$work/approvals-pw"; echo "correct horse battery" > "$pw"
"$tw" user add --data "$data" --name wei.chen --role manager --mailbox wei.chen@acme-trading.example --password-file "$pw" >/dev/null
"$tw" approvals rule add --data "$data" --types quotation,proforma_invoice --min-amount "$min" --currency USD --approver wei.chen
/usr/bin/time -f "approvals recheck: %e s, %M KB" "$tw" approvals recheck --data "$data"
"$tw" approvals --data "$data" --json > "$work/approvals.jsonl"
"$tw" approvals violations --data "$data" --json > "$work/approval-violations.jsonl"
"$tw" documents --data "$data" --json > "$work/approval-documents.jsonl"
python3 "$src/bench/approval_accuracy.py" "$corpus" "$work/approvals.jsonl" "$work/approval-violations.jsonl" "$work/approval-documents.jsonl"
