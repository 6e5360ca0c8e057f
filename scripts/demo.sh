#!/bin/sh
# The main job: install, build, and start the demo: the project's sample
# mailboxes (three reps of an export firm, English/German/Chinese/Japanese
# deals with quotations, proforma invoices and purchase orders, plus the
# bundled MIME edge cases) served by a real Dovecot on 127.0.0.1; Tradewind
# syncs them, shows a few searches, then runs `tradewind serve` and prints the
# URL and a login. Ctrl-C stops it; the archive stays in ./data/demo.
#   TRADEWIND_DEMO_LISTEN=127.0.0.1:8080   where the web UI listens
#   TRADEWIND_DEMO_SECONDS=N               stop by itself after N seconds
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRADEWIND_TESTS=OFF >/dev/null
cmake --build "$src/build" --target tradewind -j2 >/dev/null
exec python3 "$src/scripts/demo.py" --tradewind "$src/build/daemon/tradewind" --data "$src/data/demo" \
  --listen "${TRADEWIND_DEMO_LISTEN:-127.0.0.1:8080}"
