#!/bin/sh
# The main job: install, build, and start the demo: the project's sample
# mailboxes (three reps of an export firm, English/German/Chinese/Japanese
# deals with quotations, proforma invoices and purchase orders) served by a
# real Dovecot on 127.0.0.1; Tradewind
# syncs them, shows a few searches, then runs `tradewind serve` and prints the
# URL and a login. Ctrl-C stops it; the archive stays in ./data/demo.
#   TRADEWIND_DEMO_LISTEN=127.0.0.1:8080   where the web UI listens
#   TRADEWIND_DEMO_SECONDS=N               stop by itself after N seconds
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRADEWIND_TESTS=OFF >/dev/null
# The build's output goes to a log, shown only if the build fails (a newcomer's first line is not a warning).
log="$src/build/demo-build.log"
mkdir -p "$src/build"
cmake --build "$src/build" --target tradewind -j2 >"$log" 2>&1 || { cat "$log"; exit 1; }
exec python3 "$src/scripts/demo.py" --tradewind "$src/build/daemon/tradewind" --data "$src/data/demo" \
  --listen "${TRADEWIND_DEMO_LISTEN:-127.0.0.1:8080}"
