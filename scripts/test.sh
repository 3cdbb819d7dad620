#!/usr/bin/env bash
# Everything CI runs: build, lint, every test tier (unit, integration, fuzz corpus replay), then the
# unit tier again under ASan+UBSan. Non-zero on any failure. Ends with ctest's summary and the time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
jobs=$(nproc)

scripts/build.sh
scripts/lint.sh

echo "== sanitizer build (ASan+UBSan), unit tier"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target snprelay_unit_tier
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

echo "== all tiers (unit, integration, fuzz replay)"
ctest --preset default -j"$jobs"

echo "test.sh: total time $(( $(date +%s) - start ))s"
