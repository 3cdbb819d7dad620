// Fuzz target: CometBFT JSON-RPC replies (status, abci_query, broadcast_tx_sync, tx) and the
// sequence-mismatch log parser. Any input yields a typed value or an Error.
#include <cstdint>
#include <string>

#include "chain/rpc/json_rpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)snprelay::chain::rpc::parse_status_reply(body);
  (void)snprelay::chain::rpc::parse_abci_query_reply(body);
  (void)snprelay::chain::rpc::parse_broadcast_reply(body);
  (void)snprelay::chain::rpc::parse_tx_reply(body);
  (void)snprelay::chain::rpc::parse_tx_search_reply(body);
  (void)snprelay::chain::rpc::parse_expected_sequence(body);
  return 0;
}
