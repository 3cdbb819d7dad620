#include "chain/rpc/comet_client.hpp"

#include <cassert>
#include <ctime>
#include <nlohmann/json.hpp>

#include "chain/rpc/json_rpc.hpp"
#include "common/base64.hpp"
#include "common/json_strict.hpp"

namespace snprelay::chain::rpc {
namespace {

// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-27T21:00:00.123456789Z"); -1 if unparseable.
std::int64_t parse_rfc3339(const std::string& t) {
  std::tm tm{};
  if (t.size() < 20 || ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr)
    return -1;
  return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace

CometClient::CometClient(std::vector<std::string> endpoints, std::shared_ptr<HttpTransport> transport,
                         std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), transport_(std::move(transport)), timeout_(timeout) {
  assert(!endpoints_.empty());
}

std::string CometClient::current_endpoint() const {
  std::lock_guard lock(mu_);
  return endpoints_[current_];
}

namespace {

// Whether `body` is a node's JSON-RPC 2.0 answer to request `id` (a result or an error). Anything else —
// a proxy's HTML page, a truncated or non-JSON body, a reply to another request — is not the node's
// verdict, and the call fails over.
bool answers(const std::string& body, int id) {
  const auto parsed = parse_json_strict<nlohmann::json>(body, "node reply");
  if (!parsed)
    return false;  // not JSON, or a key twice: not a reply to read as the node's verdict
  const nlohmann::json& j = *parsed;
  return j.is_object() && j.contains("jsonrpc") && j["jsonrpc"] == "2.0" && j.contains("id") &&
         j["id"] == id && (j.contains("result") || j.contains("error"));
}

// Whether `body` (an answer to `method`) is a node's "mempool is full" refusal of a broadcast, as the
// reply parser classifies it (rpc MEMPOOL_FULL): the node's capacity, not a verdict on the tx, so the
// same bytes may go to another endpoint (its mempool is its own).
bool mempool_full(const std::string& method, const std::string& body) {
  if (method != "broadcast_tx_sync")
    return false;
  const auto parsed = parse_broadcast_reply(body);
  return !parsed && parsed.error().code == "MEMPOOL_FULL";
}

}  // namespace

Result<std::string> CometClient::call(const std::string& method, const std::string& params_json) {
  std::lock_guard lock(mu_);
  const int id = next_id_++;
  const std::string body = make_request(id, method, params_json);
  const auto now = std::chrono::steady_clock::now();
  // Away from the first endpoint, go back to it once per recheck interval: it comes back when healthy.
  const std::size_t start = current_ != 0 && now >= recheck_at_ ? 0 : current_;
  std::string failures;
  std::optional<std::string> full;  // the first "mempool is full" answer, returned if no node takes the tx
  for (std::size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const std::size_t idx = (start + attempt) % endpoints_.size();
    auto reply = transport_->post(endpoints_[idx], body, timeout_);
    std::string why;
    if (!reply) {
      why = reply.error().to_string();
    } else if (!answers(reply->body, id)) {
      why = "HTTP " + std::to_string(reply->status) + ", not a JSON-RPC reply to this request";
    } else if (mempool_full(method, reply->body)) {
      why = "mempool is full";
      if (!full)
        full = reply->body;
    }
    if (why.empty()) {
      if (idx != current_ && idx != 0)
        ++failovers_;
      if (idx != 0 && (current_ == 0 || start == 0))
        recheck_at_ = now + recheck_interval_;
      current_ = idx;
      return std::move(reply->body);
    }
    failures += (failures.empty() ? "" : "; ") + endpoints_[idx] + ": " + why;
  }
  if (full)  // no endpoint took the tx and one said it is full: that refusal is the answer (MEMPOOL_FULL)
    return std::move(*full);
  return make_error("rpc", "ALL_ENDPOINTS_FAILED", method + " failed on every endpoint: " + failures,
                    ErrorKind::kUnavailable);
}

void CometClient::set_recheck_interval(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  recheck_interval_ = interval;
}

std::uint64_t CometClient::failovers() const {
  std::lock_guard lock(mu_);
  return failovers_;
}

Result<NodeStatus> CometClient::status() {
  auto body = call("status", "{}");
  if (!body)
    return body.error();
  return parse_status_reply(*body);
}

Result<AbciQueryResult> CometClient::abci_query(const std::string& path, const Bytes& data,
                                                std::int64_t height) {
  const nlohmann::json params = {
      {"path", path}, {"data", to_hex(data)}, {"height", std::to_string(height)}, {"prove", false}};
  auto body = call("abci_query", params.dump());
  if (!body)
    return body.error();
  return parse_abci_query_reply(*body);
}

Result<BroadcastResult> CometClient::broadcast_tx_sync(const Bytes& tx_raw) {
  const nlohmann::json params = {{"tx", encode_base64(tx_raw)}};
  auto body = call("broadcast_tx_sync", params.dump());
  if (!body)
    return body.error();
  return parse_broadcast_reply(*body);
}

Result<std::optional<TxResult>> CometClient::tx(const std::string& hash) {
  auto raw = from_hex(hash);
  if (!raw || raw->size() != 32)
    return make_error("rpc", "BAD_HASH", "tx hash must be 64 hex characters: " + hash, ErrorKind::kInput);
  const nlohmann::json params = {{"hash", encode_base64(*raw)}, {"prove", false}};
  auto body = call("tx", params.dump());
  if (!body)
    return body.error();
  return parse_tx_reply(*body);
}

Result<TxSearchResult> CometClient::tx_search(const std::string& query, int page, int per_page,
                                              bool newest_first) {
  if (query.empty() || page < 1 || per_page < 1 || per_page > 100) {
    return make_error("rpc", "BAD_QUERY", "tx_search needs a query, page >= 1 and per_page 1..100",
                      ErrorKind::kInput);
  }
  const nlohmann::json params = {{"query", query},
                                 {"prove", false},
                                 {"page", std::to_string(page)},
                                 {"per_page", std::to_string(per_page)},
                                 {"order_by", newest_first ? "desc" : "asc"}};
  auto body = call("tx_search", params.dump());
  if (!body)
    return body.error();
  return parse_tx_search_reply(*body);
}

Result<BlockHeader> CometClient::block(std::int64_t height) {
  const nlohmann::json params =
      height > 0 ? nlohmann::json{{"height", std::to_string(height)}} : nlohmann::json::object();
  auto body = call("block", params.dump());
  if (!body)
    return body.error();
  return parse_block_reply(*body);
}

std::vector<EndpointHealth> CometClient::check_health(const std::string& chain_id,
                                                      std::chrono::seconds max_block_age) {
  std::vector<EndpointHealth> out;
  const std::string body = make_request(0, "status", "{}");
  for (const auto& url : endpoints_) {
    EndpointHealth h;
    h.url = url;
    auto reply = transport_->post(url, body, timeout_);
    if (!reply) {
      h.reason = reply.error().to_string();
      out.push_back(std::move(h));
      continue;
    }
    h.reachable = true;
    auto st = parse_status_reply(reply->body);
    if (!st) {
      h.reason = st.error().to_string();
    } else {
      h.status = *st;
      const std::int64_t age =
          static_cast<std::int64_t>(std::time(nullptr)) - parse_rfc3339(st->latest_block_time);
      if (st->network != chain_id)
        h.reason = "network " + st->network + " != chain id " + chain_id;
      else if (st->catching_up)
        h.reason = "catching up";
      else if (parse_rfc3339(st->latest_block_time) < 0 || age > max_block_age.count())
        h.reason = "latest block is stale (" + st->latest_block_time + ")";
      else
        h.healthy = true;
    }
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace snprelay::chain::rpc
