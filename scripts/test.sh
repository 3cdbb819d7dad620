#!/usr/bin/env bash
# Everything CI runs: build (C++ and onchain/ Go), lint, the chain side's Go checks (generated code
# current, gofmt, go vet, go test), the unit tier under ASan+UBSan, then every ctest tier (unit,
# integration against a real snpattestd devnet, fuzz corpus replay), then the Release preset's benchmarks
# smoke-run. Non-zero on any failure. Ends with the time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
jobs=$(nproc)

phase() { echo "== [$(( $(date +%s) - start ))s] $*"; }

phase "build (default preset)"
scripts/build.sh
phase "lint"
scripts/lint.sh

phase "onchain: generated code current, gofmt, go vet, go test"
scripts/protogen.sh --check
unformatted=$(cd onchain && gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt: these files need formatting:" >&2
  echo "$unformatted" >&2
  exit 1
fi
(cd onchain && go vet ./... && go test -count=1 ./... 2>&1 | tee /tmp/snprelay-go-test.$$.log)
echo "go test: $(grep -c '^ok ' /tmp/snprelay-go-test.$$.log) packages passed, $(grep -c '^FAIL' /tmp/snprelay-go-test.$$.log) failed"
rm -f /tmp/snprelay-go-test.$$.log

phase "sanitizer build (ASan+UBSan), unit tier"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target snprelay_unit_tier
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

phase "fuzz (bounded)"
scripts/fuzz.sh --ci --jobs "$jobs"

phase "all tiers (unit, integration, fuzz replay)"
ctest --preset default -j"$jobs"

# The Release preset and every benchmark, with tiny iteration counts: a preset that no longer compiles or a
# benchmark that no longer runs or prints a documented figure fails CI (the figures are not measurements).
phase "release preset: benchmarks smoke-run (scripts/bench.sh --json --smoke)"
scripts/bench.sh --json --smoke

echo "test.sh: total time $(( $(date +%s) - start ))s"
