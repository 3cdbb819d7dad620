// Loading a Config from TOML text, a file, and the environment.
//
// load_config_file(path, env) reads `path`, parses it as TOML (toml++), checks every key against the
// schema (schema.hpp), applies SNPRELAY_* environment overrides, range-checks every value, then runs
// the cross-key rules (e.g. allow_debug_policy = true is refused when hardware_mode = "require"). All
// problems found are reported together in one Error whose code is the first problem's:
//   NOT_FOUND / READ_FAILED   the file cannot be read
//   PARSE_ERROR               not valid TOML (file:line:column and toml++'s description)
//   UNKNOWN_KEY               a key or table the schema does not have (full dotted path, file:line,
//                             and the closest known key when one is near)
//   WRONG_TYPE                e.g. a string where an integer belongs (key, value, expected type)
//   OUT_OF_RANGE / BAD_VALUE  key, value and the allowed range or choices
//   BAD_DURATION              a duration that is not "500ms", "30s", "5m", "24h" ...
//   CONFLICT                  keys that are fine alone but not together, with the reason (e.g. an
//                             allowlist.threshold above the number of [allowlist.signers])
//   REPLACED_KEY              allowlist.governance_keys (use the table [allowlist.signers])
// Each problem is one line of the message, prefixed with "file:line" or "environment NAME".
//
// `env` looks up an environment variable; the default reads the process environment. Passing a
// lookup makes the loader a pure function for tests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the real process environment. The first call also logs (spdlog warn) one line per SNPRELAY_*
// variable that snprelay does not know, naming the closest known one (warn_unknown_env), so a typo in
// an override is not silently ignored.
[[nodiscard]] EnvLookup process_env();

// Warning lines for the SNPRELAY_* entries of `names` (other names are ignored) that are neither a
// configuration override (env_name of a schema key) nor one of the variables snprelay reads directly
// (SNPRELAY_KEYRING_DIR, SNPRELAY_KEY_PASSPHRASE), e.g. "unknown environment variable
// SNPRELAY_CHAIN_GAS_PRICES is ignored (did you mean SNPRELAY_CHAIN_GAS_PRICE?)". Sorted by name.
[[nodiscard]] std::vector<std::string> unknown_env_warnings(const std::vector<std::string>& names);
// No environment at all.
[[nodiscard]] EnvLookup no_env();

[[nodiscard]] Result<Config> load_config_text(std::string_view toml_text, const std::string& source_name,
                                              const EnvLookup& env);
[[nodiscard]] Result<Config> load_config_file(const std::string& path, const EnvLookup& env);

// The effective configuration as TOML text (every key, secrets redacted), or as a JSON object.
[[nodiscard]] std::string effective_config_toml(const Config& config);
[[nodiscard]] std::string effective_config_json(const Config& config);

}  // namespace snprelay::config
