#include "chain/tx/wire.hpp"

#include <optional>
#include <string>

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

Status check_adr027_tx_raw(std::span<const std::uint8_t> tx_raw) {
  std::size_t pos = 0;
  std::uint64_t last_field = 0;
  while (pos < tx_raw.size()) {
    const std::size_t at = pos;
    auto bad = [&](const std::string& why) {
      return make_error("chain", "INVALID_TX", "TxRaw at offset " + std::to_string(at) + ": " + why);
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

}  // namespace snprelay::chain::tx
