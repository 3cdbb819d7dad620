// Sealer: protects a small secret at rest (DESIGN.md §1 — vTPM, SNP-derived key, passphrase).
//
// The key store (chain/keys) encrypts a signing key under a random data-encryption key (DEK) and
// asks a Sealer to protect that DEK. The Sealer returns an *envelope*: bytes that are stored beside
// the encrypted key, are not secret, and give the DEK back only to whoever can unseal them — the same
// vTPM with the same PCR values (attest::tpm::TpmSealer), the same VM image and policy on the same
// chip (attest::SnpDerivedSealer), or the same passphrase (chain::keys::PassphraseSealer).
//
// Contract for every implementation:
//  - mode() is the name stored in key files and used by `[chain.key] protection`:
//    "passphrase", "tpm" or "snp-derived".
//  - seal() accepts 1..128 bytes. The envelope is self-describing: unseal() needs no parameters
//    beyond those the Sealer was built with (a passphrase, a TPM connection, an evidence source).
//  - unseal() parses the envelope defensively (any bytes may come from a tampered file) and fails
//    with a code that says *why* (wrong passphrase, PCR policy mismatch, another VM image, ...) —
//    never with the secret or key material in the message.
//  - Neither the secret nor anything derived from it is ever logged.
// Thread-safety: per implementation; the key store calls one Sealer from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay {

class Sealer {
 public:
  virtual ~Sealer() = default;
  [[nodiscard]] virtual std::string_view mode() const = 0;
  [[nodiscard]] virtual Result<Bytes> seal(const SecretBytes& secret) = 0;
  [[nodiscard]] virtual Result<SecretBytes> unseal(std::span<const std::uint8_t> envelope) = 0;
};

}  // namespace snprelay
