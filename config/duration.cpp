#include "config/duration.hpp"

#include <cstdint>
#include <limits>

namespace snprelay::config {

Result<Duration> parse_duration(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return make_error("config", "BAD_DURATION",
                      "\"" + std::string(text) + "\" is not a duration (" + why +
                          "; use e.g. \"500ms\", \"30s\", \"5m\", \"24h\")",
                      ErrorKind::kInput);
  };
  if (text.empty())
    return bad("empty");
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9')
      return bad("expected a digit at position " + std::to_string(i));
    std::int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10)
        return bad("number too large");
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    std::int64_t unit_ms = 0;
    if (text.substr(i, 2) == "ms") {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit_ms = 1000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit_ms = 60'000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit_ms = 3'600'000;
      ++i;
    } else {
      return bad(i < text.size() ? "unknown unit at position " + std::to_string(i) : "missing unit");
    }
    if (n > (std::numeric_limits<std::int64_t>::max() - total_ms) / unit_ms)
      return bad("too large");
    total_ms += n * unit_ms;
  }
  return Duration(total_ms);
}

std::string format_duration(Duration d) {
  const std::int64_t ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace snprelay::config
