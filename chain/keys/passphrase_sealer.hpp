// PassphraseSealer: the "passphrase" key protection — a Sealer (common/sealer.hpp) whose envelope
// opens only with the operator's passphrase.
//
// Envelope (version 1, big-endian):
//   offset  size  field
//   0       4     magic "SRPP"
//   4       1     version = 1
//   5       1     scrypt log2(N), 1..20
//   6       1     scrypt r, 1..32
//   7       1     scrypt p, 1..16
//   8       16    salt
//   24      12    AES-256-GCM nonce
//   36      1     secret length n, 1..128
//   37      n+16  AES-256-GCM(scrypt(passphrase, salt), secret) || tag; additional data = bytes 0..36
//   53+n          end: nothing may follow
// scrypt uses N = 2^log2_n (15 by default: 32 MiB, about 0.1 s), r = 8, p = 1.
//
// Errors (component "chain"): EMPTY_PASSPHRASE, BAD_SECRET, BAD_ENVELOPE (naming the field),
// WRONG_PASSPHRASE (the tag does not verify: wrong passphrase or a modified envelope — the two are
// indistinguishable by design), CRYPTO_FAILED, RANDOM_FAILED.
// Thread-safety: const after construction; seal/unseal may run concurrently.
#pragma once

#include "common/sealer.hpp"

namespace snprelay::chain::keys {

inline constexpr unsigned kDefaultScryptLog2N = 15;

class PassphraseSealer final : public Sealer {
 public:
  explicit PassphraseSealer(SecretBytes passphrase, unsigned scrypt_log2_n = kDefaultScryptLog2N);

  [[nodiscard]] std::string_view mode() const override { return "passphrase"; }
  [[nodiscard]] Result<Bytes> seal(const SecretBytes& secret) override;
  [[nodiscard]] Result<SecretBytes> unseal(std::span<const std::uint8_t> envelope) override;

  // The passphrase itself, for the key store's version-1 files (scrypt key used directly).
  [[nodiscard]] const SecretBytes& passphrase() const { return passphrase_; }

 private:
  SecretBytes passphrase_;
  unsigned log2_n_;
};

// scrypt(passphrase, salt) → 32 bytes with N = 2^log2_n. Errors: KEYFILE_INVALID (parameters out of
// the ranges above), CRYPTO_FAILED.
[[nodiscard]] Result<SecretBytes> scrypt_key(const SecretBytes& passphrase,
                                             std::span<const std::uint8_t> salt, unsigned log2_n, unsigned r,
                                             unsigned p);

}  // namespace snprelay::chain::keys
