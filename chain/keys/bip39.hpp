// BIP-39 mnemonics (English wordlist only): validation, generation and seed derivation.
//
// A mnemonic is 12, 15, 18, 21 or 24 words; the words encode entropy (128..256 bits) followed by a
// checksum of entropy_bits/32 bits taken from SHA-256(entropy). The seed is
// PBKDF2-HMAC-SHA512(password = mnemonic, salt = "mnemonic" || passphrase, 2048 rounds, 64 bytes).
//
// Normalization: BIP-39 requires NFKD of mnemonic and passphrase. For the English list every word is
// ASCII, so normalize_mnemonic() only lower-cases and collapses whitespace (tabs, newlines, repeated
// spaces — as a mnemonic file usually has a trailing newline). The passphrase goes through
// nfkd_passphrase() (chain/keys/nfkd.hpp): exact NFKD for Latin, Greek, Cyrillic, combining marks,
// punctuation and currency symbols; any other script is refused (chain UNSUPPORTED_PASSPHRASE) rather
// than hashed un-normalized, because a silently different seed would derive a different, empty account.
//
// Every mnemonic, passphrase, entropy and seed is SecretBytes; nothing here logs. Thread-safety: pure.
#pragma once

#include <span>

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

// Lower-cased words separated by single spaces. Errors: chain INVALID_MNEMONIC when a character is
// neither an ASCII letter nor whitespace (the message names its position, never the words).
[[nodiscard]] Result<SecretBytes> normalize_mnemonic(const SecretBytes& mnemonic);

// Checks word count, that every word is in the list and the checksum. Errors: chain INVALID_MNEMONIC,
// naming the problem and the word's position (e.g. "word 7 is not in the BIP-39 English list"),
// never the word itself.
[[nodiscard]] Status validate_mnemonic(const SecretBytes& mnemonic);

// Entropy (16, 20, 24, 28 or 32 bytes) to its mnemonic. Errors: chain INVALID_ENTROPY_LENGTH (kInput).
[[nodiscard]] Result<SecretBytes> entropy_to_mnemonic(std::span<const std::uint8_t> entropy);

// A fresh mnemonic of `words` words from OpenSSL's CSPRNG. Errors: chain INVALID_WORD_COUNT,
// RANDOM_FAILED.
[[nodiscard]] Result<SecretBytes> generate_mnemonic(unsigned words = 24);

// Validates (and normalizes) the mnemonic, then derives the 64-byte seed. Errors: those of
// validate_mnemonic(); chain UNSUPPORTED_PASSPHRASE for passphrases nfkd_passphrase() refuses.
[[nodiscard]] Result<SecretBytes> mnemonic_to_seed(const SecretBytes& mnemonic,
                                                   const SecretBytes& passphrase);

}  // namespace snprelay::chain::keys
