// Syntax rules for configuration strings that name chain and key things: a key name, a BIP-32 path, a
// gas price, a bech32 prefix, an account or operator address.
//
// Each function returns an empty string when `s` is acceptable and otherwise why not ("contains '/'",
// "index 2147483648 is not below 2^31"); the schema prefixes the file:line and key. These are syntax
// checks only, so a value that cannot work is refused when the file is loaded rather than on first
// use; the chain library still decodes and checks what it uses (bech32 checksums, key files).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace snprelay::config {

// 1..64 characters of [A-Za-z0-9._-], not starting with '.' (the key store's rule: a name is a file
// name in the key store, so "../x" or "a/b" would escape it).
[[nodiscard]] std::string key_name_problem(std::string_view s);

// m/44'/118'/0'/0/0: "m" then 1..10 components, each a decimal index below 2^31 with no leading
// zero, optionally hardened with ' (or h).
[[nodiscard]] std::string hd_path_problem(std::string_view s);

// A Cosmos DecCoin: a decimal amount (digits, optionally '.' and digits; at most 18 decimals) followed
// directly by a denom ([a-zA-Z][a-zA-Z0-9/:._-]{2,127}), e.g. 0.025ustake.
[[nodiscard]] std::string gas_price_problem(std::string_view s);

// A bech32 human-readable part as Cosmos chains use them: 1..83 characters of [a-z0-9], starting with
// a letter. Upper case is refused: addresses are compared and derived in lower case.
[[nodiscard]] std::string bech32_prefix_problem(std::string_view s);

// A bech32 address in lower case: HRP as above, the separator '1', then 6..(90 - HRP - 1) characters
// of the bech32 alphabet. An upper- or mixed-case address is refused (it would be compared and shown
// as a different string from the chain's). The checksum is checked where the address is used.
[[nodiscard]] std::string address_problem(std::string_view s);

}  // namespace snprelay::config
