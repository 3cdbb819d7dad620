#!/usr/bin/env bash
# Everything CI runs: build, lint, every test tier (unit, integration, fuzz corpus replay), then the
# unit tier again under ASan+UBSan. Non-zero on any failure. Ends with ctest's summary and the time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
jobs=$(nproc)

phase() { echo "== [$(( $(date +%s) - start ))s] $*"; }

phase "build (default preset)"
scripts/build.sh
phase "lint"
scripts/lint.sh

phase "sanitizer build (ASan+UBSan), unit tier"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target snprelay_unit_tier
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

phase "all tiers (unit, integration, fuzz replay)"
ctest --preset default -j"$jobs"

echo "test.sh: total time $(( $(date +%s) - start ))s"
