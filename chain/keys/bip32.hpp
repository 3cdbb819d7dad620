// BIP-32 hierarchical deterministic private-key derivation on secp256k1 (BIP-44 paths).
//
// Master key: I = HMAC-SHA512(key = "Bitcoin seed", data = seed); IL is the private key, IR the chain
// code. Child i: hardened (i >= 2^31) uses data = 0x00 || k_par || ser32(i), normal uses
// data = serP(K_par) || ser32(i); k_i = (IL + k_par) mod n. Cosmos accounts use m/44'/118'/0'/0/n.
// Only private derivation is implemented; public-only derivation is not needed by a signer.
//
// If a derivation step yields IL >= n or a zero key (probability < 2^-127), BIP-32 says the index is
// invalid; derive_private_key() reports chain INVALID_CHILD_KEY (kInput: this seed and path give no key,
// another index does) instead of silently skipping.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

inline constexpr std::uint32_t kHardened = 0x80000000u;
inline constexpr std::string_view kCosmosHdPath = "m/44'/118'/0'/0/0";

// Parses "m/44'/118'/0'/0/0" (apostrophe, h or H marks hardened). Each index must be < 2^31 before
// hardening. Errors: chain INVALID_HD_PATH (kInput) naming the bad component.
[[nodiscard]] Result<std::vector<std::uint32_t>> parse_hd_path(std::string_view path);

// The canonical text of a path ("m/44'/118'/0'/0/0").
[[nodiscard]] std::string format_hd_path(std::span<const std::uint32_t> path);

// The 32-byte private key at `path` below the master key of `seed` (16..64 bytes).
// Errors (kInput): chain INVALID_SEED_LENGTH, INVALID_CHILD_KEY.
[[nodiscard]] Result<SecretBytes> derive_private_key(const SecretBytes& seed,
                                                     std::span<const std::uint32_t> path);

}  // namespace snprelay::chain::keys
