// Fuzz target: the protobuf decode paths fed by the network — TxRaw (ADR-027 envelope + body + auth
// info), QueryAccountResponse (all account types), QueryBalanceResponse, QueryAllBalancesResponse,
// SimulateResponse, snpattest QueryCurrentEpochResponse; plus the `tx broadcast` file-form parser.
#include <cstdint>
#include <span>

#include "chain/rpc/queries.hpp"
#include "chain/tx/sign_direct.hpp"
#include "chain/tx/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  (void)snprelay::chain::tx::decode_tx_raw(in);
  (void)snprelay::chain::rpc::decode_account(in);
  (void)snprelay::chain::rpc::decode_balance(in, "ustake");
  (void)snprelay::chain::rpc::decode_all_balances(in);
  (void)snprelay::chain::rpc::decode_simulate_gas_used(in);
  (void)snprelay::chain::rpc::decode_current_epoch(in);
  (void)snprelay::chain::tx::tx_bytes_from_file_contents(in);
  return 0;
}
