// A Cosmos account key: from mnemonic to private key, compressed public key and bech32 address.
//
// address bytes = RIPEMD-160(SHA-256(compressed public key)), 20 bytes; text = bech32(prefix, bytes).
// The same bytes under `<prefix>valoper` are the validator-operator form of the key.
//
// AccountKey owns its private key (SecretBytes, wiped on destruction); copying is allowed but each copy
// is another secret to keep — prefer moving. Thread-safety: a const AccountKey may be shared.
#pragma once

#include <string>
#include <string_view>

#include "chain/crypto/secp256k1.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

using AddressBytes = std::array<std::uint8_t, 20>;

// RIPEMD-160(SHA-256(pubkey)).
[[nodiscard]] AddressBytes address_of(const crypto::PublicKey& public_key);

// bech32(prefix, address_of(public_key)). Errors: those of bech32_encode (a bad prefix).
[[nodiscard]] Result<std::string> bech32_address(const crypto::PublicKey& public_key,
                                                 std::string_view prefix);

struct AccountKey {
  SecretBytes private_key;       // 32 bytes
  crypto::PublicKey public_key;  // 33 bytes compressed
  AddressBytes address;          // 20 bytes
};

// Builds the key from a raw private key. Errors: chain INVALID_PRIVATE_KEY.
[[nodiscard]] Result<AccountKey> account_key_from_private(SecretBytes private_key);

// mnemonic (+ optional BIP-39 passphrase) -> seed -> BIP-32 `hd_path` -> AccountKey.
// Errors: those of mnemonic_to_seed, parse_hd_path and derive_private_key.
[[nodiscard]] Result<AccountKey> account_key_from_mnemonic(const SecretBytes& mnemonic,
                                                           const SecretBytes& bip39_passphrase,
                                                           std::string_view hd_path);

}  // namespace snprelay::chain::keys
