#!/usr/bin/env bash
# The API under load (issue 14, deliverable 5): wrk against `snprelay start` on loopback.
# The daemon runs without a chain, the way tests/packaging/syscall_filter_test.sh starts it: the devnet
# profile (packaging/config/snprelay-devnet.toml: simulated firmware) in a private temp home, an RPC
# endpoint that refuses connections (127.0.0.1:1; the epoch passes fail, the API serves regardless),
# the API on a free loopback port (listen port 0, read back from the "API listening" log line).
# Limits in that config: [api] max_connections = 1100 (default 256), so 1,000 wrk connections plus a
# scrape fit; [enclave.runtime] max_concurrent_requests = 100 and request_timeout = "5s" (the defaults,
# written out): past 100 requests queued or running at once, generate answers 503 + Retry-After: 1.
#
# Runs, each ~DURATION seconds with wrk --latency and bench/api_load.lua:
#   POST /v1/attestation/generate (the guide's body {"nonce": base64 of 32 bytes}) at 1, 100, 1000
#   connections (2 wrk threads; 1 thread at 1 connection: wrk needs connections >= threads),
#   GET /health/enclave at 100 connections.
# After each run: requests/s, p99 latency (wrk's distribution), non-2xx count (503s are reported as they
# come, not hidden), socket errors and timeouts, and the daemon's VmRSS (/proc/PID/status).
# Finally the daemon is stopped with SIGTERM and must exit 0.
#
# Usage: bench/api_load.sh BIN_DIR [--json]   (BIN_DIR holds snprelay)
#   --json: one line per run:
#   {"name": "api_load", "endpoint": "generate", "connections": C, "per_second": X, "p99_ms": Y,
#    "non_2xx": N, "rss_mb": Z}
#   without: a table. Progress and failures go to stderr.
# Environment: DURATION (seconds per run, default 10), KEEP_WORK=1 keeps the temp home and logs.
# Exit: 0 ok; 1 a run or the daemon's stop failed; 3 the daemon did not start; 77 wrk is not installed.
set -euo pipefail
bin_dir=${1:?usage: api_load.sh BIN_DIR [--json]}
json=${2:-}
duration=${DURATION:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
snprelay=$bin_dir/snprelay
script=$here/bench/api_load.lua
say() { echo "api_load: $*" >&2; }

command -v wrk >/dev/null || { say "wrk is not installed (Debian: apt-get install wrk)"; exit 77; }
# 1,000 client sockets in wrk and as many accepted ones in the daemon (each process has its own limit).
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  ulimit -n 4096 || { say "ulimit -n is $(ulimit -n) and cannot be raised to 4096"; exit 1; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/snprelay-api-load.XXXXXX")
daemon=""
cleanup() {
  [ -z "$daemon" ] || kill -KILL "$daemon" 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

home=$work/home
mkdir -m 0700 "$home"
sed -e "s|/var/lib/snprelay|$home/lib|g" -e "s|/var/cache/snprelay|$home/cache|g" \
  -e 's|^operator = "".*|operator = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8"|' \
  -e 's|127.0.0.1:26657|127.0.0.1:1|' -e 's|^listen = .*|listen = "127.0.0.1:0"\nmax_connections = 1100|' \
  -e 's|^level = .*|level = "info"|' \
  "$here/packaging/config/snprelay-devnet.toml" >"$home/snprelay.toml"
cat >>"$home/snprelay.toml" <<'EOF'

[enclave.runtime]
max_concurrent_requests = 100
request_timeout = "5s"

[allowlist.signers]
"gov-1" = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"
EOF
export SNPRELAY_KEY_PASSPHRASE="api load bench passphrase (simulated, no chain)"
"$snprelay" config check "$home/snprelay.toml" >"$work/check.log" 2>&1 || { cat "$work/check.log" >&2; exit 3; }
HOME=$home "$snprelay" keys add relayer --config "$home/snprelay.toml" --mnemonic-out "$home/mnemonic" \
  >"$work/keys.log" 2>&1 || { cat "$work/keys.log" >&2; exit 3; }
# The simulated firmware's RSA-4096 keys are made before the daemon starts, outside the timed wait below
# (on a loaded machine their generation alone can take longer than the wait).
HOME=$home "$snprelay" report get --simulate --sim-state "$home/lib/sim" --nonce 00 -o "$work/first.report" \
  >"$work/sim.log" 2>&1 || { cat "$work/sim.log" >&2; exit 3; }
HOME=$home "$snprelay" start --config "$home/snprelay.toml" >"$work/daemon.log" 2>&1 &
daemon=$!
port=""
for _ in $(seq 300); do  # up to 30 s for a start-up that makes no keys
  port=$(sed -nE 's/.*API listening on 127\.0\.0\.1:[0-9]+ \(port ([0-9]+)\).*/\1/p' "$work/daemon.log" | head -1)
  [ -z "$port" ] || break
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { tail -20 "$work/daemon.log" >&2; say "the daemon did not report its API port"; exit 3; }
api=http://127.0.0.1:$port
nonce=$(head -c 32 /dev/urandom | base64 -w0)
# One request of each kind must succeed before any load: a 503 later is then the limits, not a setup fault.
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"nonce\": \"$nonce\"}" \
  "$api/v1/attestation/generate" || { tail -20 "$work/daemon.log" >&2; say "generate failed before load"; exit 3; }
curl -sf -o /dev/null "$api/health/enclave" || { say "GET /health/enclave failed before load"; exit 3; }

# settle: before a run, let the previous one drain. Requests a closed wrk connection left queued in the
# pool still run to the end, and would take slots (and 503 the next run) if not waited for.
settle() {
  local open
  sleep 1
  for _ in $(seq 50); do
    open=$(curl -s "$api/metrics" | sed -nE 's/^snprelay_http_connections_open ([0-9]+).*/\1/p')
    [ "${open:-99}" -gt 1 ] || return 0
    sleep 0.1
  done
  say "warning: $open connections still open after the previous run"
}
rows=()
# run ENDPOINT PATH CONNECTIONS [GET]: one wrk run; appends "endpoint C per_second ok_per_second p99_ms
# non_2xx rss_mb errors timeouts" to rows (ok_per_second: the 2xx answers alone).
run() {
  local endpoint=$1 path=$2 c=$3 method=${4:-POST} threads=2
  [ "$c" -ge 2 ] || threads=1
  settle
  say "$endpoint: $c connections, $threads threads, ${duration}s"
  local out
  out=$(API_LOAD_NONCE=$nonce API_LOAD_METHOD=$method wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 10s \
    --latency -s "$script" "$api$path" 2>&1) || { echo "$out" >&2; say "wrk failed"; exit 1; }
  echo "$out" >>"$work/wrk.log"
  local line
  line=$(grep '^api_load: ' <<<"$out") || { echo "$out" >&2; say "no summary line from api_load.lua"; exit 1; }
  kill -0 "$daemon" 2>/dev/null || { tail -20 "$work/daemon.log" >&2; say "the daemon died under load"; exit 1; }
  local rss_kb
  rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status")
  field() { sed -nE "s/.* $1=([0-9]+).*/\1/p" <<<"$line"; }
  local requests duration_us p99_us non_2xx errors timeouts
  requests=$(field requests)
  duration_us=$(field duration_us)
  p99_us=$(field p99_us)
  non_2xx=$(field non_2xx)
  errors=$(($(field connect) + $(field read) + $(field write)))
  timeouts=$(field timeout)
  [ "$requests" -gt 0 ] || { echo "$out" >&2; say "no request was answered"; exit 1; }
  rows+=("$(awk -v e="$endpoint" -v c="$c" -v n="$requests" -v d="$duration_us" -v p="$p99_us" -v x="$non_2xx" \
    -v r="$rss_kb" -v err="$errors" -v t="$timeouts" \
    'BEGIN {printf "%s %d %.1f %.1f %.2f %d %.1f %d %d", e, c, n / (d / 1e6), (n - x) / (d / 1e6), p / 1000, x,
           r / 1024, err, t}')")
}
for c in 1 100 1000; do run generate /v1/attestation/generate "$c"; done
run health /health/enclave 100 GET

# What the server itself counted: its rejections by reason (the 503s above are "concurrency").
curl -s "$api/metrics" | grep -E '^snprelay_http_(rejected|connections|responses)' >"$work/server_stats" || true
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
daemon=""
[ "$rc" -eq 0 ] || { tail -20 "$work/daemon.log" >&2; say "snprelay exited $rc after SIGTERM"; exit 1; }
grep -q '\[daemon\] stopped' "$work/daemon.log" || say "warning: no '[daemon] stopped' line in the log"

if [ "$json" = "--json" ]; then
  for row in "${rows[@]}"; do
    read -r e c ps _ p99 x mb _ _ <<<"$row"
    printf '{"name": "api_load", "endpoint": "%s", "connections": %s, "per_second": %s, "p99_ms": %s, "non_2xx": %s, "rss_mb": %s}\n' \
      "$e" "$c" "$ps" "$p99" "$x" "$mb"
  done
else
  echo "== api_load (wrk, ${duration}s per run, loopback, simulated firmware, no chain; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf '  %-9s %11s %10s %10s %9s %9s %8s %15s\n' endpoint connections requests/s "2xx/s" p99_ms non_2xx rss_mb \
    "errors/timeouts"
  for row in "${rows[@]}"; do
    read -r e c ps ok p99 x mb err t <<<"$row"
    printf '  %-9s %11s %10s %10s %9s %9s %8s %15s\n' "$e" "$c" "$ps" "$ok" "$p99" "$x" "$mb" "$err/$t"
  done
  [ ! -s "$work/server_stats" ] || sed 's/^/  server: /' "$work/server_stats"
fi
