// Standard base64 (RFC 4648 §4, with '=' padding) for the API's JSON bodies: the nonce a client sends
// and the VCEK the JSON form of a report carries.
//
// decode_base64() is strict, because its input comes from the network: only the standard alphabet,
// length a multiple of 4, at most two '=' and only at the end, no whitespace. Anything else is
// api BAD_BASE64 (kInput) with a message naming the first offending position. Decoding allocates at
// most 3/4 of the input's size; callers bound the input first (the server caps the body).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::api {

[[nodiscard]] Result<Bytes> decode_base64(std::string_view text);
[[nodiscard]] std::string encode_base64(const Bytes& bytes);

}  // namespace snprelay::api
