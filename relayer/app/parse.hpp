// Strict parsers for values the operator types on the command line. Each names the flag in its error
// and refuses what a lenient parser would silently turn into something else: a sign on an unsigned
// number ("-1" never wraps to 2^64-1), trailing garbage ("0xZZ" never becomes 0), an empty value
// where bytes are needed, a time that is not a real instant (31 February, "+25:99").
// All errors are app BAD_FLAG with ErrorKind::kInput (exit 2).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::app {

// A decimal, or 0x-prefixed hexadecimal, unsigned integer no larger than `max`. No sign, no spaces,
// no empty string.
[[nodiscard]] Result<std::uint64_t> parse_unsigned(std::string_view flag, std::string_view text,
                                                   std::uint64_t max = UINT64_MAX);

// Hex bytes: exactly `size` bytes when `exact`, else 1..size bytes. Never empty.
[[nodiscard]] Result<Bytes> parse_hex_bytes(std::string_view flag, std::string_view text, std::size_t size,
                                            bool exact);

// Non-empty hex bytes of any length (a nonce).
[[nodiscard]] Result<Bytes> parse_nonempty_hex(std::string_view flag, std::string_view text);

// An RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" as seconds since the epoch. The
// date must exist (no 31 February), hours 0..23, minutes 0..59, seconds 0..60, offsets within ±23:59.
[[nodiscard]] Result<std::time_t> parse_rfc3339(std::string_view flag, std::string_view text);

}  // namespace snprelay::app
