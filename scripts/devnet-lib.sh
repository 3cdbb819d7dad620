# Sourced by scripts/run-demo.sh and bench/daemon_bench.sh: the children they start (by PID, stopped on
# exit whatever happens), a free loopback port, and a one-validator snpattestd devnet with the simulated
# firmware. Callers set -euo pipefail and `work` (a private temporary directory, removed on exit).
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_devnet SNPRELAY SNPATTESTD SIM_STATE CHAIN_ID BLOCK_TIME EPOCH_BLOCKS: the simulated firmware in
# SIM_STATE (created on first use), `devnet init` into $work/chain and `devnet start` in the background
# (log $work/chain.log) until it prints "ready"; exit 3 with the log's tail otherwise.
start_devnet() {
  "$1" report get --simulate --sim-state "$3" --report-data 00 -o "$work/first.report" >/dev/null 2>&1
  local rpc_base=$(( ( $(free_port) / 100 ) * 100 ))
  "$2" devnet init --home "$work/chain" --chain-id "$4" --validators 1 --sim-state "$3" \
    --block-time "$5" --epoch-blocks "$6" --rpc-port "$rpc_base" >/dev/null
  "$2" devnet start --home "$work/chain" >"$work/chain.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 900); do grep -q '^ready' "$work/chain.log" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$work/chain.log" || { tail -20 "$work/chain.log" >&2; exit 3; }
}
