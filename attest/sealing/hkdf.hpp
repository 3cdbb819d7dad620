// HKDF-SHA256 (RFC 5869) over OpenSSL 3's EVP_KDF "HKDF", extract-then-expand.
//
// One helper for every key attest/ derives from another: the SNP sealer's key-encryption key (from
// the firmware-derived key) and the simulated firmware's derived keys (from its root secret).
//
// hkdf_sha256() returns `length` bytes (1..8160, RFC 5869's 255 * HashLen) in a SecretBytes, which
// wipes itself; the inputs are only read. `salt` and `info` may be empty (RFC 5869: an absent salt is
// HashLen zero bytes). Errors: attest CRYPTO_FAILED (OpenSSL could not fetch or run HKDF, or `ikm` is
// empty, or `length` is out of range); the message never carries key material.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::attest {

[[nodiscard]] Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm,
                                              std::span<const std::uint8_t> salt,
                                              std::span<const std::uint8_t> info, std::size_t length);

}  // namespace snprelay::attest
