#include "chain/keys/bip32.hpp"

#include <algorithm>
#include <charconv>

#include "chain/crypto/hash.hpp"
#include "chain/crypto/secp256k1.hpp"

namespace snprelay::chain::keys {

Result<std::vector<std::uint32_t>> parse_hd_path(std::string_view path) {
  auto bad = [&](const std::string& why) {
    return make_error("chain", "INVALID_HD_PATH", "HD path \"" + std::string(path) + "\": " + why,
                      ErrorKind::kInput);
  };
  if (path.empty() || path[0] != 'm')
    return bad("must start with m");
  std::vector<std::uint32_t> out;
  std::size_t pos = 1;
  while (pos < path.size()) {
    if (path[pos] != '/')
      return bad("expected '/' at offset " + std::to_string(pos));
    ++pos;
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos)
      end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    bool hardened = false;
    if (!part.empty() && (part.back() == '\'' || part.back() == 'h' || part.back() == 'H')) {
      hardened = true;
      part.remove_suffix(1);
    }
    std::uint32_t index = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size())
      return bad("component " + std::to_string(out.size() + 1) + " is not a number");
    if (index >= kHardened)
      return bad("component " + std::to_string(out.size() + 1) + " is >= 2^31");
    out.push_back(hardened ? index | kHardened : index);
    pos = end;
  }
  if (out.size() > 255)
    return bad("deeper than 255 levels");
  return out;
}

std::string format_hd_path(std::span<const std::uint32_t> path) {
  std::string out = "m";
  for (const std::uint32_t i : path) {
    out += "/" + std::to_string(i & ~kHardened);
    if (i & kHardened)
      out += "'";
  }
  return out;
}

Result<SecretBytes> derive_private_key(const SecretBytes& seed, std::span<const std::uint32_t> path) {
  if (seed.size() < 16 || seed.size() > 64)
    return make_error("chain", "INVALID_SEED_LENGTH", "seed is " + std::to_string(seed.size()) + " bytes",
                      ErrorKind::kInput);
  static constexpr std::string_view kKey = "Bitcoin seed";
  SecretBytes i = crypto::hmac_sha512(
      std::span(reinterpret_cast<const std::uint8_t*>(kKey.data()), kKey.size()), seed.view());
  SecretBytes key(std::span<const std::uint8_t>(i.data(), 32));
  SecretBytes chain_code(std::span<const std::uint8_t>(i.data() + 32, 32));
  if (!crypto::is_valid_private_key(key))
    return make_error("chain", "INVALID_CHILD_KEY", "master key out of range", ErrorKind::kInput);
  for (const std::uint32_t index : path) {
    SecretBytes data(37);
    if (index & kHardened) {
      data.data()[0] = 0;
      std::copy(key.view().begin(), key.view().end(), data.data() + 1);
    } else {
      auto pub = crypto::public_key_of(key);
      if (!pub)
        return pub.error();
      std::copy(pub->begin(), pub->end(), data.data());
    }
    for (int b = 0; b < 4; ++b)
      data.data()[33 + b] = static_cast<std::uint8_t>(index >> (24 - 8 * b));
    i = crypto::hmac_sha512(chain_code.view(), data.view());
    auto child = crypto::private_key_tweak_add(key, std::span<const std::uint8_t, 32>(i.data(), 32));
    if (!child)
      return make_error("chain", "INVALID_CHILD_KEY",
                        "derivation at " + format_hd_path(path) + " hit an invalid child index",
                        ErrorKind::kInput);
    key = std::move(*child);
    chain_code = SecretBytes(std::span<const std::uint8_t>(i.data() + 32, 32));
  }
  return key;
}

}  // namespace snprelay::chain::keys
