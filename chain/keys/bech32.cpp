#include "chain/keys/bech32.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace snprelay::chain::keys {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kMaxLength = 90;

std::uint32_t polymod(const std::vector<std::uint8_t>& values) {
  constexpr std::array<std::uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (const std::uint8_t v : values) {
    const std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (std::size_t i = 0; i < 5; ++i)
      if ((top >> i) & 1)
        chk ^= kGen[i];
  }
  return chk;
}

std::vector<std::uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<std::uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (const char c : hrp)
    out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (const char c : hrp)
    out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31));
  return out;
}

// General power-of-2 base conversion (BIP-173 reference). `pad` adds trailing zero bits when encoding;
// when decoding (pad = false) leftover bits must be fewer than `from` and all zero.
bool convert_bits(std::span<const std::uint8_t> in, int from, int to, bool pad,
                  std::vector<std::uint8_t>& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  const std::uint32_t maxv = (1u << to) - 1;
  for (const std::uint8_t v : in) {
    if ((v >> from) != 0)
      return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0)
      out.push_back(static_cast<std::uint8_t>((acc << (to - bits)) & maxv));
  } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
    return false;
  }
  return true;
}

Error bad(const std::string& what) {
  return make_error("chain", "INVALID_BECH32", what, ErrorKind::kInput);
}

}  // namespace

Result<std::string> bech32_encode(std::string_view hrp, std::span<const std::uint8_t> data) {
  if (hrp.empty())
    return make_error("chain", "INVALID_HRP", "empty bech32 prefix", ErrorKind::kInput);
  for (const char c : hrp)
    if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z'))
      return make_error("chain", "INVALID_HRP",
                        "bech32 prefix must be lower-case printable ASCII: " + std::string(hrp),
                        ErrorKind::kInput);
  std::vector<std::uint8_t> values;
  convert_bits(data, 8, 5, true, values);
  std::vector<std::uint8_t> check = hrp_expand(hrp);
  check.insert(check.end(), values.begin(), values.end());
  check.insert(check.end(), 6, 0);
  const std::uint32_t mod = polymod(check) ^ 1;
  std::string out(hrp);
  out += '1';
  for (const std::uint8_t v : values)
    out += kCharset[v];
  for (int i = 0; i < 6; ++i)
    out += kCharset[(mod >> (5 * (5 - i))) & 31];
  if (out.size() > kMaxLength)
    return make_error("chain", "BECH32_TOO_LONG",
                      "bech32 string would be " + std::to_string(out.size()) + " characters (limit 90)",
                      ErrorKind::kInput);
  return out;
}

Result<Bech32Data> bech32_decode(std::string_view text) {
  if (text.size() < 8 || text.size() > kMaxLength)
    return bad("length " + std::to_string(text.size()) + " outside 8..90");
  bool lower = false;
  bool upper = false;
  for (const char c : text) {
    if (c < 33 || c > 126)
      return bad("non-printable or non-ASCII character");
    lower |= (c >= 'a' && c <= 'z');
    upper |= (c >= 'A' && c <= 'Z');
  }
  if (lower && upper)
    return bad("mixed case");
  const std::size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size())
    return bad("missing separator '1' or data part shorter than the checksum");
  std::string hrp;
  for (std::size_t i = 0; i < sep; ++i)
    hrp += static_cast<char>(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + ('a' - 'A') : text[i]);
  std::vector<std::uint8_t> values;
  for (std::size_t i = sep + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + ('a' - 'A'));
    const std::size_t pos = kCharset.find(c);
    if (pos == std::string_view::npos)
      return bad(std::string("character '") + c + "' is not in the bech32 alphabet");
    values.push_back(static_cast<std::uint8_t>(pos));
  }
  std::vector<std::uint8_t> check = hrp_expand(hrp);
  check.insert(check.end(), values.begin(), values.end());
  if (polymod(check) != 1)
    return bad("checksum mismatch (or a bech32m string)");
  values.resize(values.size() - 6);
  std::vector<std::uint8_t> bytes;
  if (!convert_bits(values, 5, 8, false, bytes))
    return bad("invalid padding bits");
  return Bech32Data{std::move(hrp), std::move(bytes)};
}

Result<Bytes> decode_address(std::string_view address, std::string_view expected_hrp) {
  auto decoded = bech32_decode(address);
  if (!decoded)
    return decoded.error();
  if (decoded->hrp != expected_hrp)
    return make_error("chain", "WRONG_HRP",
                      "expected prefix " + std::string(expected_hrp) + ", got " + decoded->hrp + " in " +
                          std::string(address),
                      ErrorKind::kInput);
  if (decoded->data.size() != 20 && decoded->data.size() != 32)
    return make_error(
        "chain", "INVALID_ADDRESS_LENGTH",
        "address payload is " + std::to_string(decoded->data.size()) + " bytes (expected 20 or 32)",
        ErrorKind::kInput);
  return std::move(decoded->data);
}

Result<std::string> address_hrp(std::string_view address) {
  auto decoded = bech32_decode(address);
  if (!decoded)
    return decoded.error();
  return std::move(decoded->hrp);
}

}  // namespace snprelay::chain::keys
