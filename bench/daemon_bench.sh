#!/usr/bin/env bash
# The daemon's benchmarks (issue 13), on a real one-validator snpattestd devnet on loopback with the
# simulated firmware, `snprelay init` and `snprelay start`:
#   epoch_latency  {"p50_ms", "p99_ms", "epochs"}: per epoch, from the daemon reading the new epoch's nonce
#                  (CurrentEpoch) to CheckTx accepting its MsgSubmitAttestation into the mempool, warm
#                  certificate cache, block time excluded (the daemon's "in the mempool N ms" log lines).
#   relayer_rss    {"mb", "epochs"}: VmRSS of `snprelay start` after EPOCHS committed epochs (default 100).
#   api_generate   {"per_second", "requests"}: POST /v1/attestation/generate (the guide's request) with
#                  8 connections in parallel against the simulated firmware, every answer checked 200.
# Usage: bench/daemon_bench.sh BIN_DIR [--json]   (BIN_DIR holds snprelay and snpattestd)
# Environment: EPOCHS (default 100), API_REQUESTS (default 4000), DAEMON_BENCH_LOG (a path: keep the
# daemon's log there, with every epoch's phase breakdown).
set -euo pipefail
bin_dir=$1
json=${2:-}
epochs=${EPOCHS:-100}
requests=${API_REQUESTS:-4000}
snprelay=$bin_dir/snprelay
chain=$bin_dir/snpattestd
work=$(mktemp -d)
source "$(dirname "$0")/../scripts/devnet-lib.sh"
say() { echo "daemon_bench: $*" >&2; }

# A devnet with one-second epochs (200 ms blocks, 5 blocks): 100 epochs take about two minutes.
start_devnet "$snprelay" "$chain" "$work/sim" snpbench-1 200ms 5

export SNPRELAY_KEY_PASSPHRASE="bench passphrase (simulated devnet only)"
api_port=$(free_port)
"$snprelay" init --devnet "$work/chain/devnet.json" --home "$work/relayer" --api-listen "127.0.0.1:$api_port" \
  >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 3; }
api=http://127.0.0.1:$api_port
SNPRELAY_RELAYER_POLL_INTERVAL=100ms "$snprelay" start --config "$work/relayer/snprelay.toml" \
  >"$work/snprelay.log" 2>&1 &
daemon=$!
pids+=($daemon)

committed() {  # 0 until the API answers
  { curl -s "$api/metrics" || true; } | sed -n 's/^snprelay_submissions_total{result="committed"} \([0-9]*\).*/\1/p'
}
say "waiting for $epochs committed epochs"
last=0
stuck=0
while :; do
  kill -0 "$daemon" 2>/dev/null || { tail -20 "$work/snprelay.log" >&2; exit 3; }
  n=$(committed)
  n=${n:-0}
  [ "$n" -ge "$epochs" ] && break
  if [ "$n" -eq "$last" ]; then stuck=$((stuck + 1)); else stuck=0; last=$n; fi
  [ "$stuck" -lt 600 ] || { say "no progress for 60 s at $n epochs"; tail -20 "$work/snprelay.log" >&2; exit 3; }
  sleep 0.1
done
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status")

# The first broadcast fetched nothing either (the simulated firmware's certificate table gives the VCEK),
# so every line is a warm-cache pass.
[ -z "${DAEMON_BENCH_LOG:-}" ] || cp "$work/snprelay.log" "$DAEMON_BENCH_LOG"
grep -o 'in the mempool [0-9.]* ms' "$work/snprelay.log" | awk '{print $4}' | sort -n >"$work/latency"
count=$(wc -l <"$work/latency")
pct() { awk -v p="$1" -v n="$count" 'NR == int((n - 1) * p / 100) + 1 {print; exit}' "$work/latency"; }
p50=$(pct 50)
p99=$(pct 99)
# The median of each phase of the breakdown the same lines carry, for the human summary.
phases=""
for phase in "chain reads" evidence self-check journal write-ahead "sign and broadcast"; do
  m=$(grep -o "$phase [0-9.]*" "$work/snprelay.log" | awk '{print $NF}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  phases="$phases$phase $m  "
done
say "api_generate: $requests requests, 8 in parallel"
nonce=$(head -c 32 /dev/urandom | base64 -w0)
for _ in $(seq 1 "$requests"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$api/v1/attestation/generate"; done \
  >"$work/requests.curl"
start=$(date +%s.%N)
codes=$(curl -s --no-progress-meter --parallel --parallel-max 8 -X POST -H 'Content-Type: application/json' \
  -d "{\"nonce\": \"$nonce\"}" -w '%{http_code}\n' -K "$work/requests.curl")
end=$(date +%s.%N)
ok=$(grep -c '^200$' <<<"$codes" || true)
[ "$ok" -eq "$requests" ] || { say "only $ok of $requests answers were 200"; exit 1; }
per_second=$(awk -v n="$requests" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n / (b - a)}')
kill -TERM "$daemon"
wait "$daemon" || { say "snprelay did not stop cleanly"; exit 1; }

mb=$(awk -v kb="$rss_kb" 'BEGIN {printf "%.1f", kb / 1024}')
if [ "$json" = "--json" ]; then
  printf '{"name": "epoch_latency", "p50_ms": %s, "p99_ms": %s, "epochs": %s}\n' "$p50" "$p99" "$count"
  printf '{"name": "relayer_rss", "mb": %s, "epochs": %s}\n' "$mb" "$epochs"
  printf '{"name": "api_generate", "per_second": %s, "requests": %s}\n' "$per_second" "$requests"
else
  echo "== daemon (devnet, simulated firmware)"
  printf '  epoch_latency  p50 %s ms  p99 %s ms  (%s epochs; goal p99 <= 20 ms)\n' "$p50" "$p99" "$count"
  printf '                 median ms by phase: %s\n' "$phases"
  printf '  relayer_rss    %s MB after %s epochs (goal <= 30 MB)\n' "$mb" "$epochs"
  printf '  api_generate   %s requests/s (%s requests, 8 in parallel)\n' "$per_second" "$requests"
fi
