// TpmSealer: the Sealer (common/sealer.hpp) backed by the vTPM — seal() is Tpm::seal() to the
// current values of a fixed PCR selection, unseal() is Tpm::unseal(). The envelope is the sealed-blob
// format (sealed_blob.hpp), which records its own PCR selection, so unseal() uses none of this
// object's parameters beyond the TPM.
//
// Errors pass through from Tpm unchanged (component "tpm"): BAD_SECRET, BAD_PCRS, BAD_BLOB,
// TPM_POLICY_MISMATCH (a selected PCR changed since sealing: another boot chain or kernel),
// TPM_BLOB_FOREIGN (another or a cleared TPM), TPM_UNREACHABLE, TPM_ERROR, ...
// Thread-safety: as Tpm's (internally serialised); the sealer adds no state of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "attest/tpm/pcr.hpp"
#include "attest/tpm/tpm.hpp"
#include "common/sealer.hpp"

namespace snprelay::attest::tpm {

class TpmSealer final : public Sealer {
 public:
  // `tpm` must be non-null (shared: the relayer also quotes with it). `pcrs` is the selection seal()
  // binds to; an empty selection makes seal() fail with BAD_PCRS.
  TpmSealer(std::shared_ptr<Tpm> tpm, PcrSelection pcrs);

  // "tpm".
  [[nodiscard]] std::string_view mode() const override;
  // Tpm::seal(secret, pcrs).
  [[nodiscard]] Result<Bytes> seal(const SecretBytes& secret) override;
  // Tpm::unseal(envelope).
  [[nodiscard]] Result<SecretBytes> unseal(std::span<const std::uint8_t> envelope) override;

  [[nodiscard]] PcrSelection pcrs() const { return pcrs_; }

 private:
  std::shared_ptr<Tpm> tpm_;
  PcrSelection pcrs_;
};

}  // namespace snprelay::attest::tpm
