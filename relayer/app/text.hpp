// Output an attacker cannot forge: input-derived text (certificate names, messages quoting a file or a
// flag, a chain's log) is escaped before it is printed, and errors have one JSON shape.
//
// escape_text() keeps printable ASCII and valid UTF-8 (except C1 controls and U+2028/2029), and writes
// every other byte as \xHH (a backslash as \\), so the result is one line: no "\nACCEPTED" can start a
// line of its own, no terminal escape reaches the terminal, and nlohmann::json can always dump it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace snprelay::app {

// `text` as one line of printable, valid UTF-8 (see above).
[[nodiscard]] std::string escape_text(std::string_view text);

// "error: <component> <CODE>: <message>" with the message escaped: the one form the CLI prints on
// standard error.
[[nodiscard]] std::string error_line(const Error& e);

// {"error": {"kind": "input", "component": ..., "code": ..., "message": ...}}: what --json prints on
// standard output for a failed command. Every string is escaped, so dump() never throws.
[[nodiscard]] nlohmann::ordered_json error_json(const Error& e);

}  // namespace snprelay::app
