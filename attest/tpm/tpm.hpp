// Tpm: a TPM 2.0 (a vTPM in production, swtpm in tests) reached through tpm2-tss ESYS, used to seal
// a small secret to a PCR policy, unseal it in a later process, read PCRs and quote them.
//
// Connection. open(tcti) takes an explicit TCTI string — "device:/dev/tpmrm0" in production (the
// kernel resource manager), "swtpm:path=/dir/swtpm.sock" in tests. An empty string is refused: the
// loader's implicit search (tabrmd, /dev/tpmrm0, /dev/tpm0, a local swtpm, ...) would let production
// silently talk to a simulator. open() sends TPM2_Startup(CLEAR) and accepts TPM2_RC_INITIALIZE (the
// firmware or swtpm already started it).
//
// Keys. Each operation recreates what it needs and flushes it before returning, on every path:
//  - the storage primary ("SRK"): ECC P-256 under the owner hierarchy with the standard template
//    (go-tpm-tools' ECC SRK template). Deterministic: the same TPM gives the same key in
//    every process, so nothing is persisted;
//  - the attestation key ("AK"): a restricted ECC P-256 ECDSA/SHA-256 signing primary under the
//    endorsement hierarchy. Also deterministic per TPM: quote() returns its public key as PEM.
// Owner and endorsement hierarchy authorisations must be empty (the usual state of cloud vTPMs).
//
// Secrets on the wire. seal() sends the secret inside an HMAC session salted with the SRK and with
// TPMA_SESSION_DECRYPT (parameter encryption, AES-128-CFB); unseal() runs the PCR policy in a policy
// session salted with the SRK and with TPMA_SESSION_ENCRYPT, so the TPM returns the secret encrypted.
// Neither direction carries the secret in clear over the TCTI (socket, /dev/tpmrm0 buffers, TSS2 trace
// logs). What stays true: while the PCRs match, any process that can open the TPM can unseal a blob —
// restrict access to /dev/tpmrm0.
//
// Errors are Error{component "tpm", code, message}; the message carries the TSS2 code and its decoded
// text. Codes: BAD_TCTI (empty string), TPM_BAD_TCTI (unknown TCTI name/config), TPM_UNREACHABLE,
// BAD_PCRS, BAD_SECRET (empty or > 128 bytes), BAD_BLOB (see sealed_blob.hpp), TPM_POLICY_MISMATCH,
// TPM_BLOB_FOREIGN, TPM_OUT_OF_MEMORY, TPM_ERROR (tpm_error.hpp describes the TPM-side codes and the
// kind of each: the caller's input, an unavailable TPM, or an internal failure).
//
// Thread-safety: a Tpm may be shared between threads; every method takes an internal mutex, because
// an ESYS context is not thread-safe. Do not open two Tpm objects on one swtpm from parallel threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tpm/quote.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay::attest::tpm {

// The TPM's limit on the data of a sealed (keyed-hash) object.
inline constexpr std::size_t kMaxSealedSecret = 128;

// Caps the TSS libraries' own logging before any TSS call: ESYS at debug/trace dumps command
// parameters before session encryption (a secret in the clear), so TSS2_LOG is set to "all+none", or,
// when the operator asked for TSS tracing, their setting with the esys and esys_crypto modules capped at
// warning. Idempotent. Tpm::open calls it, so every caller (CLI, daemon, tests) gets it; it is public
// for code that calls the TSS libraries without a Tpm. Thread-safety: changes the environment; call
// before other threads use TSS or getenv.
void cap_tss2_logging();

class Tpm {
 public:
  // Caps TSS logging (cap_tss2_logging), connects through `tcti` and starts the TPM up. Errors: BAD_TCTI,
  // TPM_BAD_TCTI, TPM_UNREACHABLE, TPM_ERROR.
  [[nodiscard]] static Result<std::unique_ptr<Tpm>> open(const std::string& tcti);
  ~Tpm();
  Tpm(const Tpm&) = delete;
  Tpm& operator=(const Tpm&) = delete;

  // Seals `secret` (1..128 bytes) to the current values of `pcrs` (sha256 bank) under the SRK and
  // returns the sealed-blob bytes (format in sealed_blob.hpp). The blob is useless without this TPM
  // and is not itself secret. Errors: BAD_SECRET, BAD_PCRS (empty selection), TPM_*.
  [[nodiscard]] Result<Bytes> seal(const SecretBytes& secret, PcrSelection pcrs);

  // Unseals a blob made by seal() on this TPM. Errors: BAD_BLOB (malformed or unknown version),
  // TPM_BLOB_FOREIGN (another TPM, a cleared TPM, another SRK), TPM_POLICY_MISMATCH (a selected PCR
  // changed since sealing), TPM_*.
  [[nodiscard]] Result<SecretBytes> unseal(std::span<const std::uint8_t> blob);

  // The current sha256 values of `pcrs`, in ascending index order.
  [[nodiscard]] Result<std::vector<PcrValue>> read_pcrs(PcrSelection pcrs);

  // TPM2_Quote over `pcrs` (sha256 bank) with qualifying data `nonce` (1..64 bytes; use
  // report_nonce() to bind an SNP report), signed by the AK. The returned Quote carries the PCR
  // values read right after quoting (re-quoted, at most 3 times, if a PCR changed in between) and
  // the AK public key as PEM. Errors: BAD_PCRS, BAD_NONCE, TPM_*.
  [[nodiscard]] Result<Quote> quote(std::span<const std::uint8_t> nonce, PcrSelection pcrs);

  // The TCTI string this Tpm was opened with.
  [[nodiscard]] const std::string& tcti() const { return tcti_; }

  struct Impl;  // ESYS state; defined in tpm_impl.hpp

 private:
  Tpm(std::string tcti, std::unique_ptr<Impl> impl);

  std::string tcti_;
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;  // GUARDED_BY(mutex_)
};

}  // namespace snprelay::attest::tpm
