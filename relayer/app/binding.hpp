// The report binding (PROTOCOL.md "report_data"): the 64 bytes an epoch's SNP report must carry in
// REPORT_DATA, and the plain nonce form of `report get --nonce`.
//
//   binding_report_data()  SHA-512 over the protocol's length-prefixed fields (chain/protocol/binding.hpp);
//                          the request is validated first: a 32-byte nonce, non-empty chain id and
//                          addresses. Errors: app BAD_FLAG / chain INVALID_BINDING_INPUT, kInput.
//   report_data_for_nonce() SHA-512(nonce bytes): what `report get --nonce HEX` asks the firmware for.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::app {

// What the chain's verifier recomputes for one epoch; every field exactly as in the messages.
struct BindingRequest {
  std::string chain_id;
  std::uint64_t epoch = 0;
  Bytes nonce;  // the epoch's 32-byte nonce
  std::string operator_address;
  std::string relayer;
  std::uint64_t allowlist_version = 0;
};

// The 64-byte report_data of `r` (see above).
[[nodiscard]] Result<std::array<std::uint8_t, 64>> binding_report_data(const BindingRequest& r);

// SHA-512 of the nonce bytes (see above).
[[nodiscard]] std::array<std::uint8_t, 64> report_data_for_nonce(std::span<const std::uint8_t> nonce);

}  // namespace snprelay::app
