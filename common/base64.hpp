// Standard base64 (RFC 4648 §4, '=' padding): CometBFT's JSON-RPC bytes, the API's nonce and VCEK.
//
// decode_base64() is strict, because its input comes from outside (a node, a client): only the standard
// alphabet, a length that is a multiple of 4, at most two '=' and only at the end, no whitespace, and
// the unused bits of the last group zero (so every byte string has exactly one encoding). Anything else is
// base64 BAD_BASE64 (kInput) naming the first offending offset. Output is at most 3/4 of the input;
// callers bound the input first. No length is narrowed: any size_t works.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay {

[[nodiscard]] std::string encode_base64(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<Bytes> decode_base64(std::string_view text);

}  // namespace snprelay
