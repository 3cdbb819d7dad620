#include "chain/rpc/chain_errors.hpp"

#include <array>
#include <cassert>
#include <utility>

namespace snprelay::chain::rpc {
namespace {

// cosmos-sdk types/errors/errors.go (v0.50/v0.53), codespace "sdk".
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 41> kSdkNames = {{
    {2, "TX_DECODE"},
    {3, "INVALID_SEQUENCE"},
    {4, "UNAUTHORIZED"},
    {5, "INSUFFICIENT_FUNDS"},
    {6, "UNKNOWN_REQUEST"},
    {7, "INVALID_ADDRESS"},
    {8, "INVALID_PUBKEY"},
    {9, "UNKNOWN_ADDRESS"},
    {10, "INVALID_COINS"},
    {11, "OUT_OF_GAS"},
    {12, "MEMO_TOO_LARGE"},
    {13, "INSUFFICIENT_FEE"},
    {14, "TOO_MANY_SIGNATURES"},
    {15, "NO_SIGNATURES"},
    {16, "JSON_MARSHAL"},
    {17, "JSON_UNMARSHAL"},
    {18, "INVALID_REQUEST"},
    {19, "TX_IN_MEMPOOL_CACHE"},
    {20, "MEMPOOL_IS_FULL"},
    {21, "TX_TOO_LARGE"},
    {22, "KEY_NOT_FOUND"},
    {23, "WRONG_PASSWORD"},
    {24, "INVALID_SIGNER"},
    {25, "INVALID_GAS_ADJUSTMENT"},
    {26, "INVALID_HEIGHT"},
    {27, "INVALID_VERSION"},
    {28, "INVALID_CHAIN_ID"},
    {29, "INVALID_TYPE"},
    {30, "TX_TIMEOUT_HEIGHT"},
    {31, "UNKNOWN_EXTENSION_OPTIONS"},
    {32, "INCORRECT_ACCOUNT_SEQUENCE"},
    {33, "PACK_ANY"},
    {34, "UNPACK_ANY"},
    {35, "LOGIC"},
    {36, "CONFLICT"},
    {37, "NOT_SUPPORTED"},
    {38, "NOT_FOUND"},
    {39, "IO"},
    {40, "APP_CONFIG"},
    {41, "INVALID_GAS_LIMIT"},
    {42, "TX_TIMEOUT"},
}};

std::string code_of(std::string_view codespace, std::uint32_t code) {
  auto name = sdk_error_name(codespace, code);
  return name ? std::string(*name) : std::string("TX_REJECTED");
}

std::string pair_of(const std::string& codespace, std::uint32_t code) {
  return "(" + (codespace.empty() ? std::string("?") : codespace) + " " + std::to_string(code) + ")";
}

}  // namespace

std::optional<std::string_view> sdk_error_name(std::string_view codespace, std::uint32_t code) {
  if (codespace != "sdk")
    return std::nullopt;
  for (const auto& [c, name] : kSdkNames)
    if (c == code)
      return name;
  return std::nullopt;
}

Error checktx_rejection(const BroadcastResult& result) {
  assert(result.code != 0);
  return make_error(
      "chain", code_of(result.codespace, result.code),
      "CheckTx rejected tx " + result.hash + ": " + pair_of(result.codespace, result.code) + " " + result.log,
      ErrorKind::kRejected);
}

Error delivery_failure(const TxResult& result) {
  assert(result.code != 0);
  return make_error("chain", code_of(result.codespace, result.code),
                    "tx " + result.hash + " failed in block " + std::to_string(result.height) +
                        " (FinalizeBlock; fee and sequence consumed): " +
                        pair_of(result.codespace, result.code) + " " + result.log,
                    ErrorKind::kRejected);
}

std::optional<std::uint32_t> mempool_rejection_code(const Error& error) {
  if (error.component != "rpc")
    return std::nullopt;
  if (error.code == "MEMPOOL_DUPLICATE")
    return 19;
  if (error.code == "MEMPOOL_FULL")
    return 20;
  if (error.code == "TX_TOO_LARGE")
    return 21;
  return std::nullopt;
}

}  // namespace snprelay::chain::rpc
