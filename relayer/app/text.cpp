#include "relayer/app/text.hpp"

#include <cstdint>

namespace snprelay::app {
namespace {

void hex_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

// Length of the valid UTF-8 sequence at text[i] (2..4), or 0 when it is not one. Overlong forms,
// surrogates and code points above U+10FFFF are invalid.
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = b(0);
  std::size_t n = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
    cp = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    cp = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    cp = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + n > text.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0u) != 0x80u)
      return 0;
    cp = (cp << 6) | (b(k) & 0x3fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      hex_escape(out, c);  // C0 controls and DEL: \n, \r, ESC ...
      ++i;
    } else {
      std::uint32_t cp = 0;
      const std::size_t n = utf8_sequence(text, i, cp);
      const bool unsafe = n == 0 || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029;
      if (unsafe) {
        hex_escape(out, c);
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
    }
  }
  return out;
}

std::string error_line(const Error& e) {
  return "error: " + escape_text(e.to_string());
}

nlohmann::ordered_json error_json(const Error& e) {
  return {{"error",
           {{"kind", error_kind_name(e.kind)},
            {"component", escape_text(e.component)},
            {"code", escape_text(e.code)},
            {"message", escape_text(e.message)}}}};
}

}  // namespace snprelay::app
