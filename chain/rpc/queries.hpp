// Typed gRPC-over-ABCI queries (abci_query with the gRPC method as path, as the SDK's baseapp routes it) on
// top of any ChainClient.
//
// Each function serializes the request protobuf, calls abci_query on "/<package>.<Service>/<Method>",
// and decodes the response protobuf. decode_account() and the other decode_* functions are pure and
// public because they take bytes from the network (fuzzed by tests/fuzz/chain_proto_fuzz.cpp).
//
// Errors: the client's rpc errors; chain QUERY_FAILED (code != 0, with code, codespace and log);
// chain ACCOUNT_NOT_FOUND (code 22 / "NotFound" — a never-funded account); chain BAD_QUERY_REPLY when
// the value does not decode; chain SIMULATE_FAILED with the node's log (simulate errors come back as
// code 6 with the real reason in the log). Thread-safety: as the ChainClient passed in.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chain/rpc/types.hpp"
#include "chain/tx/types.hpp"

namespace snprelay::chain::rpc {

struct Account {
  std::string address;
  std::uint64_t account_number = 0;
  std::uint64_t sequence = 0;
  Bytes public_key;      // empty until the account's first transaction
  std::string type_url;  // the Any type the node returned
};

// QueryAccountResponse bytes -> Account. Handles BaseAccount, ModuleAccount and the vesting accounts
// (BaseVestingAccount field 1 -> BaseAccount). Errors: chain BAD_QUERY_REPLY, UNSUPPORTED_ACCOUNT_TYPE.
[[nodiscard]] Result<Account> decode_account(std::span<const std::uint8_t> response);
// QueryBalanceResponse bytes -> Coin (amount "0" when absent).
[[nodiscard]] Result<tx::Coin> decode_balance(std::span<const std::uint8_t> response,
                                              const std::string& denom);
// QueryAllBalancesResponse bytes -> the coins on this page and the next page key (empty = last page).
struct BalancePage {
  std::vector<tx::Coin> balances;
  Bytes next_key;
};
[[nodiscard]] Result<BalancePage> decode_all_balances(std::span<const std::uint8_t> response);
// SimulateResponse bytes -> gas_used.
[[nodiscard]] Result<std::uint64_t> decode_simulate_gas_used(std::span<const std::uint8_t> response);

[[nodiscard]] Result<Account> query_account(ChainClient& client, const std::string& address);
[[nodiscard]] Result<tx::Coin> query_balance(ChainClient& client, const std::string& address,
                                             const std::string& denom);
// Every non-zero balance of `address` (follows next_key, at most 50 pages). Errors: as query_balance;
// chain BAD_QUERY_REPLY when the node keeps returning pages past the limit.
[[nodiscard]] Result<std::vector<tx::Coin>> query_all_balances(ChainClient& client,
                                                               const std::string& address);
// Returns gas_used of the simulated TxRaw.
[[nodiscard]] Result<std::uint64_t> simulate(ChainClient& client, const Bytes& simulation_tx);
// The node's minimum gas price string (e.g. "0.025stake"); "" when the node has none set.
[[nodiscard]] Result<std::string> query_min_gas_price(ChainClient& client);
// Any module query, e.g. "/snpattest.v1.Query/CurrentEpoch"; returns the raw response bytes.
[[nodiscard]] Result<Bytes> query_raw(ChainClient& client, const std::string& path, const Bytes& request);

// ---- snpattest.v1 (PROTOCOL.md) ----------------------------------------------------------------
// The open nonce epoch, from Query/CurrentEpoch (path "/snpattest.v1.Query/CurrentEpoch", empty
// request). `nonce` is the 32-byte value the report_data binding commits to.
struct CurrentEpoch {
  std::uint64_t epoch = 0;
  Bytes nonce;
  std::int64_t start_height = 0;
  std::int64_t deadline_height = 0;
  std::uint64_t allowlist_version = 0;
  std::int64_t blocks_remaining = 0;
};
inline constexpr std::string_view kCurrentEpochPath = "/snpattest.v1.Query/CurrentEpoch";
// QueryCurrentEpochResponse bytes -> CurrentEpoch. Errors: chain BAD_QUERY_REPLY when the bytes do not
// decode, the epoch field is absent (the module has not opened an epoch yet: NO_EPOCH instead), or
// the nonce is not 32 bytes.
[[nodiscard]] Result<CurrentEpoch> decode_current_epoch(std::span<const std::uint8_t> response);
[[nodiscard]] Result<CurrentEpoch> query_current_epoch(ChainClient& client);

}  // namespace snprelay::chain::rpc
