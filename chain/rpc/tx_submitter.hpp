// TxSubmitter: the account and broadcast manager for one signing account.
//
// Lifecycle: construct with a ChainClient, the account key and options; submit() builds, signs and
// broadcasts; wait_for() polls `tx` by hash until included or timed out.
//
// Sequence discipline (the SDK's ErrWrongSequence, code 32; the Hermes relayer's lessons):
//   * account number and sequence are fetched once and cached; resync() refetches, and submit()
//     refetches by itself when the cache is older than `resync_interval` (the periodic resync; 0 turns
//     it off) or after a rejection it cannot explain (any CheckTx code other than 0 and 32: the cache
//     is marked stale and the next submit() starts with a fresh account, Hermes #1264);
//   * the cached sequence is incremented only when broadcast_tx_sync returns code 0, or when the node
//     reports the tx as already in its mempool (MEMPOOL_DUPLICATE: our bytes are there);
//   * on CheckTx code 32 (sdk "incorrect account sequence") the expected sequence is parsed from the log
//     ("expected N, got M"), adopted (or the account is refetched if the log has no number), and the tx
//     is re-signed and re-broadcast, at most `max_sequence_retries` times;
//   * a simulation that fails with "account sequence mismatch, expected E" where E is ahead of the
//     cache adopts E before signing (it counts as a resync); E behind the cache is ignored (our own
//     txs are still in the mempool: CheckTx state runs ahead);
//   * any other rejection is returned as a value (code/codespace/log) without touching the sequence.
// Gas: when `simulate_gas`, gas = ceil(simulate.gas_used × gas_adjustment) capped at `gas_cap`; if
// simulation fails the fallback `default_gas` is used; the simulation carries the fee (fixed_fees, or
// the price of default_gas) so the ante handler meters the fee deduction too. Fees: `fixed_fees` if set, else
// ceil(gas × gas_price). Fee granter optional.
// Reusing a simulation (`simulation_reuse` > 0, the daemon's hot path; one-shot commands leave it 0): a
// successful simulation's gas_used is remembered with the transaction's shape — each message's type URL
// and encoded size, and the memo's size, which fix the size-metered part of the gas — and the next
// submissions of the same shape within `simulation_reuse` sign with ceil(gas_used × gas_adjustment)
// without asking the node (a simulation is the slowest step between a nonce and the mempool). Every
// estimate is dropped, so the next submission simulates again, when: a tx of ours is found in a block
// out of gas, or using more than 90% of its gas limit (wait_for: the margin is being eaten); CheckTx
// refuses a tx for anything but a sequence mismatch (the refusal that also marks the account stale).
//
// Write-ahead (the daemon's submission journal, issue 13): submit() takes an optional BeforeBroadcast
// hook that sees every signed transaction — its exact bytes, hash, account number, sequence and gas —
// after signing and before those bytes are handed to broadcast_tx_sync, including each re-sign after a
// sequence mismatch. A hook that fails stops submit() before anything leaves the process. After a crash
// the caller re-sends the recorded bytes with rebroadcast() instead of signing a second, different
// transaction for the same purpose.
//
// Thread-safety: submit() and rebroadcast() hold an internal mutex for its whole duration — one in-flight
// transaction per account, by construction. The ChainClient must outlive the submitter.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/types.hpp"
#include "chain/tx/types.hpp"

namespace snprelay::chain::rpc {

struct SubmitterOptions {
  std::string chain_id;
  std::string prefix = "cosmos";
  bool simulate_gas = true;
  double gas_adjustment = 1.4;
  std::uint64_t gas_cap = 5'000'000;
  std::uint64_t default_gas = 300'000;
  std::vector<tx::Coin> fixed_fees;  // used when non-empty
  std::string gas_price;             // e.g. "0.025ustake", used when fixed_fees is empty
  std::string fee_granter;
  int max_sequence_retries = 3;
  std::chrono::milliseconds confirm_timeout{30'000};
  std::chrono::milliseconds poll_interval{1'000};
  std::chrono::milliseconds resync_interval{300'000};  // 0 = only on demand
  std::chrono::milliseconds simulation_reuse{0};       // 0 = simulate every transaction
};

struct SubmitOutcome {
  BroadcastResult check_tx;  // code 0 = admitted
  std::uint64_t sequence_used = 0;
  std::uint64_t gas_limit = 0;
  int resyncs = 0;
  std::string simulation_error;    // why simulation failed (then gas_limit is default_gas); "" otherwise
  bool simulation_reused = false;  // gas_limit came from a remembered simulation of the same shape
};

// One signed transaction as submit() is about to broadcast it (the BeforeBroadcast hook's argument).
struct SignedAttempt {
  Bytes tx_raw;      // the exact TxRaw bytes that broadcast_tx_sync will send next
  std::string hash;  // SHA-256 of tx_raw, upper-case hex (as sign_tx and CometBFT print it)
  std::uint64_t account_number = 0;
  std::uint64_t sequence = 0;
  std::uint64_t gas_limit = 0;
  // 0 for the first signature; n > 0 for the n-th re-sign, which happens only after the node refused
  // attempt n−1 at CheckTx with code 32 (wrong sequence) — so attempt n may replace n−1 in a journal.
  int attempt = 0;
};

// Called by submit() after signing and before each broadcast. Success lets the broadcast go ahead; an
// error is returned by submit() unchanged, and those bytes are not broadcast. Runs on the calling
// thread with the submitter's mutex held: it must not call back into the same TxSubmitter.
using BeforeBroadcast = std::function<Status(const SignedAttempt&)>;

// "0.025ustake" × gas, rounded up. Errors: chain INVALID_GAS_PRICE.
[[nodiscard]] Result<tx::Coin> fee_for_gas(const std::string& gas_price, std::uint64_t gas);

class TxSubmitter {
 public:
  TxSubmitter(ChainClient& client, keys::AccountKey key, SubmitterOptions options);

  // Builds, signs and broadcasts. A Result error is a failure to get an answer (rpc errors, signing)
  // or the error of `before_broadcast`; a CheckTx rejection is a SubmitOutcome with code != 0.
  // `before_broadcast` (optional) is called with every signed attempt before it is broadcast — once
  // normally, again with new bytes for each re-sign after a code-32 sequence mismatch; when it fails,
  // submit() returns its error, nothing more is broadcast and the cached sequence is not advanced.
  [[nodiscard]] Result<SubmitOutcome> submit(const std::vector<tx::AnyMessage>& messages,
                                             const std::string& memo,
                                             const BeforeBroadcast& before_broadcast = {});

  // Sends already-signed bytes (from an earlier submit(), e.g. recorded by a BeforeBroadcast hook)
  // unchanged, with broadcast_tx_sync. The result's hash is always the SHA-256 of `tx_raw`.
  // CheckTx code 0 means admitted; MEMPOOL_DUPLICATE ("tx already exists in cache": the node holds
  // these very bytes) is also admitted and reported as code 19, codespace "sdk", like submit() does.
  // Any other CheckTx code (32 when the sequence was already used, e.g. the tx is in a block) is a
  // value, and a transport failure a Result error. The cached sequence is never changed here, only
  // marked stale, so the next submit() refetches the account first.
  [[nodiscard]] Result<BroadcastResult> rebroadcast(const Bytes& tx_raw);

  // Polls `tx` until the hash is in a block (returns its result, code may be != 0) or the confirm
  // timeout passes (chain CONFIRM_TIMEOUT). A result out of gas, or using more than 90% of its gas
  // limit, drops the remembered simulations (see the file comment).
  [[nodiscard]] Result<TxResult> wait_for(const std::string& hash);

  // Refetches account number and sequence from the chain.
  [[nodiscard]] Status resync();

  [[nodiscard]] std::optional<std::uint64_t> cached_sequence() const;
  [[nodiscard]] const std::string& address() const { return address_; }

 private:
  // Fetches the account when nothing is cached, the cache is stale or older than resync_interval.
  [[nodiscard]] Status ensure_account();  // requires mu_
  [[nodiscard]] Status resync_locked();   // requires mu_

  ChainClient& client_;
  keys::AccountKey key_;
  SubmitterOptions options_;
  std::string address_;
  mutable std::mutex mu_;
  std::optional<std::uint64_t> account_number_;        // guarded by mu_
  std::optional<std::uint64_t> sequence_;              // guarded by mu_
  std::chrono::steady_clock::time_point synced_at_{};  // guarded by mu_
  bool stale_ = false;                                 // guarded by mu_
  struct GasEstimate {
    std::uint64_t gas_used = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, GasEstimate> estimates_;  // by transaction shape; guarded by mu_
};

}  // namespace snprelay::chain::rpc
