#!/bin/sh
# The main job, for now: install, build, and parse the bundled sample mail
# (Chinese GBK inquiry, trade documents with PDF/XLSX/DOCX text, a forwarded
# PO, a truncated message) into one JSON object per message.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$src/build" --target tradewind -j2 >/dev/null
cd "$src/tests/corpora/edge"
"$src/build/daemon/tradewind" parse --json \
  gbk-labelled-gb2312.eml attachment-filenames.eml forwarded-rfc822.eml truncated-multipart.eml
