// Hash and key-derivation primitives for chain/, implemented with OpenSSL 3 EVP.
//
// Every function is pure: it reads its inputs and returns a fresh value, so all are safe to call from
// any thread. Digests are returned as fixed-size arrays (non-secret); HMAC and PBKDF2 outputs that are
// key material are returned as SecretBytes, which wipes itself.
//
// Failures: the digests cannot fail for in-memory input on a working OpenSSL; an OpenSSL failure there is
// a broken invariant and aborts. RIPEMD-160 is fetched from the default provider (present again since
// OpenSSL 3.0.7); if a build lacks it, ripemd160() falls back to the built-in implementation in
// hash.cpp, so address derivation never depends on the legacy provider.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace snprelay::chain::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;
using Ripemd160Digest = std::array<std::uint8_t, 20>;

// SHA-256 of `data`. The hot path of signing: no provider lookup and no allocation per call (the
// algorithm is fetched once per process, the digest context kept once per thread).
[[nodiscard]] Sha256Digest sha256(std::span<const std::uint8_t> data);
// Incremental SHA-256 whose running state can be copied: two messages that share a long prefix are
// hashed by feeding the prefix once, copying the state, and finishing each copy with its own suffix.
// sign_tx() uses it for the SignDoc and the TxRaw, which both start with the body and auth-info fields.
// Copying duplicates the OpenSSL digest context; an OpenSSL failure is a broken invariant and aborts.
// Thread-safety: an instance is used by one thread at a time.
class Sha256Stream {
 public:
  Sha256Stream();
  Sha256Stream(const Sha256Stream& other);
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::span<const std::uint8_t> data);
  // The digest of everything fed so far; the stream must not be used afterwards.
  [[nodiscard]] Sha256Digest finish();

 private:
  struct CtxDeleter {
    void operator()(::evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<::evp_md_ctx_st, CtxDeleter> ctx_;
};

// SHA-256 of a string's bytes (no terminator).
[[nodiscard]] Sha256Digest sha256(std::string_view text);
// SHA-512 of `data`.
[[nodiscard]] Sha512Digest sha512(std::span<const std::uint8_t> data);
// RIPEMD-160 of `data` (OpenSSL when available, else the portable implementation).
[[nodiscard]] Ripemd160Digest ripemd160(std::span<const std::uint8_t> data);
// The portable RIPEMD-160 implementation, exposed so tests can check it against OpenSSL.
[[nodiscard]] Ripemd160Digest ripemd160_portable(std::span<const std::uint8_t> data);

// HMAC-SHA512(key, data): 64 bytes. Used by BIP-32 ("Bitcoin seed" and child derivation).
[[nodiscard]] SecretBytes hmac_sha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

// PBKDF2-HMAC-SHA512 with `iterations` rounds producing `length` bytes. BIP-39 uses 2048 rounds and 64
// bytes. Errors: chain CRYPTO_FAILED if OpenSSL refuses the parameters.
[[nodiscard]] Result<SecretBytes> pbkdf2_hmac_sha512(std::span<const std::uint8_t> password,
                                                     std::span<const std::uint8_t> salt, unsigned iterations,
                                                     std::size_t length);

}  // namespace snprelay::chain::crypto
