// Fuzz target: the TOML configuration loader (parser, schema walk, value checks, cross-key rules).
// Any input must yield a Config or an Error — never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = snprelay::config::load_config_text(text, "fuzz.toml", snprelay::config::no_env());
  if (config.ok()) {
    // Printing must work for every accepted configuration.
    (void)snprelay::config::effective_config_toml(*config);
    (void)snprelay::config::effective_config_json(*config);
  }
  return 0;
}
