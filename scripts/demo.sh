#!/bin/sh
# The main job, for now: install, build, parse the bundled sample mail (a
# Chinese GBK inquiry, trade documents with PDF/XLSX/DOCX text, a forwarded PO,
# a truncated message) into JSON, then import all bundled mail into an archive
# in ./data/demo and search it.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$src/build" --target tradewind -j2 >/dev/null
tw="$src/build/daemon/tradewind"
cd "$src/tests/corpora/edge"
echo "== tradewind parse (one JSON object per message)"
"$tw" parse --json gbk-labelled-gb2312.eml attachment-filenames.eml forwarded-rfc822.eml truncated-multipart.eml
data="$src/data/demo"
rm -rf "$data"
echo "== tradewind import"
"$tw" import --data "$data" --account lily.zhou@acme-trading.example ./*.eml
echo "== tradewind search 询价"
"$tw" search --data "$data" 询价
echo "== tradewind search attachment:COSU6182736450"
"$tw" search --data "$data" attachment:COSU6182736450
echo "== tradewind stats"
"$tw" stats --data "$data"
