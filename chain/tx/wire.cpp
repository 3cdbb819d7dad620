#include "chain/tx/wire.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "chain/crypto/hash.hpp"

namespace snprelay::chain::tx {
namespace {

// Reads a minimal varint at `pos`; nullopt if truncated, too long or not minimal.
std::optional<std::uint64_t> read_varint(std::span<const std::uint8_t> in, std::size_t& pos) {
  std::uint64_t value = 0;
  const std::size_t start = pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size())
      return std::nullopt;
    const std::uint8_t b = in[pos++];
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      // Minimal: a multi-byte varint must not end in a zero byte.
      if (pos - start > 1 && b == 0)
        return std::nullopt;
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::size_t len_field_size(std::uint32_t field, std::size_t len) {
  return varint_size(std::uint64_t{field} << 3 | 2) + varint_size(len) + len;
}

std::size_t varint_field_size(std::uint32_t field, std::uint64_t v) {
  return varint_size(std::uint64_t{field} << 3) + varint_size(v);
}

void put_varint(Bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_len_header(Bytes& out, std::uint32_t field, std::size_t len) {
  put_varint(out, std::uint64_t{field} << 3 | 2);
  put_varint(out, len);
}

void put_len_field(Bytes& out, std::uint32_t field, std::span<const std::uint8_t> payload) {
  put_len_header(out, field, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

void put_len_field(Bytes& out, std::uint32_t field, std::string_view payload) {
  put_len_header(out, field, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

void put_varint_field(Bytes& out, std::uint32_t field, std::uint64_t v) {
  put_varint(out, std::uint64_t{field} << 3);
  put_varint(out, v);
}

Status check_adr027_tx_raw(std::span<const std::uint8_t> tx_raw) {
  std::size_t pos = 0;
  std::uint64_t last_field = 0;
  while (pos < tx_raw.size()) {
    const std::size_t at = pos;
    auto bad = [&](const std::string& why) {
      return make_error("chain", "INVALID_TX", "TxRaw at offset " + std::to_string(at) + ": " + why,
                        ErrorKind::kInput);
    };
    const auto tag = read_varint(tx_raw, pos);
    if (!tag)
      return bad("bad or non-minimal tag varint");
    const std::uint64_t field = *tag >> 3;
    if ((*tag & 7) != 2 || field < 1 || field > 3)
      return bad("unknown field or wrong wire type (tag " + std::to_string(*tag) + ")");
    if (field < last_field || (field == last_field && field != 3))
      return bad("fields out of order or repeated");
    last_field = field;
    const auto len = read_varint(tx_raw, pos);
    if (!len)
      return bad("bad or non-minimal length varint");
    if (*len > tx_raw.size() - pos)
      return bad("length runs past the end");
    pos += static_cast<std::size_t>(*len);
  }
  return ok_status();
}

Result<Bytes> tx_bytes_from_file_contents(std::span<const std::uint8_t> contents) {
  auto is_space = [](std::uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  auto is_text = [&](std::uint8_t c) {
    return is_space(c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
           c == 'x' || c == 'X';
  };
  if (contents.empty())
    return make_error("chain", "INVALID_TX", "the transaction file is empty", ErrorKind::kInput);
  // Every TxRaw holds a message type URL ("/..."), so binary bytes are never all hex text.
  if (!std::all_of(contents.begin(), contents.end(), is_text))
    return Bytes(contents.begin(), contents.end());
  // Hex text: one token, or the two lines `tx send --offline` prints (TxRaw hex, then its hash).
  std::vector<std::string> tokens(1);
  for (const std::uint8_t c : contents) {
    if (!is_space(c))
      tokens.back() += static_cast<char>(c);
    else if (!tokens.back().empty())
      tokens.emplace_back();
  }
  if (tokens.back().empty())
    tokens.pop_back();
  if (tokens.empty())
    return make_error("chain", "INVALID_TX", "the transaction file is empty", ErrorKind::kInput);
  auto bytes = from_hex(tokens[0]);
  if (!bytes)
    return make_error(
        "chain", "INVALID_TX",
        "the transaction file is neither binary TxRaw nor hex text (" + bytes.error().message + ")",
        ErrorKind::kInput);
  if (bytes->empty())  // "0x" alone: hex text of nothing
    return make_error("chain", "INVALID_TX",
                      "the transaction file is empty (\"" + tokens[0] + "\" holds no bytes)",
                      ErrorKind::kInput);
  if (tokens.size() > 2)
    return make_error("chain", "INVALID_TX", "the transaction file has more than a TxRaw and its hash",
                      ErrorKind::kInput);
  if (tokens.size() == 2) {
    std::string hash = to_hex(crypto::sha256(*bytes));
    for (char& c : hash)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string given = tokens[1];
    for (char& c : given)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (given != hash)
      return make_error(
          "chain", "INVALID_TX",
          "the second line of the transaction file is not the SHA-256 hash of the TxRaw on the first",
          ErrorKind::kInput);
  }
  return bytes;
}

}  // namespace snprelay::chain::tx
