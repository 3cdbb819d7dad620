// Coin strings as the Cosmos SDK CLI writes them: "1000ustake", "5uatom,10ustake".
//
// Amount: decimal digits without sign or leading zeros (a lone "0" is allowed by parse_coin but
// rejected in fee lists, which must not hold zero coins). Denom: sdk.Coins regex
// [a-zA-Z][a-zA-Z0-9/:._-]{2,127}. parse_coins() returns the list sorted by denom (the order sdk.Coins
// requires on chain) and rejects duplicates.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chain/tx/types.hpp"
#include "common/error.hpp"

namespace snprelay::chain::tx {

// One coin. Errors: chain INVALID_COIN naming the text and the rule broken.
[[nodiscard]] Result<Coin> parse_coin(std::string_view text);

// A comma-separated list ("" = no coins), sorted by denom, no duplicates, no zero amounts.
// Errors: chain INVALID_COIN.
[[nodiscard]] Result<std::vector<Coin>> parse_coins(std::string_view text);

// "1000ustake,5uatom" (in list order).
[[nodiscard]] std::string format_coins(const std::vector<Coin>& coins);

}  // namespace snprelay::chain::tx
