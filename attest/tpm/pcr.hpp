// PCR selections and values of the sha256 bank, as sealing and quoting use them.
//
// A PcrSelection is a set of PCR indices 0..23 held as a bitmask (bit n = PCR n). The TPM always
// orders selected PCRs by index, whatever order the user listed them in; so do indices(), to_string()
// and every list of PcrValue in this folder.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace snprelay::attest::tpm {

// Highest PCR index a PC-client TPM implements.
inline constexpr unsigned kMaxPcrIndex = 23;

// One sha256 PCR value.
using PcrValue = std::array<std::uint8_t, 32>;

struct PcrSelection {
  std::uint32_t mask = 0;  // bit n = PCR n; bits 24..31 always zero

  [[nodiscard]] bool empty() const { return mask == 0; }
  [[nodiscard]] std::size_t count() const;
  // Selected indices in ascending order.
  [[nodiscard]] std::vector<unsigned> indices() const;
  // "0,1,7" (ascending), "" for an empty selection.
  [[nodiscard]] std::string to_string() const;
  bool operator==(const PcrSelection&) const = default;
};

// Parses a comma-separated list such as "0,1,7" (spaces allowed, duplicates merged). Errors: tpm
// BAD_PCRS naming the offending item — empty list, a non-number, or an index above 23.
[[nodiscard]] Result<PcrSelection> parse_pcr_list(std::string_view text);

// The selection of the given indices (e.g. the config key tpm.pcrs). Errors: tpm BAD_PCRS — empty
// list, or an index outside 0..23.
[[nodiscard]] Result<PcrSelection> pcr_selection(std::span<const std::int64_t> indices);

// SHA-256 over the concatenated values (ascending index order): the pcrDigest a quote carries.
[[nodiscard]] std::array<std::uint8_t, 32> pcr_digest(std::span<const PcrValue> values);

}  // namespace snprelay::attest::tpm
