// Durations in configuration files: "500ms", "30s", "5m", "24h", and sums such as "1h30m".
//
// parse_duration() accepts one or more <integer><unit> groups, unit one of ms, s, m, h; no sign, no
// spaces, no bare numbers. Errors: config BAD_DURATION with the offending text. format_duration()
// prints the largest exact form ("90s" → "90s", 86400000 ms → "24h").
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::config {

[[nodiscard]] Result<Duration> parse_duration(std::string_view text);
[[nodiscard]] std::string format_duration(Duration d);

}  // namespace snprelay::config
