#!/usr/bin/env bash
# ctest packaging.syscall_filter: does `snprelay start` live within the unit's sandbox at run time?
# systemd-analyze verify checks the unit's syntax, not whether the daemon can work inside it, and this
# machine has no systemd to run the unit. So: run the daemon as an unprivileged user (as the unit does:
# SQLite, for one, calls fchown only as root) under strace with the devnet profile (simulated firmware,
# an RPC endpoint that refuses connections, the API on a free loopback port), make it serve /metrics and
# generate an attestation report, stop it with SIGTERM, and check the trace against the unit:
#   * every system call is in the set its SystemCallFilter= lines allow (groups expanded by
#     systemd-analyze syscall-filter);
#   * no writable+executable mapping and no mprotect(PROT_EXEC) (MemoryDenyWriteExecute=yes);
#   * as root only (strace -u nobody; a non-root tracer cannot read a non-dumpable process's strings):
#     every file written lies in the state or cache directory (ProtectSystem=strict), and no /proc file
#     but the process's own is read (ProcSubset=pid).
#   syscall_filter_test.sh BUILD_DIR SOURCE_DIR        (KEEP_WORK=1 keeps the trace and logs)
# Exit 0 = pass, 1 = fail (each finding printed), 77 = skipped: strace, setpriv or systemd-analyze is not
# installed.
set -euo pipefail

build_dir=${1:?usage: syscall_filter_test.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: syscall_filter_test.sh BUILD_DIR SOURCE_DIR}
binary="$build_dir/bin/snprelay"
unit="$src/packaging/systemd/snprelay.service"

for tool in strace systemd-analyze setpriv; do
  command -v "$tool" >/dev/null || {
    echo "SKIP: $tool not installed (Debian: apt-get install strace systemd util-linux)"
    exit 77
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/snprelay-syscalls.XXXXXX")
daemon_pid=""
cleanup() {
  [[ -z "$daemon_pid" ]] || kill -KILL "$daemon_pid" 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# Every system call of a group (recursively) or a single name.
expand() {
  local item=$1
  if [[ $item != @* ]]; then
    echo "$item"
    return
  fi
  systemd-analyze syscall-filter "$item" | awk 'NR > 1 && $1 !~ /^#/ && NF { print $1 }' |
    while read -r member; do expand "$member"; done
}
# SystemCallFilter= lines: without "~" they add to the allow list, with "~" they remove from it.
allowed_list=()
denied_list=()
while read -r value; do
  if [[ $value == ~* ]]; then
    denied_list+=(${value#\~})
  else
    allowed_list+=($value)
  fi
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
[[ ${#allowed_list[@]} -gt 0 ]] || { echo "FAIL: no SystemCallFilter= allow list in $unit" >&2; exit 1; }
for item in "${allowed_list[@]}"; do expand "$item"; done | sort -u >"$work/allowed"
for item in "${denied_list[@]}"; do expand "$item"; done | sort -u >"$work/denied"
comm -23 "$work/allowed" "$work/denied" >"$work/permitted"
# The expansion must be real: @system-service has hundreds of calls and excludes mount; ~@privileged
# (when the unit has it) removes fchown.
[[ $(wc -l <"$work/permitted") -gt 200 ]] || { echo "FAIL: the filter expanded to too few calls" >&2; exit 1; }
if grep -qx mount "$work/permitted"; then echo "FAIL: mount expanded as allowed" >&2; exit 1; fi

# The daemon's home, owned by the user it runs as (nobody when this test is root).
home="$work/home"
mkdir -m 0700 "$home"
sed -e "s|/var/lib/snprelay|$home/lib|g" -e "s|/var/cache/snprelay|$home/cache|g" \
  -e 's|^operator = "".*|operator = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8"|' \
  -e 's|127.0.0.1:26657|127.0.0.1:1|' -e 's|^listen = .*|listen = "127.0.0.1:0"|' \
  "$src/packaging/config/snprelay-devnet.toml" >"$home/snprelay.toml"
printf '\n[allowlist.signers]\n"gov-1" = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"\n' \
  >>"$home/snprelay.toml"
daemon_env=(env PATH="$PATH" HOME="$home" SNPRELAY_KEY_PASSPHRASE=syscall-test-passphrase)
keys_add=("$binary" keys add relayer --config "$home/snprelay.toml" --mnemonic-out "$home/mnemonic")
# The simulated firmware's RSA-4096/P-384 keys are made here, before tracing: generating them under strace
# while other test tiers load both cores took over the 60 s start-up wait (a cold CI run failed on it). The
# trace is about what the running daemon calls, and key generation adds no system call but getrandom.
sim_prepare=("$binary" report get --simulate --sim-state "$home/lib/sim" --nonce 00 -o "$home/prepare-report.bin")
start=("$binary" start --config "$home/snprelay.toml")
if [[ $(id -u) == 0 ]]; then
  # root traces (strace -u), so it can still read the paths after snprelay makes itself non-dumpable.
  chown -R nobody:nogroup "$work"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "${daemon_env[@]}" "${keys_add[@]}" >"$work/keys.log" 2>&1 ||
    { cat "$work/keys.log" >&2; echo "FAIL: snprelay keys add" >&2; exit 1; }
  setpriv --reuid=nobody --regid=nogroup --clear-groups "${daemon_env[@]}" "${sim_prepare[@]}" >"$work/sim.log" 2>&1 ||
    { cat "$work/sim.log" >&2; echo "FAIL: snprelay report get --simulate (preparing the simulated firmware)" >&2; exit 1; }
  "${daemon_env[@]}" strace -u nobody -f -qq -o "$work/trace" "${start[@]}" >"$work/daemon.log" 2>&1 &
  paths_readable=1
else
  "${daemon_env[@]}" "${keys_add[@]}" >"$work/keys.log" 2>&1 ||
    { cat "$work/keys.log" >&2; echo "FAIL: snprelay keys add" >&2; exit 1; }
  "${daemon_env[@]}" "${sim_prepare[@]}" >"$work/sim.log" 2>&1 ||
    { cat "$work/sim.log" >&2; echo "FAIL: snprelay report get --simulate (preparing the simulated firmware)" >&2; exit 1; }
  "${daemon_env[@]}" strace -f -qq -o "$work/trace" "${start[@]}" >"$work/daemon.log" 2>&1 &
  paths_readable=0  # a non-root tracer cannot read a non-dumpable process's memory: names only
fi
strace_pid=$!
port=""
for _ in $(seq 600); do  # up to 60 s for a start-up that makes no keys (they were made above)
  port=$(sed -nE 's/.*API listening on 127\.0\.0\.1:[0-9]+ \(port ([0-9]+)\).*/\1/p' "$work/daemon.log" | head -1)
  [[ -z "$port" ]] || break
  kill -0 "$strace_pid" 2>/dev/null || break
  sleep 0.1
done
daemon_pid=$(awk 'NR == 1 { print $1 }' "$work/trace" 2>/dev/null || true)
[[ -n "$port" && -n "$daemon_pid" ]] || {
  cat "$work/daemon.log" >&2
  echo "FAIL: the daemon did not report its API port" >&2
  exit 1
}

# Two requests over plain bash sockets: the metrics scrape and a simulated report.
http() {  # http METHOD PATH [BODY] -> the status line
  local body=${3:-}
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#body}" "$body" >&3
  head -1 <&3 | tr -d '\r'
  exec 3<&-
}
metrics_status=$(http GET /metrics)
generate_status=$(http POST /v1/attestation/generate '{"nonce":"00112233445566778899aabbccddeeff"}')
sleep 1
kill -TERM "$daemon_pid"
daemon_rc=0
wait "$strace_pid" || daemon_rc=$?
daemon_pid=""

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
[[ $metrics_status == "HTTP/1.1 200"* ]] || fail "GET /metrics answered '$metrics_status'"
[[ $generate_status == "HTTP/1.1 200"* ]] || fail "POST /v1/attestation/generate answered '$generate_status'"
[[ $daemon_rc == 0 ]] || fail "the daemon exited $daemon_rc after SIGTERM"
grep -q 'epoch pass failed' "$work/daemon.log" || fail "no epoch pass ran (the RPC path was not exercised)"
grep -q '\[daemon\] stopped' "$work/daemon.log" || fail "the daemon did not log its clean stop"

sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' "$work/trace" | sort -u >"$work/used"
[[ $(wc -l <"$work/used") -gt 20 ]] || fail "strace recorded only $(wc -l <"$work/used") distinct calls"
outside=$(comm -23 "$work/used" "$work/permitted")
[[ -z "$outside" ]] || fail "system calls outside the unit's SystemCallFilter=: $(echo $outside)"


# MemoryDenyWriteExecute=yes refuses writable+executable mappings and mprotect(PROT_EXEC).
wx=$(grep -E '^[0-9]+ +(mmap|mprotect|pkey_mprotect)\(' "$work/trace" |
  grep -E 'mprotect\(.*PROT_EXEC|PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE' | head -3 || true)
[[ -z "$wx" ]] || fail "calls MemoryDenyWriteExecute= refuses: $wx"
# ProtectSystem=strict: writes only under the state and cache directories (here $home/lib, $home/cache);
# ProcSubset=pid: no /proc file but the process's own.
if [[ $paths_readable == 1 ]]; then
  writes=$(grep -E '^[0-9]+ +(creat|mkdir|mkdirat|rename|renameat|renameat2|unlink|unlinkat|rmdir|link|linkat|symlink|symlinkat|truncate|chmod|fchmodat)\(' "$work/trace" || true)
  writes+=$'\n'$(grep -E '^[0-9]+ +open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)' "$work/trace" || true)
  bad_paths=$(grep -oE '"/[^"]*"' <<<"$writes" | tr -d '"' | sort -u |
    grep -vE "^($home/lib|$home/cache)(/|\$)|^/dev/null\$" || true)
  [[ -z "$bad_paths" ]] || fail "writes outside the state and cache directories: $(echo $bad_paths)"
  proc=$(grep -oE '"/proc/[^"]*"' "$work/trace" | tr -d '"' | sort -u |
    grep -vE '^/proc/(self|thread-self|[0-9]+)(/|$)' || true)
  [[ -z "$proc" ]] || fail "reads /proc files ProcSubset=pid hides: $(echo $proc)"
  [[ -n "$(grep -oE '"'"$home"'/lib/[^"]*"' "$work/trace" | head -1)" ]] || fail "no path was readable in the trace"
else
  echo "note: not root, so the written paths cannot be read from the trace; only system call names checked"
fi
if [[ $failures -gt 0 ]]; then
  tail -20 "$work/daemon.log" >&2
  exit 1
fi
echo "packaging.syscall_filter: $(wc -l <"$work/used") distinct system calls, all inside the unit's filter"
