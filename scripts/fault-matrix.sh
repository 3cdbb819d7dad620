#!/usr/bin/env bash
# scripts/fault-matrix.sh BUILD_DIR — the fault matrix of docs/RELIABILITY.md (issue 14, deliverable 4).
#
# Runs BUILD_DIR/bin/snprelay_faults_tests (tests/integration/faults: each case injects one fault into a
# running `snprelay start` on a devnet of its own and appends one JSON line
# {"fault", "behaviour", "lost", "recovery_s", "epochs_missed"} to $SNPRELAY_FAULT_REPORT), then renders
# those lines as a Markdown table between the markers `<!-- fault-matrix:begin -->` and
# `<!-- fault-matrix:end -->` of docs/RELIABILITY.md, with the date and the machine, followed by the
# faults this binary does not measure and the tests that cover them.
# When a case fails, nothing is written (exit 1); the binary's output goes to stderr.
# Build first: cmake --build BUILD_DIR --target snprelay_faults_tests (it also builds snprelay; the
# devnet needs BUILD_DIR/bin/snpattestd, from scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:?usage: scripts/fault-matrix.sh BUILD_DIR}"
bin="$build/bin/snprelay_faults_tests"
doc=docs/RELIABILITY.md
if [ ! -x "$bin" ]; then
  echo "fault-matrix: $bin is not built (cmake --build $build --target snprelay_faults_tests)" >&2
  exit 2
fi
grep -q '<!-- fault-matrix:begin -->' "$doc" && grep -q '<!-- fault-matrix:end -->' "$doc" || {
  echo "fault-matrix: $doc has no fault-matrix markers" >&2
  exit 2
}
report="$(mktemp /tmp/snprelay-fault-matrix-XXXXXX)"
trap 'rm -f "$report"' EXIT

echo "fault-matrix: running $bin (about 3 minutes)" >&2
started=$(date +%s)
if ! SNPRELAY_FAULT_REPORT="$report" "$bin" >&2; then
  echo "fault-matrix: a case failed; $doc is left as it was" >&2
  exit 1
fi
took=$(($(date +%s) - started))
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"

python3 - "$report" "$doc" "$(date -u +%Y-%m-%d)" "$(nproc)" "${cpu:-unknown CPU}" "$took" <<'PY'
import json
import sys

report, doc, day, nproc, cpu, took = sys.argv[1:7]
rows = [json.loads(line) for line in open(report, encoding="utf-8") if line.strip()]
if not rows:
    sys.exit("fault-matrix: the test binary wrote no report lines")


def cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def seconds(value):
    return "n/a" if value is None else f"{value:g} s"


out = [
    f"Measured {day} on {nproc} cores ({cpu}) by `scripts/fault-matrix.sh` "
    f"(`snprelay_faults_tests`, ctest `faults.matrix`, {took} s; 500 ms blocks, 10-block epochs). "
    "Recovery is from the fault's start where the relayer works through it (failover, retries), "
    "else from its end (the stand-in back, the file restored, the daemon restarted); "
    "epochs missed counts epochs with no attestation between the last one before the fault and the "
    "first one after it.",
    "",
    "| fault | what the relayer did | lost | recovery | epochs missed |",
    "|---|---|---|---|---|",
]
for r in rows:
    out.append(
        f"| {cell(r['fault'])} | {cell(r['behaviour'])} | {cell(r['lost'])} | "
        f"{seconds(r['recovery_s'])} | {r['epochs_missed']} |"
    )
out += [
    "",
    "Not measured by this binary:",
    "",
    "| fault | where it is covered |",
    "|---|---|",
    "| RPC node killed | `tests/integration/onchain/localnet_test.cpp` "
    "`Localnet.DaemonFailsOverWhenTheFirstNodeDiesAndReturnsWhenItIsBack` (4 validators, node 0 SIGKILLed: "
    "the next epoch lands through node 1; node 0 restarted is used again) |",
    "| KDS 429 with Retry-After; KDS down with a warm cache | `tests/integration/onchain/daemon_acceptance_test.cpp` "
    "`DaemonAcceptance.KdsRetryAfterAndOutageAllowlistUpdateAndRevocation` (phases 1 and 2) |",
    "| SIGKILL at each journal step | `tests/integration/onchain/devnet_crash_test.cpp` "
    "`DevnetCrash.KilledAfterTheWriteAheadRecordBeforeTheBroadcast`, "
    "`DevnetCrash.KilledAfterTheBroadcastBeforeTheConfirmation`, "
    "`DevnetCrash.KilledAfterTheConfirmationNothingIsSubmittedAgain` (one step is re-measured above) |",
    "| allowlist GAP, WRONG_CHAIN, EXPIRED, a foreign signer set; SIGKILL in the middle of a sync | "
    "`tests/unit/allowlist/sync_test.cpp` `AllowlistSync.RefusalsRaiseNamedAlarmsAndKeepTheCopy`, "
    "`AllowlistSync.ForeignSignerSetIsNamed`; `tests/integration/allowlist/kill_resume_test.cpp` "
    "`AllowlistKillResume.SigkillMidSyncThenCleanResume` (unit and integration level; forged, rollback and "
    "fork are measured above against a running daemon) |",
    "| TPM unreachable for `snprelay tpm` commands | `tests/integration/tpm/tpm_wrapper_test.cpp` "
    "`TpmOpen.ConnectionErrorsAreNamed`, `tests/integration/tpm/tpm_cli_test.cpp` "
    "`TpmCliTest.InputErrorsExit2AndUnreachableExit3` |",
    "| the KDS cache's TTL across a clock jump | not covered: on the devnet the VCEK comes from the "
    "simulated firmware's certificate table, so the cache is not read; a forward step past the TTL "
    "would refetch (an unchanged VCEK), a backward step keeps an entry fresh for TTL + the step |",
]

text = open(doc, encoding="utf-8").read()
begin, end = "<!-- fault-matrix:begin -->", "<!-- fault-matrix:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w", encoding="utf-8").write(head + begin + "\n" + "\n".join(out) + "\n" + end + tail)
print(f"fault-matrix: {len(rows)} cases written to {doc}", file=sys.stderr)
PY
