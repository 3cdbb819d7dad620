// Submit a transaction and report what the chain DID with it, not only what CheckTx said.
//
// broadcast_tx_sync runs CheckTx, which in the Cosmos SDK runs only the ante handler (signature,
// sequence, fee): a message that the module refuses is admitted to the mempool with code 0 and fails
// later, in FinalizeBlock (the SDK runs Msg handlers there, not in CheckTx). So deliver() broadcasts through
// a TxSubmitter (sequence resync on code 32, simulated gas, fees) and then polls `tx` by hash until the
// transaction is in a block or the submitter's confirm_timeout passes.
//
// Outcomes:
//   * a value with stage kDelivered and code 0       the messages executed;
//   * a value with stage kDelivered and code != 0    included but refused (fee and sequence consumed):
//                                                     codespace/code/log are the module's (e.g.
//                                                     snpattest 4 "duplicate submission");
//   * a value with stage kCheckTx and code != 0      refused before the mempool (sdk 13, 32, ...);
//   * an Error                                       no verdict: every endpoint failed, signing failed,
//                                                     or chain CONFIRM_TIMEOUT (admitted, not yet in a
//                                                     block by the deadline; the hash is in the message).
// When gas simulation fails (typically: the message itself would fail), the tx is still broadcast with
// the submitter's default_gas, so the chain records its verdict with its codespace and code (a
// simulation error reaches the client without them); `simulation_error` keeps the node's reason.
// A tx the node already holds in its mempool (MEMPOOL_DUPLICATE, sdk 19) is waited for like an admitted
// one: those bytes are ours.
//
// Thread-safety: as the TxSubmitter (one submission at a time).
#pragma once

#include <string>
#include <vector>

#include "chain/rpc/tx_submitter.hpp"

namespace snprelay::chain::rpc {

struct Delivery {
  enum class Stage { kCheckTx, kDelivered };
  Stage stage = Stage::kCheckTx;
  std::string txhash;  // upper-case hex
  std::int64_t height = 0;
  std::uint32_t code = 0;
  std::string codespace;
  std::string log;
  std::int64_t gas_wanted = 0;
  std::int64_t gas_used = 0;
  std::uint64_t gas_limit = 0;
  std::uint64_t sequence = 0;
  int resyncs = 0;
  std::string simulation_error;  // the node's reason when gas simulation failed ("" otherwise)

  [[nodiscard]] bool executed() const { return stage == Stage::kDelivered && code == 0; }
};

// Broadcast `messages`, then wait for inclusion. See the file comment for the outcomes.
[[nodiscard]] Result<Delivery> deliver(TxSubmitter& submitter, const std::vector<tx::AnyMessage>& messages,
                                       const std::string& memo);

// Error (component "chain") describing a refused Delivery (`d.executed()` false). Its code is the sdk
// name for codespace "sdk" (chain_errors.hpp: INSUFFICIENT_FEE, INCORRECT_ACCOUNT_SEQUENCE, ...), else
// TX_REJECTED; its message names the stage and carries "<codespace> code <n>: <log>", e.g.
//   chain TX_REJECTED: tx 61C8… refused in block 42: snpattest code 4: duplicate submission: …
[[nodiscard]] Error refusal(const Delivery& d);

}  // namespace snprelay::chain::rpc
