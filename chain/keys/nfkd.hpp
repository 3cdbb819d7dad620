// Unicode NFKD (compatibility decomposition + canonical ordering) for BIP-39 passphrases, without ICU.
//
// BIP-39 hashes NFKD(passphrase). snprelay implements NFKD exactly for a closed set of scripts and
// refuses everything else rather than guess: ASCII; Latin-1 Supplement, Latin Extended-A/B and Latin
// Extended Additional (accented Latin of Western, Central and Eastern European languages, Vietnamese);
// Combining Diacritical Marks (so already-decomposed input is accepted and re-ordered); Greek; Cyrillic;
// General Punctuation (typographic quotes, dashes, no-break and other spaces, ellipsis) and Currency
// Symbols. Only assigned characters of those blocks are accepted. The data (chain/keys/nfkd_table.cpp)
// is generated from the Unicode Character Database by chain/keys/gen_nfkd_table.py.
//
// Algorithm (UAX #15): decode strict UTF-8; replace each character by its full compatibility
// decomposition (from the table; Hangul and CJK are outside the supported set); then stable-sort every
// run of characters with non-zero canonical combining class by that class; encode as UTF-8.
//
// Errors (chain UNSUPPORTED_PASSPHRASE): malformed UTF-8 (overlong forms, surrogates, truncation) or a
// character outside the supported set. The message gives the character's position, never the character
// or any other part of the passphrase. Input, output and intermediates are wiped.
//
// Thread-safety: pure function over constant tables.
#pragma once

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

// NFKD of a UTF-8 passphrase (ASCII input is returned unchanged).
[[nodiscard]] Result<SecretBytes> nfkd_passphrase(const SecretBytes& passphrase);

}  // namespace snprelay::chain::keys
