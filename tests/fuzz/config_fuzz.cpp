// Fuzz target: the TOML configuration loader (parser, schema walk, value checks, cross-key rules).
// Any input must yield a Config or an Error — never a crash, hang or sanitizer report.
// Invariants: loading is a pure function (the same text loaded twice gives the same effective
// configuration, or the same error code and message); and the effective TOML printed for an accepted
// configuration loads again to the same effective configuration, unless it holds a redacted secret
// (whose printed placeholder is not the value).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/loader.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::config;
  using snprelay::fuzz::fuzz_check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto config = load_config_text(text, "fuzz.toml", no_env());
  const auto twice = load_config_text(text, "fuzz.toml", no_env());
  fuzz_check(config.ok() == twice.ok(), "the same text loaded twice was accepted once and refused once");
  if (!config.ok()) {
    fuzz_check(config.error().code == twice.error().code && config.error().message == twice.error().message,
               "the same text loaded twice failed with different errors");
    return 0;
  }
  const std::string json = effective_config_json(*config);
  fuzz_check(json == effective_config_json(*twice), "the same text loaded twice gave different values");
  const std::string toml = effective_config_toml(*config);
  if (toml.find("<redacted>") != std::string::npos)
    return 0;
  const auto reloaded = load_config_text(toml, "effective.toml", no_env());
  fuzz_check(reloaded.ok(), "the effective TOML of an accepted configuration does not load");
  fuzz_check(effective_config_json(*reloaded) == json, "the effective TOML loads to different values");
  return 0;
}
