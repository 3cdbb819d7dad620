// Typed CometBFT RPC results and the ChainClient interface the rest of snprelay depends on.
//
// ChainClient is the narrow backend seam (DESIGN.md §1): CometClient implements it over JSON-RPC/HTTP with
// failover; tests substitute scripted fakes. Every method is a blocking call bounded by the client's
// per-request timeout.
//
// Error model: a Result error means the call could not be answered (transport failure on every
// endpoint, a JSON-RPC error, an unparseable reply): component "rpc", codes TRANSPORT, TIMEOUT,
// ALL_ENDPOINTS_FAILED, BAD_REPLY, JSON_RPC_ERROR, and the mempool rejections MEMPOOL_DUPLICATE (sdk 19),
// MEMPOOL_FULL (sdk 20), TX_TOO_LARGE (sdk 21). An answered request that the application rejected (a
// CheckTx code != 0, an abci_query code != 0) is NOT an error: it is a value with code/codespace/log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::chain::rpc {

struct NodeStatus {
  std::string network;  // chain id
  std::string version;  // CometBFT version, e.g. "0.38.12"
  std::string moniker;
  std::int64_t latest_block_height = 0;
  std::string latest_block_time;  // RFC 3339 as reported
  bool catching_up = false;
};

struct AbciQueryResult {
  std::uint32_t code = 0;  // 0 = success
  std::string codespace;
  std::string log;
  Bytes value;
  std::int64_t height = 0;
};

struct BroadcastResult {
  std::uint32_t code = 0;  // CheckTx code; 0 = admitted to this node's mempool
  std::string codespace;
  std::string log;
  std::string hash;  // upper-case hex
};

struct TxResult {
  std::string hash;
  std::int64_t height = 0;
  std::uint32_t code = 0;  // FinalizeBlock code; fee and sequence are consumed even when != 0
  std::string codespace;
  std::string log;
  std::int64_t gas_wanted = 0;
  std::int64_t gas_used = 0;
};

// A block header as `block` reports it (hashes upper-case hex as CometBFT prints them, decoded here).
struct BlockHeader {
  std::int64_t height = 0;
  std::string time;       // RFC 3339
  Bytes hash;             // block_id.hash: this block's hash
  Bytes last_block_hash;  // header.last_block_id.hash: the hash of height - 1 (empty at height 1)
  Bytes app_hash;
  std::size_t tx_count = 0;
};

// One page of a tx_search: the matching transactions and how many match in all.
struct TxSearchResult {
  std::vector<TxResult> txs;
  std::int64_t total_count = 0;
};

class ChainClient {
 public:
  virtual ~ChainClient() = default;
  [[nodiscard]] virtual Result<NodeStatus> status() = 0;
  // path like "/cosmos.auth.v1beta1.Query/Account"; height 0 = latest.
  [[nodiscard]] virtual Result<AbciQueryResult> abci_query(const std::string& path, const Bytes& data,
                                                           std::int64_t height = 0) = 0;
  [[nodiscard]] virtual Result<BroadcastResult> broadcast_tx_sync(const Bytes& tx_raw) = 0;
  // nullopt when the node does not (yet) know the hash.
  [[nodiscard]] virtual Result<std::optional<TxResult>> tx(const std::string& hash) = 0;
};

// Hermes' regex `account sequence mismatch, expected (\d+), got (\d+)` applied to a log; nullopt when
// absent. Returns the expected sequence.
[[nodiscard]] std::optional<std::uint64_t> parse_expected_sequence(const std::string& log);

}  // namespace snprelay::chain::rpc
