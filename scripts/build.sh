#!/usr/bin/env bash
# bootstrap + configure + build into build/ (preset "default"). The binaries land at build/bin/snprelay
# (C++) and build/bin/snpattestd (Go: the reference chain node, onchain/cmd/snpattestd).
#   scripts/build.sh            every target (tests, benchmarks, fuzz replay), the compiler's output shown
#   scripts/build.sh --demo     only what scripts/run-demo.sh runs (snprelay, snpattestd); the compiler's
#                               output goes to build/build-demo.log and a progress line is printed at least
#                               every 20 s: phase, elapsed time, what is compiling
set -euo pipefail
cd "$(dirname "$0")/.."
demo=0
case "${1:-}" in
"") ;;
--demo) demo=1 ;;
*) echo "usage: scripts/build.sh [--demo]" >&2; exit 2 ;;
esac
start=$(date +%s)
elapsed() { echo "$(($(date +%s) - start))s"; }

# progress PHASE LOG PID: while PID runs, every 20 s one line naming the last thing LOG says is being built.
# A cold build is many minutes of work with no other output in --demo mode; a newcomer must see it move.
progress() {
  local phase=$1 log=$2 pid=$3 last
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    last=$(grep -E '^\[ *[0-9]+%\] (Building|Linking)' "$log" 2>/dev/null | tail -1 |
      sed -E -e 's/^\[ *([0-9]+%)\] Building CXX object (.*)\/CMakeFiles\/[^/]*\.dir\/(.*)\.o$/\1, compiling \2\/\3/' \
        -e 's/^\[ *([0-9]+%)\] Linking CXX [a-z ]* (.*)$/\1, linking \2/')
    echo "build: [$(elapsed)] $phase: ${last:-starting}"
  done
}

scripts/bootstrap.sh
cmake --preset default >/dev/null
if [[ $demo == 1 ]]; then
  log=build/build-demo.log
  echo "build: [$(elapsed)] C++: snprelay (compiler output in $log)"
  cmake --build --preset default -j"$(nproc)" --target snprelay >"$log" 2>&1 &
  cxx=$!
  progress "C++ snprelay" "$log" "$cxx" &
  watcher=$!
  if ! wait "$cxx"; then
    wait "$watcher" || true
    tail -40 "$log" >&2
    echo "build: the C++ build failed; the whole output is in $log" >&2
    exit 1
  fi
  wait "$watcher" || true
else
  cmake --build --preset default -j"$(nproc)"
fi
echo "build: [$(elapsed)] $(pwd)/build/bin/snprelay"

# snpattestd. A cold Go build cache compiles ~1,200 packages (Cosmos SDK, CometBFT, go-sev-guest) and
# takes 5-15 minutes on a 2-core machine (onchain/README.md has the measured figure); later builds
# take seconds. `go build -v` names each package it compiles (into build/go-build.log): the progress line
# every 20 s counts them and names the last one.
if ! command -v go >/dev/null 2>&1; then
  echo "build: go is not installed; cannot build build/bin/snpattestd" >&2
  exit 1
fi
if [[ ! -x build/bin/snpattestd ]]; then
  echo "build: [$(elapsed)] snpattestd: compiling the Go chain node; the first build takes a few minutes..."
fi
go_start=$(date +%s)
go_log=build/go-build.log
(cd onchain && exec go build -v -o ../build/bin/snpattestd ./cmd/snpattestd) >"$go_log" 2>&1 &
gopid=$!
go_progress() {
  while kill -0 "$gopid" 2>/dev/null; do
    for _ in $(seq 40); do kill -0 "$gopid" 2>/dev/null || return 0; sleep 0.5; done
    echo "build: [$(elapsed)] Go snpattestd: $(grep -cE '^[^ #]+$' "$go_log") packages compiled, now $(tail -1 "$go_log")"
  done
}
go_progress &
watcher=$!
go_rc=0
wait "$gopid" || go_rc=$?
wait "$watcher" || true
# Anything that is not a package name (a download, a compiler error) is shown as it is.
grep -vE '^[^ #]+$' "$go_log" || true
[[ $go_rc == 0 ]] || { echo "build: go build of snpattestd failed (exit $go_rc; $go_log)" >&2; exit 1; }
echo "build: [$(elapsed)] $(pwd)/build/bin/snpattestd ($(grep -cE '^[^ #]+$' "$go_log") packages compiled in $(($(date +%s) - go_start))s)"
