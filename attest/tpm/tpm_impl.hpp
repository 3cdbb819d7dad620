// Internal to attest/tpm: the ESYS state behind Tpm and the building blocks its operations share.
// Every function here expects the caller to hold Tpm's mutex.
#pragma once

#include <tss2/tss2_esys.h>

#include "attest/tpm/esys_handles.hpp"
#include "attest/tpm/tpm.hpp"

namespace snprelay::attest::tpm {

// Owns the connection. Member order matters: members are destroyed in reverse order, so the ESYS
// context is finalized before the TCTI it talks through.
struct Tpm::Impl {
  detail::TctiPtr tcti;  // declared first: destroyed after esys
  detail::EsysPtr esys;
  [[nodiscard]] ESYS_CONTEXT* ctx() const { return esys.get(); }
};

namespace detail {

// One sha256 selection with a 3-byte bitmap.
[[nodiscard]] TPML_PCR_SELECTION to_tpml(PcrSelection pcrs);

// The ECC P-256 storage primary (sealed_blob.hpp, template id 1), flushed when the guard dies.
[[nodiscard]] Result<Transient> create_srk(ESYS_CONTEXT* ctx);

// A session salted with `salt_key` (ECDH to the SRK) using AES-128-CFB parameter encryption in the
// direction(s) given by `attributes` (TPMA_SESSION_ENCRYPT and/or TPMA_SESSION_DECRYPT).
[[nodiscard]] Result<Transient> start_salted_session(ESYS_CONTEXT* ctx, ESYS_TR salt_key, TPM2_SE type,
                                                     TPMA_SESSION attributes);

// PCR_Read over the selection, 8 digests per call at most, values in ascending index order.
[[nodiscard]] Result<std::vector<PcrValue>> read_pcr_values(ESYS_CONTEXT* ctx, PcrSelection pcrs);

// Zeroes a structure (e.g. TPM2B_SENSITIVE_CREATE holding the secret to seal) with OPENSSL_cleanse,
// on every path out of the scope.
template <typename T>
class WipeOnExit {
 public:
  explicit WipeOnExit(T& object) : object_(object) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { OPENSSL_cleanse(&object_, sizeof object_); }

 private:
  T& object_;
};

}  // namespace detail
}  // namespace snprelay::attest::tpm
