// One epoch of DESIGN.md §2, as blocking calls: the daemon's loop runs attest_current() on its worker
// pool every poll, and recover() at start-up and after a failure it could not classify.
//
// attest_current():
//   1. CurrentEpoch and the node's status (latest height and block time); the journal row of
//      (operator, epoch): committed or failed -> nothing to do (and nothing else is asked of the
//      node); broadcast -> resolved by the recovery rules (recovery.hpp), never signed again;
//   2. allowlist sync into the local copy (allowlist/sync.hpp) when the chain's version is ahead of
//      it; the binding uses the local version,
//      which must be the chain's current or previous one (what the module accepts), else
//      kAllowlistStale; a sync alarm is reported with the outcome either way;
//   3. the chain's Params, and Relayer(operator), which must be this relayer's account (else
//      kNotRegistered: `snprelay init` registers it) — read on a second thread during step 4;
//   4. the report for the binding (app/binding.hpp) from the evidence source, the VCEK from the host's
//      certificate table, else the KDS client and its cache;
//   5. the self-check (app/self_check.hpp): a report the chain would refuse is never broadcast
//      (kSelfCheckFailed, with the first failing check's code);
//   6. journal prepare, then TxSubmitter::submit with the write-ahead hook (the signed bytes are in the
//      journal before they leave the process; a re-sign after a sequence mismatch replaces them);
//   7. confirmation by hash: committed at a height, refused in a block (failed, with the module's code),
//      or still pending (the next pass or recover() resolves it).
// Errors are what could not be asked (every RPC endpoint down, the device, the KDS, the database); the
// outcome of a pass that reached a verdict is a value.
//
// Thread-safety: one thread at a time (the daemon's epoch strand). The parts are not owned and must
// outlive the runner; the journal and the allowlist store belong to this runner's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "allowlist/store.hpp"
#include "allowlist/sync.hpp"
#include "attest/evidence/evidence_source.hpp"
#include "attest/kds/kds_client.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "chain/rpc/types.hpp"
#include "chain/tx/messages.hpp"
#include "config/config.hpp"
#include "relayer/app/self_check.hpp"
#include "relayer/daemon/journal.hpp"
#include "relayer/daemon/recovery.hpp"

namespace snprelay::daemon {

// What the runner is for.
struct EpochSetup {
  std::string chain_id;
  std::string operator_address;  // valoper bech32
  config::HardwareMode hardware_mode = config::HardwareMode::kRequire;
  attest::Product product = attest::Product::kMilan;  // for v2 reports, which do not say
  std::uint32_t vmpl = 0;
  // auto: the evidence's own VCEK/VLEK (the host's certificate table) when it has one, else the KDS;
  // kds: always the KDS client (its cache first).
  config::VcekSource vcek_source = config::VcekSource::kAuto;
  std::string memo = "snprelay";
};

// The parts one pass uses; none is owned.
struct EpochParts {
  chain::rpc::ChainClient* chain = nullptr;
  chain::rpc::TxSubmitter* submitter = nullptr;
  allowlist::Store* allowlist = nullptr;
  allowlist::UpdateSource* updates = nullptr;
  attest::EvidenceSource* evidence = nullptr;
  attest::KdsClient* kds = nullptr;
  Journal* journal = nullptr;
  std::function<std::int64_t()> now_unix;  // wall clock for journal times
};

struct EpochOutcome {
  enum class Kind {
    kAlreadyDone,      // the journal holds a final row for the epoch
    kCommitted,        // our attestation is in a block (this pass or an earlier one)
    kPending,          // broadcast, not yet seen in a block
    kSelfCheckFailed,  // the chain would refuse the report: not broadcast
    kRefused,          // the chain refused the tx (CheckTx or in a block): failed in the journal
    kMissed,           // the window closed before anything landed
    kNotRegistered,    // Relayer(operator) is not this relayer's account
    kAllowlistStale,   // the local allowlist is neither the chain's current nor previous version
  };
  Kind kind = Kind::kPending;
  std::uint64_t epoch = 0;
  std::string txhash;
  std::int64_t height = 0;
  std::string code;                     // self-check failure code, or "<codespace> <code>" of a refusal
  std::string message;                  // in words
  std::uint64_t allowlist_version = 0;  // the local version the binding used
  std::optional<allowlist::Alarm> allowlist_alarm;
  bool simulated = false;           // the evidence came from the simulated firmware
  std::uint64_t reported_tcb = 0;   // REPORTED_TCB of the report (raw)
  std::optional<bool> guest_debug;  // the report's POLICY.DEBUG bit; unset when no report was taken
  attest::Product product = attest::Product::kUnknown;
  // This pass's broadcast: from the CurrentEpoch answer (the nonce read) to CheckTx accepting the tx
  // into the node's mempool; unset when the pass broadcast nothing. Block time is not in it.
  std::optional<std::chrono::microseconds> to_mempool;
  // Where to_mempool went (set with it): the chain reads after the nonce not overlapped with the
  // evidence (allowlist sync, waiting for Params and Relayer), the report and its VCEK, the self-check,
  // the journal's prepare row, the write-ahead broadcast row (its fsync), and the rest of the submitter
  // (gas, signing, CheckTx).
  struct Phases {
    std::chrono::microseconds chain{0}, evidence{0}, self_check{0}, journal{0}, write_ahead{0}, submit{0};
  };
  Phases phases;
};

// "already_done", "committed", "pending", "self_check_failed", "refused", "missed", "not_registered",
// "allowlist_stale": for logs, health and metric labels.
[[nodiscard]] const char* outcome_name(EpochOutcome::Kind kind);

class EpochRunner {
 public:
  EpochRunner(EpochSetup setup, EpochParts parts);

  // One pass for the chain's current epoch (see the file comment).
  [[nodiscard]] Result<EpochOutcome> attest_current();

  // Resolves every unfinished journal row with the recovery rules: marks committed/failed/missed,
  // re-sends recorded bytes unchanged, or leaves a row for attest_current (a prepared row of the
  // current epoch). Returns how many rows it changed or re-sent.
  [[nodiscard]] Result<int> recover();

  // Journal rows this runner quarantined since it was made (Journal::quarantine_invalid, run at the start
  // of every pass once the chain's current epoch is known), and the ones the last sweep moved.
  [[nodiscard]] std::uint64_t quarantined_total() const { return quarantined_total_; }
  [[nodiscard]] const std::vector<QuarantinedRow>& last_quarantined() const { return last_quarantined_; }

 private:
  struct ChainView;
  [[nodiscard]] Result<ChainView> view() const;          // status and CurrentEpoch
  [[nodiscard]] Status load_params(ChainView& v) const;  // the chain's Params into v
  struct ChainReads {
    app::ChainParams params;
    std::string relayer;  // Relayer(operator); "" when none is set
  };
  [[nodiscard]] Result<ChainReads> params_and_relayer() const;  // thread-safe: the chain client only
  // Quarantines the journal's invalid rows and those for epochs after the chain's current one; logs each.
  [[nodiscard]] Status sweep_journal(const ChainView& v);
  // An epoch whose row was quarantined has no row, but a transaction from it may have landed: the chain
  // is asked before anything is signed. The committed outcome when it holds our attestation.
  [[nodiscard]] Result<std::optional<EpochOutcome>> settle_quarantined(std::uint64_t epoch);
  [[nodiscard]] Result<RecoveryFacts> facts_for(const Entry& entry, const ChainView& v);
  [[nodiscard]] Result<EpochOutcome> resolve(const Entry& entry, const ChainView& v);
  [[nodiscard]] Result<EpochOutcome> submit(const ChainView& v, EpochOutcome out,
                                            const chain::tx::SubmitAttestation& msg,
                                            std::chrono::steady_clock::time_point mark);
  [[nodiscard]] Result<Bytes> vcek_for(const attest::Evidence& evidence, const attest::Report& report,
                                       attest::Product product) const;
  [[nodiscard]] Result<const attest::Verifier*> verifier_for(const app::ChainParams& params);

  EpochSetup setup_;
  EpochParts parts_;
  std::map<std::string, std::int64_t> sent_at_height_;  // txhash -> latest height when last admitted
  std::vector<Bytes> trusted_simulated_roots_;          // what verifier_ was built with
  std::optional<attest::Verifier> verifier_;
  std::vector<attest::X509Ptr> intermediates_;
  std::set<std::uint64_t> quarantined_epochs_;  // our operator's epochs whose row was quarantined
  std::uint64_t quarantined_total_ = 0;
  std::vector<QuarantinedRow> last_quarantined_;
};

}  // namespace snprelay::daemon
