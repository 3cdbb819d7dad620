// JSON-RPC 2.0 request building and reply parsing for CometBFT v0.38 (and v0.37/v1, same shapes).
//
// Parsing is pure and total: any byte string yields a typed value or an Error (rpc BAD_REPLY naming the
// missing or mistyped field; rpc JSON_RPC_ERROR with the node's message; the mempool rejections mapped
// to MEMPOOL_DUPLICATE / MEMPOOL_FULL / TX_TOO_LARGE as the Go SDK maps them to sdk codes 19/20/21).
// CometBFT writes 64-bit integers as JSON strings; both strings and numbers are accepted.
// These functions are the fuzz surface for RPC replies (tests/fuzz/chain_rpc_json_fuzz.cpp).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "chain/rpc/types.hpp"

namespace snprelay::chain::rpc {

// {"jsonrpc":"2.0","id":<id>,"method":...,"params":{...}} with `params_json` spliced in as an object.
[[nodiscard]] std::string make_request(int id, const std::string& method, const std::string& params_json);

[[nodiscard]] Result<NodeStatus> parse_status_reply(std::string_view body);
[[nodiscard]] Result<AbciQueryResult> parse_abci_query_reply(std::string_view body);
[[nodiscard]] Result<BroadcastResult> parse_broadcast_reply(std::string_view body);
// A JSON-RPC error whose message says "not found" becomes nullopt (the hash is unknown).
[[nodiscard]] Result<std::optional<TxResult>> parse_tx_reply(std::string_view body);
// block: {"block_id":{"hash"},"block":{"header":{height,time,last_block_id:{hash},app_hash},"data":{"txs"}}}.
[[nodiscard]] Result<BlockHeader> parse_block_reply(std::string_view body);
// tx_search: {"txs":[{hash, height, tx_result:{...}}...], "total_count": "N"}.
[[nodiscard]] Result<TxSearchResult> parse_tx_search_reply(std::string_view body);

}  // namespace snprelay::chain::rpc
