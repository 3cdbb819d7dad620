// GUIDs as edk2 and QEMU store them: 16 bytes, the first three fields little-endian ("bytes_le").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace snprelay::attest::measure {

using Guid = std::array<std::uint8_t, 16>;

namespace detail {
constexpr std::uint8_t nibble(char c) {
  return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
}
}  // namespace detail

// The stored bytes of the GUID written "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case). Only for
// compile-time constants: the text is not validated.
constexpr Guid guid_le(std::string_view text) {
  std::array<std::uint8_t, 16> be{};
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size() && n < 16;) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    be[n++] = static_cast<std::uint8_t>(detail::nibble(text[i]) << 4 | detail::nibble(text[i + 1]));
    i += 2;
  }
  // Fields 1 (4 bytes), 2 and 3 (2 bytes each) are stored little-endian; the last 8 bytes as written.
  return Guid{be[3], be[2], be[1],  be[0],  be[5],  be[4],  be[7],  be[6],
              be[8], be[9], be[10], be[11], be[12], be[13], be[14], be[15]};
}

// The text form of stored bytes (the inverse of guid_le), for messages.
inline std::string guid_text(const Guid& g) {
  static constexpr char kDigits[] = "0123456789abcdef";
  static constexpr std::array<std::size_t, 16> kOrder{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  std::string out;
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += kDigits[g[kOrder[i]] >> 4];
    out += kDigits[g[kOrder[i]] & 0xF];
  }
  return out;
}

}  // namespace snprelay::attest::measure
