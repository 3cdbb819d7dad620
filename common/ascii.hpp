// ASCII text helpers for names that are ASCII by definition (product names, enum choices, HTTP header
// names). Not for user text in general: no locale, no Unicode case folding.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <string_view>

namespace snprelay {

// The ASCII lower case of one byte; every other byte unchanged.
[[nodiscard]] constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// True when `a` and `b` are equal ignoring ASCII case ("Milan" == "milan").
[[nodiscard]] constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// True when `text` begins with `prefix`, ignoring ASCII case.
[[nodiscard]] constexpr bool ascii_istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii_iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace snprelay
