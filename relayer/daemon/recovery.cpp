// Recovery rules for unfinished journal entries (see recovery.hpp for the order of the rules).
#include "relayer/daemon/recovery.hpp"

namespace snprelay::daemon {

bool epoch_window_open(const WindowFacts& f) {
  const bool before_deadline = f.latest_height + 1 < f.current_deadline_height;
  if (f.entry_epoch == f.current_epoch)
    return before_deadline || f.accept_previous_epoch;
  if (f.current_epoch > 0 && f.entry_epoch == f.current_epoch - 1)
    return f.accept_previous_epoch && before_deadline;
  return false;
}

const char* action_name(RecoveryAction::Kind kind) {
  using K = RecoveryAction::Kind;
  switch (kind) {
    case K::kNone:
      return "none";
    case K::kMarkCommitted:
      return "mark_committed";
    case K::kMarkFailed:
      return "mark_failed";
    case K::kMarkMissed:
      return "mark_missed";
    case K::kRebroadcast:
      return "rebroadcast";
    case K::kStartFresh:
      return "start_fresh";
    case K::kWait:
      return "wait";
  }
  return "none";
}

RecoveryAction decide(const Entry& entry, const RecoveryFacts& facts, const RecoveryPolicy& policy) {
  using K = RecoveryAction::Kind;
  const std::string epoch = "epoch " + std::to_string(entry.epoch);
  if (is_terminal(entry.state))
    return {K::kNone, 0, epoch + " is already " + state_name(entry.state)};
  if (facts.tx) {
    const IncludedTx& tx = *facts.tx;
    const std::string where = "tx " + entry.txhash + " in block " + std::to_string(tx.height);
    if (tx.code == 0)
      return {K::kMarkCommitted, tx.height, where + " executed"};
    if (tx.code == kDuplicateSubmissionCode && tx.codespace == kSnpattestCodespace &&
        facts.attestation_on_chain)
      return {K::kMarkCommitted, facts.attestation_height > 0 ? facts.attestation_height : tx.height,
              where + " was a duplicate of the accepted attestation for " + epoch};
    return {K::kMarkFailed, 0,
            where + " failed: " + tx.codespace + " code " + std::to_string(tx.code) + ": " + tx.log};
  }
  if (facts.attestation_on_chain)
    return {K::kMarkCommitted, facts.attestation_height,
            "the chain holds the accepted attestation for " + epoch + " (tx not found by hash)"};
  const bool has_bytes = entry.state == State::kBroadcast && !entry.tx_bytes.empty();
  if (!facts.window_open) {
    const std::string closed =
        epoch + " closed (chain at epoch " + std::to_string(facts.current_epoch) + ") ";
    return {K::kMarkMissed, 0,
            has_bytes ? closed + "and tx " + entry.txhash + " was never included"
                      : closed + "before a submission was broadcast"};
  }
  if (!has_bytes)
    return {K::kStartFresh, 0, "no bytes recorded for " + epoch + " and its window is open: sign now"};
  if (facts.blocks_since_sent && *facts.blocks_since_sent < policy.mempool_grace_blocks)
    return {K::kWait, 0,
            "tx " + entry.txhash + " admitted " + std::to_string(*facts.blocks_since_sent) +
                " block(s) ago; it is likely still in a mempool"};
  return {K::kRebroadcast, 0,
          "tx " + entry.txhash + " not found and " + epoch + " is open: send the same bytes again"};
}

Status record(Journal& journal, const Entry& entry, const RecoveryAction& action, std::int64_t now_unix) {
  using K = RecoveryAction::Kind;
  switch (action.kind) {
    case K::kMarkCommitted:
      return journal.mark_committed(entry.operator_address, entry.epoch, action.height, now_unix);
    case K::kMarkFailed:
      return journal.mark_failed(entry.operator_address, entry.epoch, action.reason, now_unix);
    case K::kMarkMissed:
      return journal.mark_missed(entry.operator_address, entry.epoch, action.reason, now_unix);
    case K::kNone:
    case K::kRebroadcast:
    case K::kStartFresh:
    case K::kWait:
      return ok_status();
  }
  return ok_status();
}

}  // namespace snprelay::daemon
