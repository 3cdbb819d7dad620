#include "chain/keys/nfkd.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "chain/keys/nfkd_table.hpp"

namespace snprelay::chain::keys {
namespace {

// A code point buffer that is wiped when it goes away (its capacity is reserved once, so no copy of
// the passphrase is left behind by a reallocation).
struct CodePoints {
  std::vector<char32_t> v;
  explicit CodePoints(std::size_t capacity) { v.reserve(capacity); }
  CodePoints(const CodePoints&) = delete;
  CodePoints& operator=(const CodePoints&) = delete;
  ~CodePoints() { OPENSSL_cleanse(v.data(), v.capacity() * sizeof(char32_t)); }
};

Error unsupported(std::size_t position, const std::string& why) {
  return make_error("chain", "UNSUPPORTED_PASSPHRASE",
                    "BIP-39 passphrase character " + std::to_string(position) + " " + why +
                        "; supported beyond ASCII: Latin, Greek, Cyrillic, combining marks, punctuation "
                        "and currency symbols (NFKD per Unicode " +
                        nfkd::kUnicodeVersion + ")",
                    ErrorKind::kInput);
}

bool supported(char32_t cp) {
  const auto it = std::upper_bound(nfkd::kSupported.begin(), nfkd::kSupported.end(), cp,
                                   [](char32_t c, const nfkd::Range& r) { return c < r.first; });
  return it != nfkd::kSupported.begin() && cp <= std::prev(it)->last;
}

std::uint8_t combining_class(char32_t cp) {
  if (cp < 0x300)
    return 0;
  const auto it =
      std::lower_bound(nfkd::kCombiningClasses.begin(), nfkd::kCombiningClasses.end(), cp,
                       [](const nfkd::CombiningClass& c, char32_t v) { return c.code_point < v; });
  return it != nfkd::kCombiningClasses.end() && it->code_point == cp ? it->ccc : 0;
}

void decompose(char32_t cp, std::vector<char32_t>& out) {
  const auto it = std::lower_bound(nfkd::kDecompositions.begin(), nfkd::kDecompositions.end(), cp,
                                   [](const nfkd::Decomposition& d, char32_t v) { return d.code_point < v; });
  if (it == nfkd::kDecompositions.end() || it->code_point != cp) {
    out.push_back(cp);
    return;
  }
  const auto slice = std::span(nfkd::kPool).subspan(it->offset, it->length);
  out.insert(out.end(), slice.begin(), slice.end());
}

// Strict UTF-8 decoding (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
Status decode_utf8(std::span<const std::uint8_t> in, std::vector<char32_t>& out) {
  std::size_t i = 0;
  for (std::size_t position = 1; i < in.size(); ++position) {
    const std::uint8_t b = in[i];
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
      min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
      min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      return unsupported(position, "is not valid UTF-8");
    }
    if (i + len > in.size())
      return unsupported(position, "is truncated UTF-8");
    for (std::size_t k = 1; k < len; ++k) {
      if ((in[i + k] & 0xC0) != 0x80)
        return unsupported(position, "is not valid UTF-8");
      cp = (cp << 6) | (in[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return unsupported(position, "is not valid UTF-8");
    out.push_back(cp);
    i += len;
  }
  return ok_status();
}

void encode_utf8(char32_t cp, SecretBytes& out, std::size_t& n) {
  std::uint8_t* p = out.data() + n;
  if (cp < 0x80) {
    p[0] = static_cast<std::uint8_t>(cp);
    n += 1;
  } else if (cp < 0x800) {
    p[0] = static_cast<std::uint8_t>(0xC0 | (cp >> 6));
    p[1] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
    n += 2;
  } else if (cp < 0x10000) {
    p[0] = static_cast<std::uint8_t>(0xE0 | (cp >> 12));
    p[1] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    p[2] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
    n += 3;
  } else {
    p[0] = static_cast<std::uint8_t>(0xF0 | (cp >> 18));
    p[1] = static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F));
    p[2] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    p[3] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
    n += 4;
  }
}

}  // namespace

Result<SecretBytes> nfkd_passphrase(const SecretBytes& passphrase) {
  const auto in = passphrase.view();
  if (std::all_of(in.begin(), in.end(), [](std::uint8_t b) { return b < 0x80; }))
    return passphrase;
  constexpr std::size_t kMaxExpansion = 8;  // longest decomposition in the supported set is 4
  CodePoints decoded(in.size());
  if (auto st = decode_utf8(in, decoded.v); !st)
    return st.error();
  CodePoints out(decoded.v.size() * kMaxExpansion);
  for (std::size_t i = 0; i < decoded.v.size(); ++i) {
    const char32_t cp = decoded.v[i];
    if (cp >= 0x80 && !supported(cp))
      return unsupported(i + 1, "is outside the scripts snprelay can normalize");
    decompose(cp, out.v);
  }
  // Canonical ordering: within each run of non-starters, stable sort by combining class.
  for (std::size_t i = 0; i < out.v.size();) {
    if (combining_class(out.v[i]) == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < out.v.size() && combining_class(out.v[j]) != 0)
      ++j;
    std::stable_sort(out.v.begin() + static_cast<std::ptrdiff_t>(i),
                     out.v.begin() + static_cast<std::ptrdiff_t>(j),
                     [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
    i = j;
  }
  SecretBytes utf8(out.v.size() * 4);
  std::size_t n = 0;
  for (const char32_t cp : out.v)
    encode_utf8(cp, utf8, n);
  SecretBytes result(utf8.view().first(n));
  return result;
}

}  // namespace snprelay::chain::keys
