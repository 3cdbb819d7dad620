#!/usr/bin/env bash
# The main job on the embedded default: a real one-validator snpattestd devnet on 127.0.0.1 with the
# simulated SNP firmware, the local AMD KDS stand-in, and `snprelay start` attesting every epoch.
#   1. build only snprelay and snpattestd (a cold first run builds the Cosmos SDK app: several minutes;
#      a progress line at least every 20 s)
#   2. create the simulated firmware (once, kept in build/demo) and start the devnet and the KDS stand-in
#   3. `snprelay init`: the configuration, the relayer key and the relayer's registration (MsgSetRelayer)
#   4. `snprelay start` runs until three epochs are attested on chain
#   5. the operator's on-chain status, the guide's curl line, /health/enclave, /v1/status
# Everything runs on loopback and is stopped by PID at the end, whatever happens. Nothing is
# downloaded at run time except, on a first run, Go modules for the build.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "1. build (snprelay in build/, snpattestd from onchain/; a first run takes a while)"
scripts/build.sh --demo
bin=$PWD/build/bin/snprelay
chain=$PWD/build/bin/snpattestd
demo=$PWD/build/demo                  # the simulated firmware's keys are made once and kept
state=$demo/sim-firmware
work=$(mktemp -d)
source scripts/devnet-lib.sh
mkdir -p "$demo"

step "2. simulated firmware ($state), devnet and KDS stand-in"
start_devnet "$bin" "$chain" "$state" snpdemo-1 500ms 10
info=$work/chain/devnet.json
node=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rpc"][0])' "$info")
echo "devnet snpdemo-1 at $node (pid ${pids[0]})"
"$bin" sim kds --listen 127.0.0.1:0 --state "$state" >"$work/kds.out" 2>"$work/kds.err" &
pids+=($!)
for _ in $(seq 1 300); do grep -q '^listening on' "$work/kds.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on' "$work/kds.out" || { cat "$work/kds.err"; exit 3; }
kds="http://$(sed -n 's/^listening on //p' "$work/kds.out")/vcek/v1"
echo "KDS stand-in at $kds (pid ${pids[1]})"

step "3. snprelay init: the configuration, the relayer key (imported without a prompt) and MsgSetRelayer"
export SNPRELAY_KEY_PASSPHRASE="demo passphrase (simulated devnet only)"  # `snprelay start` needs it too
operator=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["validators"][0]["operator"])' "$info")
for _ in $(seq 1 300); do "$bin" query snpattest epoch --node "$node" >/dev/null 2>&1 && break; sleep 0.2; done
api_port=$(free_port)
"$bin" init --devnet "$info" --validator 0 --home "$work/relayer" --kds "$kds" \
  --api-listen "127.0.0.1:$api_port" | sed 's/^/  /'
config=$work/relayer/snprelay.toml
"$bin" config check "$config" >/dev/null && echo "configuration: $config (valid)"

step "4. snprelay start (simulate mode) until three epochs are attested"
"$bin" start --config "$config" >"$work/snprelay.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$api_port
seen=""
for _ in $(seq 1 600); do
  kill -0 "${pids[2]}" 2>/dev/null || { tail -20 "$work/snprelay.log"; exit 3; }
  line=$(curl -s "$api/v1/status" | python3 -c 'import json,sys
try:
  j=json.load(sys.stdin)
except Exception:
  sys.exit(0)
done=[e for e in j.get("epochs", []) if e["state"]=="committed"]
print(len(done), " ".join("%d@%d" % (e["epoch"], e["height"]) for e in done))' || true)
  if [ -n "$line" ] && [ "$line" != "$seen" ]; then echo "  committed epochs@heights: ${line#* }"; seen=$line; fi
  [ "${line%% *}" -ge 3 ] 2>/dev/null && break
  sleep 0.5
done
[ "${seen%% *}" -ge 3 ] 2>/dev/null || { echo "fewer than three epochs attested"; tail -20 "$work/snprelay.log"; exit 3; }

step "5. the operator's on-chain status"
"$bin" query snpattest status "$operator" --node "$node" | sed 's/^/  /'

step "the guide's curl line: POST /v1/attestation/generate (REPORT_DATA = SHA-512(nonce))"
nonce=$(openssl rand -base64 32)
curl -s -X POST "$api/v1/attestation/generate" -H "Content-Type: application/json" \
  -d "{\"nonce\": \"$nonce\"}" --output "$work/report.bin"
echo "  report: $(stat -c %s "$work/report.bin") bytes"
want=$(printf '%s' "$nonce" | base64 -d | openssl dgst -sha512 -r | cut -d' ' -f1)
got=$(od -An -tx1 -j 80 -N 64 "$work/report.bin" | tr -d ' \n')
[ "$want" = "$got" ] && echo "  REPORT_DATA = SHA-512(nonce): yes" || { echo "  REPORT_DATA mismatch"; exit 1; }

step "GET /health/enclave"
curl -s "$api/health/enclave" | python3 -m json.tool | sed 's/^/  /'

step "stop: snprelay (SIGTERM: the pass in progress finishes), the KDS stand-in, the devnet"
kill -TERM "${pids[2]}"
wait "${pids[2]}" && echo "  snprelay exited 0"
tail -3 "$work/snprelay.log" | sed 's/^/  /'
