#include "common/base64.hpp"

#include <algorithm>

namespace snprelay {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of `c`, or -1.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

Error bad(const std::string& what) {
  return make_error("base64", "BAD_BASE64", what, ErrorKind::kInput);
}

}  // namespace

std::string encode_base64(std::span<const std::uint8_t> in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, in.size() - i);
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    if (n > 1)
      v |= std::uint32_t{in[i + 1]} << 8;
    if (n > 2)
      v |= in[i + 2];
    for (std::size_t k = 0; k < 4; ++k)
      out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

Result<Bytes> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0)
    return bad("base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i + pad < text.size(); ++i) {
    const int v = sextet(text[i]);
    if (v < 0)
      return bad("invalid base64 character at offset " + std::to_string(i));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  if ((acc & ((1U << bits) - 1)) != 0)
    return bad("base64 text has non-zero bits after its last byte");
  return out;
}

}  // namespace snprelay
