#include "relayer/app/binding.hpp"

#include <algorithm>

#include "chain/crypto/hash.hpp"
#include "chain/protocol/binding.hpp"

namespace snprelay::app {
namespace {

Error bad(const std::string& message) {
  return make_error("app", "BAD_FLAG", message, ErrorKind::kInput);
}

}  // namespace

Result<std::array<std::uint8_t, 64>> binding_report_data(const BindingRequest& r) {
  if (r.nonce.size() != 32)
    return bad("--nonce: the epoch nonce is 32 bytes, got " + std::to_string(r.nonce.size()));
  if (r.chain_id.empty())
    return bad("--chain-id: empty");
  if (r.operator_address.empty())
    return bad("--operator: empty");
  if (r.relayer.empty())
    return bad("--relayer: empty");
  auto digest = chain::protocol::report_data(r.chain_id, r.epoch, r.nonce, r.operator_address, r.relayer,
                                             r.allowlist_version);
  if (!digest)
    return digest.error();  // INVALID_BINDING_INPUT, kInput at the source
  std::array<std::uint8_t, 64> out{};
  std::copy(digest->begin(), digest->end(), out.begin());
  return out;
}

std::array<std::uint8_t, 64> report_data_for_nonce(std::span<const std::uint8_t> nonce) {
  const auto digest = chain::crypto::sha512(nonce);
  std::array<std::uint8_t, 64> out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

}  // namespace snprelay::app
