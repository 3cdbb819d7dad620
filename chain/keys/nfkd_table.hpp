// Unicode data for nfkd.cpp, generated into nfkd_table.cpp by gen_nfkd_table.py (internal to chain/keys).
//
// kSupported: the assigned code points of the scripts a passphrase may use beyond ASCII, as sorted
// inclusive ranges. kDecompositions: sorted by code point, each supported character whose full
// compatibility decomposition (NFKD) differs from itself, as a slice [offset, offset + length) of kPool.
// kCombiningClasses: sorted, the non-zero canonical combining class of every character the tables can
// produce (all others are 0). Thread-safety: constant data.
#pragma once

#include <array>
#include <cstdint>

namespace snprelay::chain::keys::nfkd {

// An inclusive range of supported code points.
struct Range {
  char32_t first;
  char32_t last;
};
// code_point's NFKD is kPool[offset .. offset + length); absent code points decompose to themselves.
struct Decomposition {
  char32_t code_point;
  std::uint16_t offset;
  std::uint8_t length;
};
// Canonical_Combining_Class of code_point (only non-zero classes are listed).
struct CombiningClass {
  char32_t code_point;
  std::uint8_t ccc;
};

// The Unicode version of the Python unicodedata the tables were generated from, e.g. "14.0.0".
extern const char* const kUnicodeVersion;
// Array sizes are fixed by the generator; a regenerated table that changes them changes this header.
extern const std::array<Range, 11> kSupported;
extern const std::array<Decomposition, 654> kDecompositions;
extern const std::array<char32_t, 1396> kPool;
extern const std::array<CombiningClass, 116> kCombiningClasses;

}  // namespace snprelay::chain::keys::nfkd
