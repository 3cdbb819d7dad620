#!/usr/bin/env bash
# Builds the benchmarks (Release, build-release/) and runs every bench_* program.
#   scripts/bench.sh          human-readable tables
#   scripts/bench.sh --json   one JSON object per line on stdout:
#                             {"name": ..., "per_second": ..., "limit_per_second": ..., "ratio": ...}
#                             then the chain side's go benchmarks and the daemon's on a devnet
#                             (bench/daemon_bench.sh: epoch_latency, relayer_rss, api_generate)
# Extra arguments are passed to Google Benchmark (e.g. --benchmark_min_time=2).
set -euo pipefail
cd "$(dirname "$0")/.."
json=0
args=()
for a in "$@"; do
  if [ "$a" = "--json" ]; then json=1; else args+=("$a"); fi
done
scripts/bootstrap.sh >&2
cmake --preset release >/dev/null
mapfile -t targets < <(grep -rhoE 'add_executable\((bench_[a-z_]+)' bench/ | sed 's/add_executable(//' | sort -u)
cmake --build --preset release -j"$(nproc)" --target "${targets[@]}" >&2
for t in "${targets[@]}"; do
  if [ "$json" -eq 1 ]; then
    "build-release/bin/$t" --json-lines "${args[@]}"
  else
    echo "== $t"
    "build-release/bin/$t" "${args[@]}"
  fi
done

# The chain side: on-chain verification and the MsgSubmitAttestation handler (go test -bench), beside
# the C++ verify_full figure above. --json prints {"name": "onchain_<Benchmark>", "ns_per_op", "per_second"}.
gobench=$(cd onchain && go test -run '^$' -bench . -benchmem ./x/snpattest/keeper/ ./x/snpattest/verify/ 2>&1) ||
  { echo "$gobench" >&2; exit 1; }
if [ "$json" -eq 1 ]; then
  echo "$gobench" | awk '/^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name); ns = $3
    printf("{\"name\": \"onchain_%s\", \"ns_per_op\": %s, \"per_second\": %.1f}\n", name, ns, 1e9 / ns) }'
else
  echo "== onchain (go test -bench)"
  echo "$gobench" | grep -E '^(Benchmark|ok|goos|cpu)'
fi

# The daemon on a real devnet (bench/daemon_bench.sh): snprelay from the Release build, snpattestd beside it.
(cd onchain && go build -o ../build-release/bin/snpattestd ./cmd/snpattestd) >&2
cmake --build --preset release -j"$(nproc)" --target snprelay >&2
if [ "$json" -eq 1 ]; then bench/daemon_bench.sh build-release/bin --json; else bench/daemon_bench.sh build-release/bin; fi
# The API under load with wrk (bench/api_load.sh: 1, 100, 1000 connections; no chain needed).
if [ "$json" -eq 1 ]; then bench/api_load.sh build-release/bin --json; else bench/api_load.sh build-release/bin; fi
