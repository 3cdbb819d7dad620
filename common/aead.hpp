// AES-256-GCM sealing of small secrets, and random bytes: the two primitives every Sealer
// (common/sealer.hpp) and the key store need, in one place.
//
// aead_seal() returns ciphertext || 16-byte tag; aead_open() checks the tag and returns the plaintext
// as SecretBytes, or the error component/AUTH_FAILED ("the tag does not verify") that callers turn
// into their own code (WRONG_PASSPHRASE, SNP_KEY_MISMATCH, ...). Keys are 32 bytes, nonces 12.
// A nonce must never repeat under one key: callers draw a fresh random nonce per seal.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay {

inline constexpr std::size_t kAeadKeyLen = 32;
inline constexpr std::size_t kAeadNonceLen = 12;
inline constexpr std::size_t kAeadTagLen = 16;

// Errors: component "crypto", BAD_KEY (key or nonce of the wrong size), CRYPTO_FAILED (OpenSSL).
[[nodiscard]] Result<Bytes> aead_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                                      std::span<const std::uint8_t> aad,
                                      std::span<const std::uint8_t> plaintext);

// Errors: BAD_KEY (kInternal), SHORT_CIPHERTEXT (< 16 bytes) and AUTH_FAILED (wrong key, nonce, aad or
// modified bytes), both kInput: the envelope handed in is not one this key opens.
[[nodiscard]] Result<SecretBytes> aead_open(std::span<const std::uint8_t> key,
                                            std::span<const std::uint8_t> nonce,
                                            std::span<const std::uint8_t> aad,
                                            std::span<const std::uint8_t> ciphertext_and_tag);

// Fills `out` from OpenSSL's CSPRNG. Errors: crypto RANDOM_FAILED.
[[nodiscard]] Status fill_random(std::span<std::uint8_t> out);

// `length` random bytes in wiping storage (keys, salts of secrets). Errors: as fill_random.
[[nodiscard]] Result<SecretBytes> random_secret(std::size_t length);

// N random bytes that are not secret (nonces, salts, identifiers). Errors: as fill_random.
template <std::size_t N>
[[nodiscard]] Result<std::array<std::uint8_t, N>> random_array() {
  std::array<std::uint8_t, N> out{};
  if (auto st = fill_random(out); !st)
    return st.error();
  return out;
}

// View of a string's bytes (for additional data built as text).
[[nodiscard]] inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace snprelay
