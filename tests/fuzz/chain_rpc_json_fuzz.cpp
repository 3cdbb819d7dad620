// Fuzz target: CometBFT JSON-RPC replies (status, abci_query, broadcast_tx_sync, tx, block, tx_search)
// and the sequence-mismatch log parser. Any input yields a typed value or an Error.
// Invariant (re-parse): a reply accepted by a parser is valid JSON, and the same JSON re-serialized
// (nlohmann dump: other whitespace, escapes and number spelling) parses to a struct equal field by
// field — the parsers depend on the JSON value, never on its spelling.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "chain/rpc/json_rpc.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace snprelay::chain::rpc;
using snprelay::fuzz::fuzz_check;

auto fields(const NodeStatus& s) {
  return std::tie(s.network, s.version, s.moniker, s.latest_block_height, s.latest_block_time, s.catching_up);
}
auto fields(const AbciQueryResult& r) {
  return std::tie(r.code, r.codespace, r.log, r.value, r.height);
}
auto fields(const BroadcastResult& r) {
  return std::tie(r.code, r.codespace, r.log, r.hash);
}
auto fields(const TxResult& r) {
  return std::tie(r.hash, r.height, r.code, r.codespace, r.log, r.gas_wanted, r.gas_used);
}
auto fields(const BlockHeader& h) {
  return std::tie(h.height, h.time, h.hash, h.last_block_hash, h.app_hash, h.tx_count);
}

bool same(const std::optional<TxResult>& a, const std::optional<TxResult>& b) {
  return a.has_value() == b.has_value() && (!a || fields(*a) == fields(*b));
}
bool same(const TxSearchResult& a, const TxSearchResult& b) {
  if (a.total_count != b.total_count || a.txs.size() != b.txs.size())
    return false;
  for (std::size_t i = 0; i < a.txs.size(); ++i) {
    if (fields(a.txs[i]) != fields(b.txs[i]))
      return false;
  }
  return true;
}
template <typename T>
bool same(const T& a, const T& b) {
  return fields(a) == fields(b);
}

// When `parse(body)` accepts, `parse(dump(json(body)))` must accept with an equal result.
template <typename Parse>
void check_reparse(const std::string& body, const std::string& canonical, Parse parse, const char* what) {
  const auto first = parse(body);
  if (!first.ok())
    return;
  fuzz_check(!canonical.empty(), "a parser accepted a reply that is not valid JSON");
  const auto second = parse(canonical);
  fuzz_check(second.ok() && same(*first, *second), what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  const std::string canonical = doc.is_discarded() ? std::string() : doc.dump();
  check_reparse(body, canonical, parse_status_reply, "status reply re-parsed to a different NodeStatus");
  check_reparse(body, canonical, parse_abci_query_reply, "abci_query reply re-parsed to a different result");
  check_reparse(body, canonical, parse_broadcast_reply, "broadcast reply re-parsed to a different result");
  check_reparse(body, canonical, parse_tx_reply, "tx reply re-parsed to a different TxResult");
  check_reparse(body, canonical, parse_block_reply, "block reply re-parsed to a different header");
  check_reparse(body, canonical, parse_tx_search_reply, "tx_search reply re-parsed to a different page");
  (void)parse_expected_sequence(body);
  return 0;
}
