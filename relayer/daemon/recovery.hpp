// Recovery rules: what to do with an unfinished journal entry (prepared or broadcast) on start-up or
// after an RPC failure, decided from facts the caller gathered from the chain. decide() and
// epoch_window_open() are pure (no I/O, no clock: the same entry and facts always give the same action);
// record() writes a decision that ends an entry to the journal.
//
// The facts (RecoveryFacts) come from the chain, as PROTOCOL.md's queries report them:
//   * window_open — can a submission for the entry's epoch still be accepted, now or later? Computed
//     by epoch_window_open() from CurrentEpoch (epoch, deadline_height), the latest height and the
//     accept_previous_epoch param;
//   * tx — the entry's tx looked up by hash (`tx`): not found, or included at a height with a code;
//   * attestation_on_chain — OperatorStatus / Attestation(operator, epoch) shows an accepted
//     attestation for the epoch (by anyone: a lost journal or a second relayer for the operator);
//   * blocks_since_sent — how many blocks ago THIS process last handed the bytes to a node that
//     admitted them (CheckTx 0 or "already in cache"); nullopt when unknown, as after a restart.
//
// The decision, in order (decide()):
//   1. terminal entries → kNone (nothing to resolve);
//   2. the tx is in a block with code 0 → kMarkCommitted(tx height);
//   3. the tx is in a block with snpattest code 4 (duplicate submission) and the chain holds the
//      attestation → kMarkCommitted(attestation height): an earlier submission of ours landed;
//   4. the tx is in a block with any other code → kMarkFailed (the code, codespace and log);
//   5. not found, but the chain holds the attestation → kMarkCommitted(attestation height) (confirmed by
//      OperatorStatus, e.g. the node does not index txs);
//   6. not found and the window is closed for good → kMarkMissed (never broadcast / never included);
//   7. prepared (no bytes were ever recorded, so none left the process) → kStartFresh: sign now;
//   8. broadcast and this process sent the bytes fewer than `mempool_grace_blocks` blocks ago → kWait:
//      the tx is most likely still in a mempool on its way to a block;
//   9. broadcast otherwise (after a restart we cannot know whether the bytes ever left; or the grace
//      passed and the node may have dropped them, or failed over) → kRebroadcast the SAME bytes.
//      Rebroadcasting is harmless: identical bytes have one hash, a node that holds them answers
//      "already in cache", and the chain accepts one of them at most (same account sequence).
// Never kStartFresh for a broadcast entry: that would be a second, different submission for the epoch.
//
// Thread-safety: plain functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "relayer/daemon/journal.hpp"

namespace snprelay::daemon {

// The snpattest module's codespace and its duplicate-submission code (PROTOCOL.md "Errors").
inline constexpr const char* kSnpattestCodespace = "snpattest";
inline constexpr std::uint32_t kDuplicateSubmissionCode = 4;

// What the chain's CurrentEpoch and Params say, for epoch_window_open().
struct WindowFacts {
  std::uint64_t entry_epoch = 0;             // the journal entry's epoch
  std::uint64_t current_epoch = 0;           // CurrentEpoch.epoch
  std::int64_t current_deadline_height = 0;  // CurrentEpoch.deadline_height (start + submit_window_blocks)
  std::int64_t latest_height = 0;            // the node's latest block height
  bool accept_previous_epoch = true;         // Params.accept_previous_epoch
};

// Whether a submission for `entry_epoch` can still be accepted in some block after `latest_height`.
// The module accepts epoch e at height h when h < deadline(current epoch at h) and e is the current
// epoch, or the previous one with accept_previous_epoch. The next block is latest_height + 1, so:
//   * e == current: open while latest_height + 1 < deadline; past the deadline it is closed for now,
//     and opens again in the next epoch's window when accept_previous_epoch (then it is the previous
//     epoch) — so it counts as open exactly when that param is on;
//   * e == current − 1: open while accept_previous_epoch and latest_height + 1 < deadline;
//   * anything older, or an epoch ahead of the chain's current one (a journal from another chain
//     history): closed.
// Assumes submit_window_blocks <= epoch_blocks, as the module's params validation requires.
[[nodiscard]] bool epoch_window_open(const WindowFacts& facts);

// A tx found in a block by its hash.
struct IncludedTx {
  std::int64_t height = 0;
  std::uint32_t code = 0;  // FinalizeBlock code; 0 = executed
  std::string codespace;
  std::string log;
};

struct RecoveryFacts {
  std::uint64_t current_epoch = 0;                // for the reasons written to the journal
  bool window_open = false;                       // epoch_window_open() for the entry's epoch
  std::optional<IncludedTx> tx;                   // nullopt: not found by hash (or no hash yet)
  bool attestation_on_chain = false;              // Attestation(operator, epoch) / OperatorStatus shows it
  std::int64_t attestation_height = 0;            // AttestationRecord.height; must be > 0 when on chain
  std::optional<std::int64_t> blocks_since_sent;  // this process's last admitted send; nullopt = unknown
};

struct RecoveryPolicy {
  // Blocks to wait for a tx this process just had admitted before re-sending it.
  std::int64_t mempool_grace_blocks = 3;
};

struct RecoveryAction {
  enum class Kind { kNone, kMarkCommitted, kMarkFailed, kMarkMissed, kRebroadcast, kStartFresh, kWait };
  Kind kind = Kind::kNone;
  std::int64_t height = 0;  // kMarkCommitted: the block height to record (> 0)
  std::string reason;       // kMarkFailed / kMarkMissed: the reason to record; otherwise why, in words
};

// "none", "mark_committed", "mark_failed", "mark_missed", "rebroadcast", "start_fresh", "wait": for logs.
[[nodiscard]] const char* action_name(RecoveryAction::Kind kind);

// The rules above. kRebroadcast means: send entry.tx_bytes unchanged (TxSubmitter::rebroadcast).
[[nodiscard]] RecoveryAction decide(const Entry& entry, const RecoveryFacts& facts,
                                    const RecoveryPolicy& policy = {});

// Writes a kMarkCommitted / kMarkFailed / kMarkMissed decision for `entry` to `journal` (the action's
// height or reason, at `now_unix`). Every other action records nothing and succeeds: kRebroadcast,
// kStartFresh and kWait are carried out by the caller (a re-send or a fresh submission goes through
// record_broadcast on its own). Errors: the journal's (JOURNAL_TRANSITION when the entry moved on).
[[nodiscard]] Status record(Journal& journal, const Entry& entry, const RecoveryAction& action,
                            std::int64_t now_unix);

}  // namespace snprelay::daemon
