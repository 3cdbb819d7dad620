// secp256k1 keys and ECDSA signatures, as Cosmos SDK uses them (libsecp256k1 underneath).
//
// Formats:
//   private key  32 bytes, 0 < k < n (curve order), held in SecretBytes.
//   public key   33 bytes, SEC1 compressed (0x02 when y is even, 0x03 when odd).
//   signature    64 bytes, r || s big-endian, s in the lower half of the order ("low-S"); no DER, no
//                recovery byte. This is exactly what TxRaw.signatures carries.
//
// Signing is deterministic (RFC 6979 nonce with HMAC-SHA256, libsecp256k1's default), so the same key and
// digest always give the same signature, identical to Go cosmos-sdk and CosmJS. libsecp256k1 always emits
// low-S signatures and its verifier rejects high-S ones, matching the SDK's malleability rule.
//
// Thread-safety: every function may be called from any thread. They share one process-wide
// secp256k1_context (a function-local static created on first use, randomized once for side-channel
// blinding); libsecp256k1 documents signing and verification on a const context as thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "chain/crypto/hash.hpp"
#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::crypto {

using PublicKey = std::array<std::uint8_t, 33>;
using CompactSignature = std::array<std::uint8_t, 64>;

// True when `key` is 32 bytes and a valid scalar (0 < k < n).
[[nodiscard]] bool is_valid_private_key(const SecretBytes& key);

// The compressed public key of `private_key`. Errors: chain INVALID_PRIVATE_KEY (wrong length or out of
// range).
[[nodiscard]] Result<PublicKey> public_key_of(const SecretBytes& private_key);

// (private_key + tweak) mod n, for BIP-32 child derivation. Errors: chain INVALID_PRIVATE_KEY when the
// tweak is >= n or the sum is zero (BIP-32 then says: skip to the next index).
[[nodiscard]] Result<SecretBytes> private_key_tweak_add(const SecretBytes& private_key,
                                                        std::span<const std::uint8_t, 32> tweak);

// Signs a 32-byte digest (for Cosmos: SHA-256 of the sign bytes). Deterministic, low-S.
// Errors: chain INVALID_PRIVATE_KEY; chain SIGN_FAILED if libsecp256k1 refuses (nonce exhaustion,
// practically impossible).
[[nodiscard]] Result<CompactSignature> sign_digest(const SecretBytes& private_key,
                                                   const Sha256Digest& digest);

// Verifies a 64-byte compact signature over `digest` with a 33-byte compressed key. Returns false for a
// malformed key or signature, a high-S signature, or a signature that does not verify. Never throws.
[[nodiscard]] bool verify_digest(std::span<const std::uint8_t> public_key, const Sha256Digest& digest,
                                 std::span<const std::uint8_t> signature);

}  // namespace snprelay::chain::crypto
