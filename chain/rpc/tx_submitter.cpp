#include "chain/rpc/tx_submitter.hpp"

#include <cmath>
#include <thread>

#include "chain/rpc/queries.hpp"
#include "chain/tx/coins.hpp"
#include "chain/tx/sign_direct.hpp"

namespace snprelay::chain::rpc {

Result<tx::Coin> fee_for_gas(const std::string& gas_price, std::uint64_t gas) {
  auto bad = [&] {
    return make_error("chain", "INVALID_GAS_PRICE", "gas price \"" + gas_price + "\" is not like 0.025ustake",
                      ErrorKind::kInput);
  };
  std::size_t i = 0;
  unsigned __int128 num = 0;
  unsigned __int128 scale = 1;
  bool dot = false;
  bool digits = false;
  for (; i < gas_price.size(); ++i) {
    const char c = gas_price[i];
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      if (num > (static_cast<unsigned __int128>(1) << 100) ||
          scale > (static_cast<unsigned __int128>(1) << 60))
        return bad();
      num = num * 10 + static_cast<unsigned>(c - '0');
      if (dot)
        scale *= 10;
      digits = true;
    } else {
      break;
    }
  }
  if (!digits)
    return bad();
  auto denom = tx::parse_coin("1" + gas_price.substr(i));
  if (!denom)
    return bad();
  const unsigned __int128 total = (num * gas + scale - 1) / scale;
  std::string amount;
  unsigned __int128 v = total;
  do {
    amount.insert(amount.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  return tx::Coin{denom->denom, amount};
}

namespace {

// What fixes the size-metered gas of a transaction: each message's type URL and encoded size, and the
// memo's size (the reuse key of a simulation).
std::string tx_shape(const std::vector<tx::AnyMessage>& messages, const std::string& memo) {
  std::string shape;
  for (const auto& m : messages)
    shape += m.type_url + ":" + std::to_string(m.value.size()) + ";";
  return shape + "memo:" + std::to_string(memo.size());
}

}  // namespace

TxSubmitter::TxSubmitter(ChainClient& client, keys::AccountKey key, SubmitterOptions options)
    : client_(client), key_(std::move(key)), options_(std::move(options)) {
  auto a = keys::bech32_address(key_.public_key, options_.prefix);
  address_ = a ? *a : std::string();
}

std::optional<std::uint64_t> TxSubmitter::cached_sequence() const {
  std::lock_guard lock(mu_);
  return sequence_;
}

Status TxSubmitter::resync() {
  std::lock_guard lock(mu_);
  return resync_locked();
}

Status TxSubmitter::resync_locked() {
  auto account = query_account(client_, address_);
  if (!account)
    return account.error();
  account_number_ = account->account_number;
  sequence_ = account->sequence;
  synced_at_ = std::chrono::steady_clock::now();
  stale_ = false;
  return ok_status();
}

Status TxSubmitter::ensure_account() {
  const bool expired = options_.resync_interval.count() > 0 &&
                       std::chrono::steady_clock::now() - synced_at_ >= options_.resync_interval;
  if (account_number_ && sequence_ && !stale_ && !expired)
    return ok_status();
  return resync_locked();
}

Result<SubmitOutcome> TxSubmitter::submit(const std::vector<tx::AnyMessage>& messages,
                                          const std::string& memo, const BeforeBroadcast& before_broadcast) {
  std::lock_guard lock(mu_);
  if (auto st = ensure_account(); !st)
    return st.error();
  SubmitOutcome outcome;
  const std::string shape = tx_shape(messages, memo);
  for (int attempt = 0;; ++attempt) {
    tx::TxSpec spec;
    spec.messages = messages;
    spec.memo = memo;
    spec.chain_id = options_.chain_id;
    spec.account_number = *account_number_;
    spec.sequence = *sequence_;
    std::uint64_t gas = options_.default_gas;
    const auto known = estimates_.find(shape);
    const auto now = std::chrono::steady_clock::now();
    outcome.simulation_reused = options_.simulate_gas && known != estimates_.end() &&
                                now - known->second.at < options_.simulation_reuse;
    if (outcome.simulation_reused) {
      gas = static_cast<std::uint64_t>(
          std::ceil(static_cast<double>(known->second.gas_used) * options_.gas_adjustment));
    } else if (options_.simulate_gas) {
      // Simulate with the fee the tx will roughly pay, so the fee deduction's gas is counted.
      spec.fee.granter = options_.fee_granter;
      if (!options_.fixed_fees.empty()) {
        spec.fee.amount = options_.fixed_fees;
      } else if (!options_.gas_price.empty()) {
        auto fee = fee_for_gas(options_.gas_price, options_.default_gas);
        if (!fee)
          return fee.error();
        spec.fee.amount = {*fee};
      }
      auto used = simulate(client_, tx::build_simulation_tx(spec, key_.public_key));
      outcome.simulation_error.clear();
      if (used) {
        gas = static_cast<std::uint64_t>(std::ceil(static_cast<double>(*used) * options_.gas_adjustment));
        if (options_.simulation_reuse.count() > 0)
          estimates_[shape] = GasEstimate{*used, now};
      } else if (auto expected = parse_expected_sequence(used.error().message);
                 expected && *expected > *sequence_ && attempt < options_.max_sequence_retries) {
        ++outcome.resyncs;
        sequence_ = *expected;
        continue;
      } else {
        outcome.simulation_error = used.error().message;
      }
    }
    gas = std::min(gas, options_.gas_cap);
    spec.fee.amount.clear();
    spec.fee.gas_limit = gas;
    spec.fee.granter = options_.fee_granter;
    if (!options_.fixed_fees.empty()) {
      spec.fee.amount = options_.fixed_fees;
    } else if (!options_.gas_price.empty()) {
      auto fee = fee_for_gas(options_.gas_price, gas);
      if (!fee)
        return fee.error();
      spec.fee.amount.push_back(*fee);
    }
    auto signed_tx = tx::sign_tx(spec, key_);
    if (!signed_tx)
      return signed_tx.error();
    if (before_broadcast) {
      // Write-ahead: the caller persists these exact bytes before they can reach a node.
      const SignedAttempt signed_attempt{
          signed_tx->tx_raw, signed_tx->hash, spec.account_number, spec.sequence, gas, attempt};
      if (auto st = before_broadcast(signed_attempt); !st)
        return st.error();
    }
    auto result = client_.broadcast_tx_sync(signed_tx->tx_raw);
    if (!result && result.error().code == "MEMPOOL_DUPLICATE") {
      // Our exact bytes are already in the mempool: the sequence is taken.
      result = BroadcastResult{19, "sdk", result.error().message, signed_tx->hash};
      sequence_ = *sequence_ + 1;
    }
    if (!result)
      return result.error();
    outcome.check_tx = *result;
    outcome.sequence_used = spec.sequence;
    outcome.gas_limit = gas;
    if (result->code == 0) {
      sequence_ = *sequence_ + 1;
      return outcome;
    }
    if (result->code == 32 && result->codespace == "sdk" && attempt < options_.max_sequence_retries) {
      ++outcome.resyncs;
      if (auto expected = parse_expected_sequence(result->log)) {
        sequence_ = *expected;
      } else if (auto st = resync_locked(); !st) {
        return st.error();
      }
      continue;
    }
    if (result->code != 19) {
      stale_ = true;  // an unexplained rejection: refetch the account before the next transaction
      estimates_.clear();
    }
    return outcome;
  }
}

Result<BroadcastResult> TxSubmitter::rebroadcast(const Bytes& tx_raw) {
  std::lock_guard lock(mu_);
  // Whatever happens, the sequence these bytes carry may differ from the cache: refetch next time.
  stale_ = true;
  auto result = client_.broadcast_tx_sync(tx_raw);
  if (!result && result.error().code == "MEMPOOL_DUPLICATE")
    return BroadcastResult{19, "sdk", result.error().message, tx::tx_hash(tx_raw)};
  if (!result)
    return result.error();
  result->hash = tx::tx_hash(tx_raw);  // the hash of what was sent, whatever the node echoed
  return result;
}

Result<TxResult> TxSubmitter::wait_for(const std::string& hash) {
  const auto deadline = std::chrono::steady_clock::now() + options_.confirm_timeout;
  for (;;) {
    auto r = client_.tx(hash);
    if (r && r->has_value()) {
      const TxResult& found = **r;
      const bool out_of_gas = found.code == 11 && found.codespace == "sdk";
      if (out_of_gas || (found.gas_wanted > 0 && found.gas_used * 10 > found.gas_wanted * 9)) {
        std::lock_guard lock(mu_);
        estimates_.clear();
      }
      return std::move(**r);
    }
    if (std::chrono::steady_clock::now() + options_.poll_interval > deadline)
      return make_error(
          "chain", "CONFIRM_TIMEOUT",
          "tx " + hash + " not in a block within " + std::to_string(options_.confirm_timeout.count()) + " ms",
          ErrorKind::kUnavailable);
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

}  // namespace snprelay::chain::rpc
