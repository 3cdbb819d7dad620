#include "chain/rpc/queries.hpp"

#include "cosmos/auth/v1beta1/auth.pb.h"
#include "cosmos/auth/v1beta1/query.pb.h"
#include "cosmos/bank/v1beta1/query.pb.h"
#include "cosmos/base/node/v1beta1/query.pb.h"
#include "cosmos/crypto/secp256k1/keys.pb.h"
#include "cosmos/tx/v1beta1/service.pb.h"
#include "snpattest/v1/query.pb.h"

namespace snprelay::chain::rpc {
namespace {

Error bad(const std::string& what) {
  return make_error("chain", "BAD_QUERY_REPLY", what, ErrorKind::kUnavailable);
}

template <typename Message>
Bytes to_bytes(const Message& m) {
  const std::string s = m.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

// Reads field 1 (a length-delimited embedded message) from `bytes` — how BaseVestingAccount nests
// BaseAccount, without declaring the vesting protos.
std::optional<std::string> nested_field_1(const std::string& bytes) {
  cosmos::auth::v1beta1::ModuleAccount probe;  // field 1 is BaseAccount there too
  if (!probe.ParseFromString(bytes) || !probe.has_base_account())
    return std::nullopt;
  return probe.base_account().SerializeAsString();
}

Account from_base(const cosmos::auth::v1beta1::BaseAccount& b, const std::string& type_url) {
  Account a;
  a.address = b.address();
  a.account_number = b.account_number();
  a.sequence = b.sequence();
  a.type_url = type_url;
  if (b.has_pub_key()) {
    cosmos::crypto::secp256k1::PubKey pk;
    if (pk.ParseFromString(b.pub_key().value()))
      a.public_key.assign(pk.key().begin(), pk.key().end());
  }
  return a;
}

}  // namespace

Result<Account> decode_account(std::span<const std::uint8_t> response) {
  cosmos::auth::v1beta1::QueryAccountResponse resp;
  if (!resp.ParseFromArray(response.data(), static_cast<int>(response.size())) || !resp.has_account())
    return bad("QueryAccountResponse does not decode or has no account");
  const std::string& type = resp.account().type_url();
  const std::string& value = resp.account().value();
  cosmos::auth::v1beta1::BaseAccount base;
  if (type == "/cosmos.auth.v1beta1.BaseAccount") {
    if (!base.ParseFromString(value))
      return bad("BaseAccount does not decode");
    return from_base(base, type);
  }
  if (type == "/cosmos.auth.v1beta1.ModuleAccount") {
    cosmos::auth::v1beta1::ModuleAccount m;
    if (!m.ParseFromString(value))
      return bad("ModuleAccount does not decode");
    return from_base(m.base_account(), type);
  }
  if (type.rfind("/cosmos.vesting.v1beta1.", 0) == 0) {
    // {Continuous,Delayed,Periodic,PermanentLocked}VestingAccount: field 1 BaseVestingAccount
    // (or, for Continuous/Delayed/Periodic, field 1 is BaseVestingAccount whose field 1 is BaseAccount).
    auto vesting = nested_field_1(value);
    auto inner = vesting ? nested_field_1(*vesting) : std::nullopt;
    if (!inner || !base.ParseFromString(*inner))
      return bad("vesting account does not decode");
    return from_base(base, type);
  }
  return make_error("chain", "UNSUPPORTED_ACCOUNT_TYPE", "account type " + type + " is not supported",
                    ErrorKind::kInput);
}

Result<tx::Coin> decode_balance(std::span<const std::uint8_t> response, const std::string& denom) {
  cosmos::bank::v1beta1::QueryBalanceResponse resp;
  if (!resp.ParseFromArray(response.data(), static_cast<int>(response.size())))
    return bad("QueryBalanceResponse does not decode");
  if (!resp.has_balance())
    return tx::Coin{denom, "0"};
  return tx::Coin{resp.balance().denom(), resp.balance().amount().empty() ? "0" : resp.balance().amount()};
}

Result<BalancePage> decode_all_balances(std::span<const std::uint8_t> response) {
  cosmos::bank::v1beta1::QueryAllBalancesResponse resp;
  if (!resp.ParseFromArray(response.data(), static_cast<int>(response.size())))
    return bad("QueryAllBalancesResponse does not decode");
  BalancePage page;
  page.balances.reserve(static_cast<std::size_t>(resp.balances_size()));
  for (const auto& c : resp.balances())
    page.balances.push_back(tx::Coin{c.denom(), c.amount().empty() ? "0" : c.amount()});
  page.next_key.assign(resp.pagination().next_key().begin(), resp.pagination().next_key().end());
  return page;
}

Result<std::uint64_t> decode_simulate_gas_used(std::span<const std::uint8_t> response) {
  cosmos::tx::v1beta1::SimulateResponse resp;
  if (!resp.ParseFromArray(response.data(), static_cast<int>(response.size())))
    return bad("SimulateResponse does not decode");
  return resp.gas_info().gas_used();
}

Result<Bytes> query_raw(ChainClient& client, const std::string& path, const Bytes& request) {
  auto q = client.abci_query(path, request);
  if (!q)
    return q.error();
  if (q->code != 0)
    return make_error("chain", "QUERY_FAILED",
                      path + " failed with (" + q->codespace + " " + std::to_string(q->code) + "): " + q->log,
                      ErrorKind::kRejected);
  return std::move(q->value);
}

Result<Account> query_account(ChainClient& client, const std::string& address) {
  cosmos::auth::v1beta1::QueryAccountRequest req;
  req.set_address(address);
  auto value = query_raw(client, "/cosmos.auth.v1beta1.Query/Account", to_bytes(req));
  if (!value) {
    const auto& msg = value.error().message;
    if (msg.find("(sdk 22)") != std::string::npos || msg.find("code = NotFound") != std::string::npos)
      return make_error(
          "chain", "ACCOUNT_NOT_FOUND",
          "account " + address + " not found on chain (it must receive funds before it can sign)",
          ErrorKind::kRejected);
    return value.error();
  }
  return decode_account(*value);
}

Result<tx::Coin> query_balance(ChainClient& client, const std::string& address, const std::string& denom) {
  cosmos::bank::v1beta1::QueryBalanceRequest req;
  req.set_address(address);
  req.set_denom(denom);
  auto value = query_raw(client, "/cosmos.bank.v1beta1.Query/Balance", to_bytes(req));
  if (!value)
    return value.error();
  return decode_balance(*value, denom);
}

Result<std::vector<tx::Coin>> query_all_balances(ChainClient& client, const std::string& address) {
  constexpr int kMaxPages = 50;
  std::vector<tx::Coin> out;
  Bytes key;
  for (int page = 0; page < kMaxPages; ++page) {
    cosmos::bank::v1beta1::QueryAllBalancesRequest req;
    req.set_address(address);
    if (!key.empty())
      req.mutable_pagination()->set_key(std::string(key.begin(), key.end()));
    auto value = query_raw(client, "/cosmos.bank.v1beta1.Query/AllBalances", to_bytes(req));
    if (!value)
      return value.error();
    auto decoded = decode_all_balances(*value);
    if (!decoded)
      return decoded.error();
    for (auto& c : decoded->balances)
      out.push_back(std::move(c));
    if (decoded->next_key.empty())
      return out;
    key = std::move(decoded->next_key);
  }
  return bad("AllBalances returned more than 50 pages");
}

Result<std::uint64_t> simulate(ChainClient& client, const Bytes& simulation_tx) {
  cosmos::tx::v1beta1::SimulateRequest req;
  req.set_tx_bytes(std::string(simulation_tx.begin(), simulation_tx.end()));
  auto q = client.abci_query("/cosmos.tx.v1beta1.Service/Simulate", to_bytes(req));
  if (!q)
    return q.error();
  if (q->code != 0)
    return make_error("chain", "SIMULATE_FAILED", q->log, ErrorKind::kRejected);
  return decode_simulate_gas_used(q->value);
}

Result<std::string> query_min_gas_price(ChainClient& client) {
  auto value = query_raw(client, "/cosmos.base.node.v1beta1.Service/Config", Bytes{});
  if (!value)
    return value.error();
  cosmos::base::node::v1beta1::ConfigResponse resp;
  if (!resp.ParseFromArray(value->data(), static_cast<int>(value->size())))
    return bad("ConfigResponse does not decode");
  return resp.minimum_gas_price();
}

Result<CurrentEpoch> decode_current_epoch(std::span<const std::uint8_t> response) {
  snpattest::v1::QueryCurrentEpochResponse resp;
  if (!resp.ParseFromArray(response.data(), static_cast<int>(response.size())))
    return bad("QueryCurrentEpochResponse does not decode");
  if (!resp.has_epoch())
    return make_error("chain", "NO_EPOCH", "the snpattest module has no open epoch", ErrorKind::kRejected);
  const auto& e = resp.epoch();
  if (e.nonce().size() != 32)
    return bad("epoch nonce is " + std::to_string(e.nonce().size()) + " bytes, not 32");
  CurrentEpoch out;
  out.epoch = e.epoch();
  out.nonce.assign(e.nonce().begin(), e.nonce().end());
  out.start_height = e.start_height();
  out.deadline_height = e.deadline_height();
  out.allowlist_version = e.allowlist_version();
  out.blocks_remaining = resp.blocks_remaining();
  return out;
}

Result<CurrentEpoch> query_current_epoch(ChainClient& client) {
  const snpattest::v1::QueryCurrentEpochRequest req;
  auto value = query_raw(client, std::string(kCurrentEpochPath), to_bytes(req));
  if (!value)
    return value.error();
  return decode_current_epoch(*value);
}

}  // namespace snprelay::chain::rpc
