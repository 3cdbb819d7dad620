// Hex and byte helpers shared by every component.
//
// to_hex writes lower-case hex. from_hex accepts upper or lower case with an optional "0x" prefix and
// fails (returns an Error naming the first bad character or the odd length) on anything else.
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

// Reads a whole file. Errors: io NOT_FOUND / PERMISSION_DENIED / READ_FAILED, naming the path.
[[nodiscard]] Result<Bytes> read_file(const std::string& path);

}  // namespace snprelay
