#include "attest/tpm/pcr.hpp"

#include <openssl/evp.h>

#include <charconv>

#include "attest/ossl.hpp"
#include "attest/tpm/tpm_error.hpp"

namespace snprelay::attest::tpm {

std::size_t PcrSelection::count() const {
  return static_cast<std::size_t>(__builtin_popcount(mask));
}

std::vector<unsigned> PcrSelection::indices() const {
  std::vector<unsigned> out;
  for (unsigned i = 0; i <= kMaxPcrIndex; ++i)
    if ((mask >> i) & 1u)
      out.push_back(i);
  return out;
}

std::string PcrSelection::to_string() const {
  std::string out;
  for (unsigned i : indices()) {
    if (!out.empty())
      out += ',';
    out += std::to_string(i);
  }
  return out;
}

Result<PcrSelection> parse_pcr_list(std::string_view text) {
  std::vector<std::int64_t> indices;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    std::int64_t value = -1;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size())
      return tpm_error("BAD_PCRS", "PCR list \"" + std::string(text) + "\": \"" + std::string(item) +
                                       "\" is not a PCR index (expected e.g. 0,1,7)");
    indices.push_back(value);
    start = comma + 1;
  }
  return pcr_selection(indices);
}

Result<PcrSelection> pcr_selection(std::span<const std::int64_t> indices) {
  if (indices.empty())
    return tpm_error("BAD_PCRS", "the PCR selection is empty (select at least one of 0..23)");
  PcrSelection sel;
  for (std::int64_t i : indices) {
    if (i < 0 || i > static_cast<std::int64_t>(kMaxPcrIndex))
      return tpm_error("BAD_PCRS", "PCR index " + std::to_string(i) + " is outside 0..23");
    sel.mask |= 1u << i;
  }
  return sel;
}

std::array<std::uint8_t, 32> pcr_digest(std::span<const PcrValue> values) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  // Only an allocation failure can make these fail; the all-zero result then matches nothing real.
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1) {
    for (const auto& v : values)
      EVP_DigestUpdate(ctx.get(), v.data(), v.size());
    EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  }
  return out;
}

}  // namespace snprelay::attest::tpm
