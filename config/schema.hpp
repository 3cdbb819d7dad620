// The configuration schema: every key snprelay accepts, with its type, range and help text.
//
// The loader walks a parsed TOML document against this table: a key that is not here is an error
// (UNKNOWN_KEY, with its full dotted path and line); a value of the wrong type or out of range is an
// error naming key, value and allowed range. The same table drives environment overrides
// (SNPRELAY_<PATH with dots as underscores, upper case>, e.g. SNPRELAY_ENCLAVE_SEV_SNP_KDS_TIMEOUT),
// and the printing of the effective configuration with secrets redacted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::config {

enum class Kind { kString, kBool, kInt, kFloat, kDuration, kEnum, kStringArray, kIntArray };

// A typed configuration value, as read from TOML or the environment.
using Value = std::variant<std::string, bool, std::int64_t, double, Duration, std::vector<std::string>,
                           std::vector<std::int64_t>>;

// Extra syntax checks for string values (config/formats.hpp for the chain and key ones). kNonEmpty
// on an integer array means the array must have at least one element. kAddress allows the empty
// string (the key is optional).
enum class Format {
  kAny,
  kNonEmpty,
  kUrl,
  kUnixEndpoint,
  kHostPort,
  kPath,
  kHex,
  kKeyName,
  kHdPath,
  kGasPrice,
  kBech32Prefix,
  kAddress
};

struct KeySpec {
  std::string_view path;  // dotted, e.g. "enclave.sev_snp.kds_timeout"
  Kind kind = Kind::kString;
  std::string_view help;
  double min = 0;  // ints, floats; durations in milliseconds; arrays: per element
  double max = 0;
  std::vector<std::string_view> choices;  // kEnum; matched ignoring ASCII case ("milan" is "Milan")
  Format format = Format::kAny;
  bool secret = false;  // printed as "<redacted>"
  Value (*get)(const Config&) = nullptr;
  void (*set)(Config&, const Value&) = nullptr;
};

// Every key, in the order `config check` prints them.
[[nodiscard]] std::span<const KeySpec> schema();
// The spec for a dotted path, or nullptr.
[[nodiscard]] const KeySpec* find_key(std::string_view path);
// True when `path` names a table that holds keys ("enclave", "enclave.sev_snp", ...).
[[nodiscard]] bool is_table(std::string_view path);
// The environment variable that overrides `spec`.
[[nodiscard]] std::string env_name(const KeySpec& spec);

// Checks the range/format/choice of a value that already has the right kind. The error message names
// the key, the value and the allowed range; `where` ("file.toml:12", "environment SNPRELAY_X") leads it.
[[nodiscard]] Status check_value(const KeySpec& spec, const Value& value, const std::string& where);

// Renders a value for humans (durations as "30s", strings quoted as TOML would).
[[nodiscard]] std::string render_value(const KeySpec& spec, const Value& value);
// A URL with any password in its user-info replaced by "<redacted>".
[[nodiscard]] std::string redact_url(std::string_view url);

}  // namespace snprelay::config
