# Shared by the bench scripts (sourced): the generator, the build, the peers.
#   bench_setup NAME TARGET...   needs ../shared; installs deps; builds TARGETs (Release) into $out
#   bench_peers "PKG..." TOOL... installs the Debian packages when a tool is missing
#   bench_corpus DIR N REPS      the tradegen corpus (--customers 300 --seed 7), generated once
#   bench_workflow_corpus DIR N REPS   the same with --workflow (follow-ups, approvals), generated once
#   bench_import_all BIN DATA CORPUS   imports every Maildir of CORPUS into a new DATA; prints the seconds
src=$(cd "$(dirname "$0")/.." && pwd)
gen="$src/../shared/corpus/tradegen.py"
out="$src/build-bench"

bench_setup() {
  name=$1; shift
  [ -f "$gen" ] || { echo "bench/$name needs ../shared/corpus/tradegen.py beside the checkout" >&2; exit 2; }
  "$src/scripts/install-deps.sh"
  cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DTRADEWIND_TESTS=OFF >/dev/null
  cmake --build "$out" --target "$@" -j2 >/dev/null
}

bench_peers() {
  pkgs=$1; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo;
      # shellcheck disable=SC2086
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null; return; }
  done
}

bench_corpus() {
  if [ ! -f "$1/truth.jsonl" ]; then
    rm -rf "$1"
    python3 "$gen" --out "$1" --messages "$2" --reps "$3" --customers 300 --seed 7 >/dev/null
  fi
}

bench_workflow_corpus() {
  [ -f "$1/meta.json" ] || python3 "$gen" --out "$1" --messages "$2" --reps "$3" --customers 300 --seed 7 --workflow >/dev/null
}

bench_import_all() {
  rm -rf "$2"
  s=$(date +%s.%N)
  for d in "$3"/*/; do "$1" import --data "$2" --account "$(basename "$d")@acme-trading.example" "$d" >/dev/null; done
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
