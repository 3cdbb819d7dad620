#include "chain/keys/bip39.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "chain/crypto/hash.hpp"
#include "chain/keys/bip39_wordlist.hpp"
#include "chain/keys/nfkd.hpp"
#include "common/aead.hpp"

namespace snprelay::chain::keys {
namespace {

Error invalid(const std::string& what) {
  return make_error("chain", "INVALID_MNEMONIC", what, ErrorKind::kInput);
}

// Word indexes of a normalized mnemonic; -1 entries mark unknown words.
std::vector<int> word_indexes(const SecretBytes& normalized) {
  const auto& list = bip39_english_wordlist();
  std::vector<int> out;
  const std::string_view text(reinterpret_cast<const char*>(normalized.data()), normalized.size());
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const auto it = std::lower_bound(list.begin(), list.end(), word);
    out.push_back(it != list.end() && *it == word ? static_cast<int>(it - list.begin()) : -1);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<SecretBytes> normalize_mnemonic(const SecretBytes& mnemonic) {
  SecretBytes out(mnemonic.size());
  std::size_t n = 0;
  bool pending_space = false;
  for (std::size_t i = 0; i < mnemonic.size(); ++i) {
    const std::uint8_t c = mnemonic.data()[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = n > 0;
      continue;
    }
    const bool upper = c >= 'A' && c <= 'Z';
    if (!upper && !(c >= 'a' && c <= 'z'))
      return invalid("character at offset " + std::to_string(i) + " is not an ASCII letter or whitespace");
    if (pending_space)
      out.data()[n++] = ' ';
    pending_space = false;
    out.data()[n++] = static_cast<std::uint8_t>(upper ? c + ('a' - 'A') : c);
  }
  return SecretBytes(std::span<const std::uint8_t>(out.data(), n));
}

Status validate_mnemonic(const SecretBytes& mnemonic) {
  auto normalized = normalize_mnemonic(mnemonic);
  if (!normalized)
    return normalized.error();
  const std::vector<int> idx = word_indexes(*normalized);
  const std::size_t words = idx.size();
  if (words < 12 || words > 24 || words % 3 != 0)
    return invalid("has " + std::to_string(words) + " words (expected 12, 15, 18, 21 or 24)");
  for (std::size_t i = 0; i < words; ++i)
    if (idx[i] < 0)
      return invalid("word " + std::to_string(i + 1) + " is not in the BIP-39 English list");
  const std::size_t total_bits = words * 11;
  const std::size_t checksum_bits = total_bits / 33;
  const std::size_t entropy_bytes = (total_bits - checksum_bits) / 8;
  SecretBytes bits_buf((total_bits + 7) / 8);
  for (std::size_t i = 0; i < words; ++i)
    for (std::size_t b = 0; b < 11; ++b)
      if ((static_cast<unsigned>(idx[i]) >> (10 - b)) & 1u) {
        const std::size_t bit = i * 11 + b;
        bits_buf.data()[bit / 8] = static_cast<std::uint8_t>(bits_buf.data()[bit / 8] | (0x80u >> (bit % 8)));
      }
  const auto digest = crypto::sha256(std::span<const std::uint8_t>(bits_buf.data(), entropy_bytes));
  for (std::size_t b = 0; b < checksum_bits; ++b) {
    const std::size_t bit = entropy_bytes * 8 + b;
    const bool have = (bits_buf.data()[bit / 8] >> (7 - bit % 8)) & 1u;
    const bool want = (digest[b / 8] >> (7 - b % 8)) & 1u;
    if (have != want)
      return invalid("checksum does not match (a word is wrong or the order is changed)");
  }
  return ok_status();
}

Result<SecretBytes> entropy_to_mnemonic(std::span<const std::uint8_t> entropy) {
  if (entropy.size() < 16 || entropy.size() > 32 || entropy.size() % 4 != 0)
    return make_error(
        "chain", "INVALID_ENTROPY_LENGTH",
        "entropy is " + std::to_string(entropy.size()) + " bytes (expected 16, 20, 24, 28 or 32)",
        ErrorKind::kInput);
  const auto digest = crypto::sha256(entropy);
  const std::size_t checksum_bits = entropy.size() / 4;
  const std::size_t words = (entropy.size() * 8 + checksum_bits) / 11;
  auto bit_at = [&](std::size_t bit) -> unsigned {
    if (bit < entropy.size() * 8)
      return (entropy[bit / 8] >> (7 - bit % 8)) & 1u;
    const std::size_t c = bit - entropy.size() * 8;
    return (digest[c / 8] >> (7 - c % 8)) & 1u;
  };
  const auto& list = bip39_english_wordlist();
  SecretBytes out(words * 9);  // longest English word is 8 letters, plus a separator
  std::size_t n = 0;
  for (std::size_t w = 0; w < words; ++w) {
    unsigned index = 0;
    for (std::size_t b = 0; b < 11; ++b)
      index = (index << 1) | bit_at(w * 11 + b);
    if (w > 0)
      out.data()[n++] = ' ';
    for (const char c : list[index])
      out.data()[n++] = static_cast<std::uint8_t>(c);
  }
  return SecretBytes(std::span<const std::uint8_t>(out.data(), n));
}

Result<SecretBytes> generate_mnemonic(unsigned words) {
  if (words < 12 || words > 24 || words % 3 != 0)
    return make_error("chain", "INVALID_WORD_COUNT",
                      std::to_string(words) + " words requested (expected 12, 15, 18, 21 or 24)",
                      ErrorKind::kInput);
  auto entropy = random_secret(static_cast<std::size_t>(words / 3) * 4);
  if (!entropy)
    return entropy.error();
  return entropy_to_mnemonic(entropy->view());
}

Result<SecretBytes> mnemonic_to_seed(const SecretBytes& mnemonic, const SecretBytes& passphrase) {
  if (auto st = validate_mnemonic(mnemonic); !st)
    return st.error();
  auto nfkd = nfkd_passphrase(passphrase);  // identity for ASCII; refuses what it cannot normalize
  if (!nfkd)
    return nfkd.error();
  auto normalized = normalize_mnemonic(mnemonic);
  if (!normalized)
    return normalized.error();
  static constexpr std::string_view kSaltPrefix = "mnemonic";
  SecretBytes salt(kSaltPrefix.size() + nfkd->size());
  std::copy(kSaltPrefix.begin(), kSaltPrefix.end(), salt.data());
  std::copy(nfkd->view().begin(), nfkd->view().end(), salt.data() + kSaltPrefix.size());
  return crypto::pbkdf2_hmac_sha512(normalized->view(), salt.view(), 2048, 64);
}

}  // namespace snprelay::chain::keys
