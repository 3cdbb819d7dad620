// Bech32 (BIP-173, checksum constant 1 — not bech32m) as Cosmos uses it for addresses.
//
// Cosmos text addresses are bech32(hrp, convertbits(bytes, 8 -> 5)). The human-readable part (HRP) names
// the role and the chain: `cosmos` (account), `cosmosvaloper` (validator operator), or a chain's own
// prefix. The same 20 bytes under two HRPs are the same key in two roles.
//
// Decoding is strict, because every decoded string comes from outside (config, CLI, RPC replies):
// total length 8..90, printable US-ASCII only, not mixed case, exactly one valid separator position,
// valid checksum, padding bits zero. Address payloads may be 20 bytes (keys) or 32 bytes (ADR-028
// module-derived accounts); decode_address() accepts both and nothing else.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::chain::keys {

struct Bech32Data {
  std::string hrp;  // lower-case
  Bytes data;       // the payload, converted back to 8-bit bytes
};

// Encodes `data` (8-bit bytes) under `hrp`. Errors: chain INVALID_HRP (empty, upper-case or
// non-printable characters) or BECH32_TOO_LONG (result over 90 characters).
[[nodiscard]] Result<std::string> bech32_encode(std::string_view hrp, std::span<const std::uint8_t> data);

// Decodes any bech32 string. Errors: chain INVALID_BECH32 with a message naming the problem
// (length, character, case, checksum, padding). Never reads past the input.
[[nodiscard]] Result<Bech32Data> bech32_decode(std::string_view text);

// Decodes an address and checks its HRP equals `expected_hrp` and its payload is 20 or 32 bytes.
// Errors: chain INVALID_BECH32; chain WRONG_HRP ("expected prefix cosmos, got osmo"); chain
// INVALID_ADDRESS_LENGTH.
[[nodiscard]] Result<Bytes> decode_address(std::string_view address, std::string_view expected_hrp);

// The HRP of an address, or an error as bech32_decode(). Used where any prefix is acceptable.
[[nodiscard]] Result<std::string> address_hrp(std::string_view address);

}  // namespace snprelay::chain::keys
