// `snprelay doctor`: what stands between this relayer and an attested epoch, checked one part at a time.
//
// run_doctor() runs nine checks in a fixed order and returns one CheckResult for each, always all
// nine, in this order (`snprelay doctor` appends relayer/daemon/preflight.hpp's journal and api checks:
// together they are every check `start` performs at startup, read-only):
//   evidence   the device (/dev/sev-guest ioctl or configfs-tsm, per hardware_mode) answers one report
//              request, or the simulated firmware does (warn: "simulated", never ok-as-hardware);
//   kds        the certificate cache (VCEKs cached, age of the cert chain vs cert_cache_ttl) and one GET
//              of kds_base_url; unreachable with a warm cache (or, with vcek_source = "auto", a VCEK
//              from the host) = warn, with a cold one = fail;
//   chain      every [chain] rpc endpoint's `status`: reachable, network == chain_id (fail naming both
//              ids), latest height; some endpoints down but one up = warn;
//   relayer    Query/Relayer for [relayer] operator == this key's address (fail: what the chain has and
//              the `snprelay tx set-relayer` line that fixes it);
//   key        the relayer key opens in its protection mode; never prompts (passphrase mode without
//              SNPRELAY_KEY_PASSPHRASE = fail naming the variable);
//   tpm        the TPM at the resolved tcti starts up when the key is tpm-protected or a non-default
//              [tpm] tcti is configured; otherwise "not used" (ok);
//   allowlist  the local copy's version vs the chain's (Query/Allowlist, latest), stale = warn; the pinned
//              [allowlist.signers] + threshold vs Query/AllowlistSigners, different = fail (DESIGN.md §8);
//   tcb        the report's REPORTED_TCB vs the allowlist's minimum for its product (the local copy, when
//              it is at the chain's version) — below = fail;
//   daemon     [relayer] state_dir is (or can be) a directory, and whether a daemon holds its lock (warn:
//              a second start would exit 2).
// Issue 21: the evidence check never creates a simulated firmware state (an empty sim_state_dir fails,
// as start does); the allowlist check re-verifies the local copy read-only (verify_db) — a copy that
// does not match its signed updates is a warning that start will set it aside and rebuild it, one of
// another chain or signer set a failure (start refuses it).
// A check that cannot run because an earlier one failed says "skipped: <why>" (warn or fail, never ok).
// Every network step is bounded (DoctorOptions::timeout per request; the KDS GET is one attempt), so
// run_doctor returns in bounded time. It sends nothing to the chain and creates none of the relayer's files:
// the allowlist copy is read read-only when it exists; one report is requested (check 8 reuses check 1's).
//
// Thread-safety: pure functions over their arguments; run_doctor uses its own clients and may run
// beside a daemon using the same files (SQLite lets readers in; the evidence device serialises).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "allowlist/types.hpp"
#include "attest/tcb.hpp"
#include "config/config.hpp"

namespace snprelay::app {

enum class CheckLevel { kOk, kWarn, kFail };

// "ok", "warn", "fail".
[[nodiscard]] const char* level_name(CheckLevel level);

// One line of the doctor's answer: the check's name ("evidence" ... "tcb"), its level, and a detail
// in words (input-derived text is escaped when it is printed, not here).
struct CheckResult {
  std::string name;
  CheckLevel level = CheckLevel::kOk;
  std::string detail;
};

// "ok    evidence   <detail>": level and name padded to fixed columns, the detail escaped to one line.
[[nodiscard]] std::string format_check_line(const CheckResult& check);

// [{"check", "level", "detail"}, ...] in the order given (details escaped).
[[nodiscard]] nlohmann::ordered_json checks_json(const std::vector<CheckResult>& checks);

// The exit rule: true when any check failed (warn does not count).
[[nodiscard]] bool any_failed(const std::vector<CheckResult>& checks);

// How `pinned` (the configuration's set) differs from `chain` (Query/AllowlistSigners), in words, or
// nullopt when they are the same set: the same key ids with the same public keys (order does not
// matter) and the same threshold.
[[nodiscard]] std::optional<std::string> signer_set_difference(const allowlist::SignerSet& pinned,
                                                               const allowlist::SignerSet& chain);

// The components of `reported` below `minimum`, as "snp 3 < 8" phrases in layout order (fmc first, only
// when `reported` has one; then boot_loader, tee, snp, microcode); empty when the TCB meets it.
[[nodiscard]] std::vector<std::string> tcb_shortfalls(const attest::TcbParts& reported,
                                                      const allowlist::ProductTcb& minimum);

// The lock file `start` holds for its life ([relayer] state_dir/snprelay.lock, common/process_lock.hpp);
// `status` and `doctor` ask lock_holder() about it.
[[nodiscard]] std::string daemon_lock_path(const config::Config& config);

// "not running" or "running (PID 1234 holds /var/lib/snprelay/snprelay.lock)", read-only; the error
// when the lock file cannot be examined.
[[nodiscard]] Result<std::string> daemon_lock_state(const config::Config& config, bool* running = nullptr);

struct DoctorOptions {
  // Bounds each network request of a check (RPC status and queries, the KDS GET).
  std::chrono::milliseconds timeout{5'000};
};

// The nine checks of the file comment for `config`; `config_path` names the file in the details
// (e.g. the `keys protect ... --config PATH` line). Never an Error: what goes wrong is a check's level.
[[nodiscard]] std::vector<CheckResult> run_doctor(const config::Config& config,
                                                  const std::string& config_path,
                                                  const DoctorOptions& options = {});

}  // namespace snprelay::app
