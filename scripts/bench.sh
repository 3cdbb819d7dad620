#!/usr/bin/env bash
# Builds the benchmarks (Release, build-release/) and runs every bench_* program.
#   scripts/bench.sh          human-readable tables
#   scripts/bench.sh --json   one JSON object per line on stdout:
#                             {"name": ..., "per_second": ..., "limit_per_second": ..., "ratio": ...}
#                             then the chain side's go benchmarks and the daemon's on a devnet
#                             (bench/daemon_bench.sh: epoch_latency, relayer_rss, api_generate)
#   scripts/bench.sh --smoke  (with or without --json) every benchmark with a tiny iteration count, then a
#                             check that every figure named in `documented` below was printed: CI runs
#                             `scripts/bench.sh --json --smoke` so a benchmark that no longer builds, runs
#                             or prints fails the build. Smoke figures are not measurements.
# Extra arguments are passed to Google Benchmark (e.g. --benchmark_min_time=2).
set -euo pipefail
cd "$(dirname "$0")/.."
# The figures this script documents (the names its programs print, as the README quotes them); --smoke
# checks each.
documented=(allowlist_apply allowlist_lookup verify_full verify_cached_chain tx_sign config_load
  tpm_seal tpm_unseal tpm_quote key_unlock_passphrase key_unlock_tpm key_unlock_snp_simulated
  onchain_VerifyRealMilan onchain_SubmitAttestationHandler onchain_VerifySimulatedMilan epoch_latency relayer_rss api_generate api_load)
json=0
smoke=0
args=()
for a in "$@"; do
  case "$a" in
  --json) json=1 ;;
  --smoke) smoke=1 ;;
  *) args+=("$a") ;;
  esac
done
gobenchtime=()
if [ "$smoke" -eq 1 ]; then
  args+=(--benchmark_min_time=0.01)
  gobenchtime=(-benchtime=1x)
  export EPOCHS=${EPOCHS:-3} API_REQUESTS=${API_REQUESTS:-40} DURATION=${DURATION:-1}
  smoke_out=$(mktemp)
  trap 'rm -f "$smoke_out"' EXIT
  exec 3>&1 >"$smoke_out"
fi
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
gobench=$(cd onchain && go test -run '^$' -bench . -benchmem "${gobenchtime[@]}" ./x/snpattest/keeper/ ./x/snpattest/verify/ 2>&1) ||
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

if [ "$smoke" -eq 1 ]; then
  exec 1>&3
  cat "$smoke_out"
  missing=()
  for name in "${documented[@]}"; do
    if [ "$json" -eq 1 ]; then
      grep -q "\"name\": \"$name\"" "$smoke_out" || missing+=("$name")
    else
      grep -qE "(^| )$name( |:|$)" "$smoke_out" || missing+=("$name")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] || { echo "bench.sh --smoke: documented figures not printed: ${missing[*]}" >&2; exit 1; }
  echo "bench.sh --smoke: all ${#documented[@]} documented figures printed" >&2
fi
