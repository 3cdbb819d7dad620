// CometClient: ChainClient over CometBFT JSON-RPC (HTTP POST), with a list of endpoints and failover.
//
// Failover rule: a request goes to the current endpoint; on a transport failure (rpc TRANSPORT,
// TIMEOUT, or a reply that is not a JSON-RPC 2.0 answer to this request's id, whatever its HTTP
// status: an HTML error page, a non-JSON or truncated body) it is retried on the next endpoint, each
// at most once per call, and the endpoint that answered becomes current. An answer — including a CheckTx
// rejection, an abci_query error code or a JSON-RPC error such as "tx already exists in cache" — is never
// failed over: it is the chain's verdict, and sending the same tx elsewhere would only confuse sequence
// tracking. One exception: a broadcast answered "mempool is full" (rpc MEMPOOL_FULL) is the node's
// capacity, not a verdict on the tx, so the same bytes go to the next endpoint (whose mempool is its
// own); when no endpoint takes them, the first such answer is returned (MEMPOOL_FULL, as with one node).
// When every endpoint fails: rpc ALL_ENDPOINTS_FAILED listing each endpoint's error.
// The order is a preference: while another endpoint is current, a call tries the first endpoint again
// once per recheck interval (set_recheck_interval, 30 s by default), and the first endpoint is current
// again as soon as it answers. failovers() counts the switches away from it (for the relayer's metrics).
//
// check_health() asks every endpoint for `status` and reports reachable, not catching up, network ==
// expected chain id, and latest block time newer than `max_block_age` (UTC, RFC 3339 parse).
//
// Thread-safety: calls are serialized by an internal mutex (one request at a time per client).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/types.hpp"

namespace snprelay::chain::rpc {

struct EndpointHealth {
  std::string url;
  bool reachable = false;
  bool healthy = false;
  std::string reason;  // why not healthy
  NodeStatus status;
};

class CometClient final : public ChainClient {
 public:
  // `endpoints` must not be empty (asserted: a config error is caught before construction).
  CometClient(std::vector<std::string> endpoints, std::shared_ptr<HttpTransport> transport,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  [[nodiscard]] Result<NodeStatus> status() override;
  [[nodiscard]] Result<AbciQueryResult> abci_query(const std::string& path, const Bytes& data,
                                                   std::int64_t height = 0) override;
  [[nodiscard]] Result<BroadcastResult> broadcast_tx_sync(const Bytes& tx_raw) override;
  [[nodiscard]] Result<std::optional<TxResult>> tx(const std::string& hash) override;
  // tx_search with a CometBFT query such as "message.sender='cosmos1...' AND tx.height>5"; `page` is
  // 1-based, `per_page` 1..100. Errors: BAD_QUERY for an empty query or out-of-range paging, else as
  // every call.
  [[nodiscard]] Result<TxSearchResult> tx_search(const std::string& query, int page = 1, int per_page = 30,
                                                 bool newest_first = false);

  // The block at `height` (0 = latest). Errors as every call (a height above the chain's is the node's
  // JSON-RPC error).
  [[nodiscard]] Result<BlockHeader> block(std::int64_t height = 0);

  [[nodiscard]] std::vector<EndpointHealth> check_health(const std::string& chain_id,
                                                         std::chrono::seconds max_block_age);
  [[nodiscard]] std::string current_endpoint() const;
  // How many times a call was answered by another endpoint than the one before it, away from the first
  // (returns to the first endpoint are not counted).
  [[nodiscard]] std::uint64_t failovers() const;
  // While away from the first endpoint, every call after this interval (default 30 s) tries the first
  // endpoint again; when it answers, it is current again.
  void set_recheck_interval(std::chrono::milliseconds interval);

 private:
  // Sends to endpoints in failover order; returns the first HTTP reply that is not a transport failure.
  [[nodiscard]] Result<std::string> call(const std::string& method, const std::string& params_json);

  std::vector<std::string> endpoints_;
  std::shared_ptr<HttpTransport> transport_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  std::size_t current_ = 0;                             // guarded by mu_
  int next_id_ = 1;                                     // guarded by mu_
  std::chrono::milliseconds recheck_interval_{30'000};  // guarded by mu_
  std::chrono::steady_clock::time_point recheck_at_{};  // guarded by mu_
  std::uint64_t failovers_ = 0;                         // guarded by mu_
};

}  // namespace snprelay::chain::rpc
