#include "attest/tpm/tpm_sealer.hpp"

#include <utility>

namespace snprelay::attest::tpm {

TpmSealer::TpmSealer(std::shared_ptr<Tpm> tpm, PcrSelection pcrs) : tpm_(std::move(tpm)), pcrs_(pcrs) {}

std::string_view TpmSealer::mode() const {
  return "tpm";
}

Result<Bytes> TpmSealer::seal(const SecretBytes& secret) {
  return tpm_->seal(secret, pcrs_);
}

Result<SecretBytes> TpmSealer::unseal(std::span<const std::uint8_t> envelope) {
  return tpm_->unseal(envelope);
}

}  // namespace snprelay::attest::tpm
