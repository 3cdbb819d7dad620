// The chain's verdicts on a transaction, turned into snprelay Errors with stable codes.
//
// A CheckTx rejection (broadcast_tx_sync code != 0) and a FinalizeBlock failure (tx_result code != 0)
// are values in the RPC layer (rpc/types.hpp); a caller that has to stop and report them (the CLI, the
// relay loop's log) turns them into an Error here so every place names them the same way.
//
// Mapping (cosmos-sdk types/errors/errors.go): codespace "sdk" codes get their cosmos-sdk types/errors name,
// upper-snake (32 -> INCORRECT_ACCOUNT_SEQUENCE, 13 -> INSUFFICIENT_FEE, 4 -> UNAUTHORIZED, ...); any other
// codespace, or an sdk code without a name here, becomes TX_REJECTED. The message always carries
// "(<codespace> <code>)" and the node's log verbatim, e.g.
//   chain INCORRECT_ACCOUNT_SEQUENCE: CheckTx rejected tx 61C8…: (sdk 32) account sequence mismatch, …
// so the (codespace, code) pair can be keyed on and the log read by a human.
//
// The CometBFT mempool rejections arrive as JSON-RPC string errors (rpc MEMPOOL_DUPLICATE,
// MEMPOOL_FULL, TX_TOO_LARGE); mempool_rejection_code() gives the sdk codes the Go client maps them
// to (19, 20, 21) so they can be reported like CheckTx codes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chain/rpc/types.hpp"
#include "common/error.hpp"

namespace snprelay::chain::rpc {

// The upper-snake name of a codespace "sdk" error code ("INSUFFICIENT_FUNDS" for 5); nullopt when the
// code has no name in that file or the codespace is not "sdk".
[[nodiscard]] std::optional<std::string_view> sdk_error_name(std::string_view codespace, std::uint32_t code);

// Error (component "chain") for a CheckTx rejection; `result.code` must be != 0 (asserted). The code is
// sdk_error_name() or TX_REJECTED; the message names the stage ("CheckTx"), the tx hash, the
// (codespace code) pair and the log.
[[nodiscard]] Error checktx_rejection(const BroadcastResult& result);

// Error for a transaction that was included in a block with tx_result code != 0 (fee and sequence
// were consumed). Same codes as checktx_rejection(); the message names "FinalizeBlock" and the height.
[[nodiscard]] Error delivery_failure(const TxResult& result);

// 19 / 20 / 21 for rpc MEMPOOL_DUPLICATE / MEMPOOL_FULL / TX_TOO_LARGE; nullopt for any other error.
[[nodiscard]] std::optional<std::uint32_t> mempool_rejection_code(const Error& error);

}  // namespace snprelay::chain::rpc
