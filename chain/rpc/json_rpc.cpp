#include "chain/rpc/json_rpc.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/base64.hpp"
#include "common/json_strict.hpp"

namespace snprelay::chain::rpc {
namespace {

using nlohmann::json;

Error bad_reply(const std::string& what) {
  return make_error("rpc", "BAD_REPLY", what, ErrorKind::kUnavailable);
}

// Integer field given as a string or a number. Throws std::invalid_argument on anything else.
std::int64_t int_field(const json& j, const char* key, bool required = true) {
  if (!j.contains(key)) {
    if (required)
      throw std::invalid_argument(std::string("missing field ") + key);
    return 0;
  }
  const json& v = j.at(key);
  if (v.is_number_integer())
    return v.get<std::int64_t>();
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    std::int64_t out = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size())
      return out;
  }
  throw std::invalid_argument(std::string("field ") + key + " is not an integer");
}

std::string str_field(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null())
    return "";
  if (!j.at(key).is_string())
    throw std::invalid_argument(std::string("field ") + key + " is not a string");
  return j.at(key).get<std::string>();
}

// Parses the envelope; returns "result" or the mapped JSON-RPC error.
Result<json> result_of(std::string_view body) {
  // Strict: a reply with a key twice is not a node's answer we can read one way only (a proxy or a
  // broken node could make "code" say one thing to us and another to a tool that keeps the first).
  auto parsed = parse_json_strict<json>(body, "node reply");
  if (!parsed)
    return bad_reply(parsed.error().message);
  json doc = std::move(parsed).value();
  if (!doc.is_object())
    return bad_reply("reply is not a JSON object");
  if (doc.contains("error") && !doc["error"].is_null()) {
    const json& e = doc["error"];
    std::string text;
    if (e.is_object()) {
      if (e.contains("message") && e["message"].is_string())
        text = e["message"].get<std::string>();
      if (e.contains("data") && e["data"].is_string())
        text += (text.empty() ? "" : ": ") + e["data"].get<std::string>();
    } else {
      text = e.dump();
    }
    if (text.find("tx already exists in cache") != std::string::npos)
      return make_error("rpc", "MEMPOOL_DUPLICATE", text, ErrorKind::kRejected);
    if (text.find("mempool is full") != std::string::npos)
      return make_error("rpc", "MEMPOOL_FULL", text, ErrorKind::kUnavailable);
    if (text.find("Tx too large") != std::string::npos || text.find("tx too large") != std::string::npos)
      return make_error("rpc", "TX_TOO_LARGE", text, ErrorKind::kRejected);
    return make_error("rpc", "JSON_RPC_ERROR", text, ErrorKind::kUnavailable);
  }
  if (!doc.contains("result") || !doc["result"].is_object())
    return bad_reply("reply has no result object");
  return std::move(doc["result"]);
}

template <typename F>
auto guarded(std::string_view body, F&& f) -> decltype(f(json{})) {
  auto result = result_of(body);
  if (!result)
    return result.error();
  try {
    return f(*result);
  } catch (const std::exception& e) {
    return bad_reply(e.what());
  }
}

}  // namespace

std::optional<std::uint64_t> parse_expected_sequence(const std::string& log) {
  static const std::regex kRe("account sequence mismatch, expected ([0-9]{1,20}), got ([0-9]{1,20})");
  std::smatch m;
  if (!std::regex_search(log, m, kRe))
    return std::nullopt;
  std::uint64_t out = 0;
  const std::string s = m[1].str();
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc())
    return std::nullopt;
  return out;
}

std::string make_request(int id, const std::string& method, const std::string& params_json) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" +
         params_json + "}";
}

Result<NodeStatus> parse_status_reply(std::string_view body) {
  return guarded(body, [](const json& r) -> Result<NodeStatus> {
    NodeStatus s;
    const json& ni = r.at("node_info");
    const json& si = r.at("sync_info");
    s.network = str_field(ni, "network");
    s.version = str_field(ni, "version");
    s.moniker = str_field(ni, "moniker");
    s.latest_block_height = int_field(si, "latest_block_height");
    s.latest_block_time = str_field(si, "latest_block_time");
    s.catching_up = si.at("catching_up").get<bool>();
    if (s.network.empty())
      return bad_reply("status has an empty node_info.network");
    return s;
  });
}

Result<AbciQueryResult> parse_abci_query_reply(std::string_view body) {
  return guarded(body, [](const json& r) -> Result<AbciQueryResult> {
    const json& resp = r.at("response");
    AbciQueryResult q;
    q.code = static_cast<std::uint32_t>(int_field(resp, "code", false));
    q.codespace = str_field(resp, "codespace");
    q.log = str_field(resp, "log");
    q.height = int_field(resp, "height", false);
    auto value = decode_base64(str_field(resp, "value"));
    if (!value)
      return bad_reply("abci_query value: " + value.error().message);
    q.value = std::move(*value);
    return q;
  });
}

Result<BroadcastResult> parse_broadcast_reply(std::string_view body) {
  return guarded(body, [](const json& r) -> Result<BroadcastResult> {
    BroadcastResult b;
    b.code = static_cast<std::uint32_t>(int_field(r, "code", false));
    b.codespace = str_field(r, "codespace");
    b.log = str_field(r, "log");
    b.hash = str_field(r, "hash");
    if (b.hash.empty())
      return bad_reply("broadcast reply has no hash");
    return b;
  });
}

// One transaction as `tx` and `tx_search` report it; throws on a missing or mistyped field.
TxResult tx_from_json(const json& r) {
  const json& tr = r.at("tx_result");
  TxResult t;
  t.hash = str_field(r, "hash");
  t.height = int_field(r, "height");
  t.code = static_cast<std::uint32_t>(int_field(tr, "code", false));
  t.codespace = str_field(tr, "codespace");
  t.log = str_field(tr, "log");
  t.gas_wanted = int_field(tr, "gas_wanted", false);
  t.gas_used = int_field(tr, "gas_used", false);
  return t;
}

Result<std::optional<TxResult>> parse_tx_reply(std::string_view body) {
  auto result = result_of(body);
  if (!result) {
    if (result.error().code == "JSON_RPC_ERROR" &&
        result.error().message.find("not found") != std::string::npos)
      return std::optional<TxResult>{};
    return result.error();
  }
  try {
    return std::optional<TxResult>(tx_from_json(*result));
  } catch (const std::exception& e) {
    return bad_reply(e.what());
  }
}

Result<BlockHeader> parse_block_reply(std::string_view body) {
  return guarded(body, [](const json& r) -> Result<BlockHeader> {
    const json& header = r.at("block").at("header");
    BlockHeader b;
    b.height = int_field(header, "height");
    b.time = str_field(header, "time");
    auto hex_field = [](const json& j, const char* key) -> Result<Bytes> {
      auto h = from_hex(str_field(j, key));
      if (!h)
        return bad_reply(std::string("field ") + key + " is not hex");
      return h;
    };
    auto hash = hex_field(r.at("block_id"), "hash");
    Result<Bytes> last = header.contains("last_block_id") ? hex_field(header.at("last_block_id"), "hash")
                                                          : Result<Bytes>(Bytes{});
    auto app = hex_field(header, "app_hash");
    if (!hash || !last || !app)
      return !hash ? hash.error() : !last ? last.error() : app.error();
    b.hash = std::move(*hash);
    b.last_block_hash = std::move(*last);
    b.app_hash = std::move(*app);
    const json& data = r.at("block").at("data");
    if (data.contains("txs") && data.at("txs").is_array())
      b.tx_count = data.at("txs").size();
    return b;
  });
}

Result<TxSearchResult> parse_tx_search_reply(std::string_view body) {
  auto result = result_of(body);
  if (!result)
    return result.error();
  try {
    TxSearchResult out;
    for (const json& t : result->at("txs"))
      out.txs.push_back(tx_from_json(t));
    out.total_count = int_field(*result, "total_count");
    return out;
  } catch (const std::exception& e) {
    return bad_reply(e.what());
  }
}

}  // namespace snprelay::chain::rpc
