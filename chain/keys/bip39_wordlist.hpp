// The BIP-39 English wordlist, compiled in.
//
// Returns the 2048 words in their canonical (sorted) order; the index of a word is its 11-bit value.
// The array is a constant with static storage: safe to read from any thread.
#pragma once

#include <array>
#include <string_view>

namespace snprelay::chain::keys {

[[nodiscard]] const std::array<std::string_view, 2048>& bip39_english_wordlist();

}  // namespace snprelay::chain::keys
