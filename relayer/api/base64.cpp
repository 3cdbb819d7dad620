// base64 over OpenSSL's block coder; the strict checks are ours (EVP_DecodeBlock skips whitespace and
// does not report padding).
#include "relayer/api/base64.hpp"

#include <openssl/evp.h>

namespace snprelay::api {
namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

Error bad(const std::string& what) {
  return make_error("api", "BAD_BASE64", what, ErrorKind::kInput);
}

}  // namespace

Result<Bytes> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0)
    return bad("base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  for (std::size_t i = 0; i + pad < text.size(); ++i) {
    if (!in_alphabet(text[i]))
      return bad("invalid base64 character at offset " + std::to_string(i));
  }
  if (text.empty())
    return Bytes{};
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size())
    return bad("base64 text does not decode");
  out.resize(out.size() - pad);
  return out;
}

std::string encode_base64(const Bytes& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

}  // namespace snprelay::api
