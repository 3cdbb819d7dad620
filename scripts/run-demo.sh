#!/usr/bin/env bash
# Builds snprelay and runs the most end-to-end job it can do today, on the embedded default
# (simulated firmware, local KDS stand-in, both on this machine):
#   1. validate the guide's enclave.toml
#   2. start the local AMD KDS stand-in serving the simulated firmware's certificates
#   3. get an attestation report bound to a fresh nonce from the simulated firmware
#   4. fetch its VCEK through the real KDS client and certificate cache (twice: the second is a hit)
#   5. verify the report: accepted with the simulated root trusted explicitly, and CHAIN_UNTRUSTED
#      without it (only AMD's pinned roots are trusted by default)
# Every step is printed; the KDS stand-in is stopped by PID at the end, whatever happens.
# Later issues grow this into the full devnet loop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
bin=build/bin/snprelay
demo=build/demo                   # kept between runs: the simulated firmware's keys are made once
state=$demo/sim-firmware
work=$(mktemp -d)
kds_pid=""
cleanup() {
  [ -n "$kds_pid" ] && kill "$kds_pid" 2>/dev/null && wait "$kds_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$demo"

step() { printf '\n== %s\n' "$*"; }

step "1. snprelay $("$bin" version --json | sed 's/.*"version":"\([^"]*\)".*"git_commit":"\([^"]*\)".*/\1 (commit \2)/'); validate the guide's enclave.toml"
"$bin" config check tests/data/config/guide-enclave.toml >/dev/null

step "2. start the local KDS stand-in for the simulated firmware (state: $state; first run makes its keys)"
"$bin" sim kds --listen 127.0.0.1:0 --state "$state" >"$work/kds.out" 2>"$work/kds.err" &
kds_pid=$!
for _ in $(seq 1 300); do grep -q '^listening on' "$work/kds.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on' "$work/kds.out" || { cat "$work/kds.err"; exit 3; }
kds="http://$(sed -n 's/^listening on //p' "$work/kds.out")/vcek/v1"
echo "KDS stand-in at $kds (pid $kds_pid)"

step "3. report bound to a fresh nonce (REPORT_DATA = SHA-512(nonce))"
nonce=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "nonce $nonce"
"$bin" report get --simulate --sim-state "$state" --nonce "$nonce" -o "$work/report.bin"
"$bin" report show "$work/report.bin" | awk '/^(version|vmpl|measurement|chip_id):/ {print} /^reported_tcb:/ {t=1; printf "reported_tcb:"; next} t && /^  / {printf " %s", $0; next} t {t=0; print ""}'


step "4. fetch the VCEK named by the report's CHIP_ID and REPORTED_TCB, through the cache"
"$bin" fetch vcek --report "$work/report.bin" --product Milan --kds "$kds" --cache "$demo/cert-cache" \
  --out "$work/vcek.der"
"$bin" fetch vcek --report "$work/report.bin" --product Milan --kds "$kds" --cache "$demo/cert-cache" \
  --out "$work/vcek.der"

step "5. verify: the simulated root trusted explicitly, the nonce binding checked"
report_data=$(printf '%b' "$(printf '%s' "$nonce" | sed 's/../\\x&/g')" | openssl dgst -sha512 -r | cut -d' ' -f1)
"$bin" verify --report "$work/report.bin" --vcek "$work/vcek.der" --chain "$state/ask.pem" \
  --trust-root "$state/ark.pem" --report-data "$report_data" --min-tcb bl=2,tee=0,snp=8,ucode=115

step "6. the same report with only AMD's pinned roots trusted (exit 1 expected)"
set +e
"$bin" verify --report "$work/report.bin" --vcek "$work/vcek.der" --chain "$state/ask.pem"
rc=$?
set -e
echo "exit code: $rc"
[ "$rc" -eq 1 ]

step "demo finished: KDS stand-in stopped"
