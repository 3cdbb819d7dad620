// Hex and byte helpers shared by every component.
//
// to_hex writes lower-case hex. from_hex accepts upper or lower case with an optional "0x" prefix and
// fails on anything else with an Error of kind kInput: hex ODD_LENGTH, or BAD_DIGIT naming the first bad
// character.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace snprelay {

using Bytes = std::vector<std::uint8_t>;

[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<Bytes> from_hex(std::string_view text);

// Reads a whole regular file of at most kMaxTextFileBytes (512 KiB): read_input_file with the generic
// cap. Callers that know their format pass its own cap to read_input_file (common/file_io.hpp) instead.
// Errors: those of read_input_file (io NOT_FOUND, NOT_REGULAR, TOO_LARGE, ...; kind kInput).
[[nodiscard]] Result<Bytes> read_file(const std::string& path);

}  // namespace snprelay
