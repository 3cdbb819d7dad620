#include "config/loader.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/file_io.hpp"
#include "config/duration.hpp"
#include "config/schema.hpp"

namespace snprelay::config {
namespace {

// Collects problems; the first one's code becomes the Error's code.
class Problems {
 public:
  void add(const Error& e) {
    if (code_.empty())
      code_ = e.code;
    lines_.push_back(e.message);
  }
  void add(std::string code, std::string line) {
    add(make_error("config", std::move(code), std::move(line), ErrorKind::kInput));
  }
  [[nodiscard]] bool empty() const { return lines_.empty(); }
  [[nodiscard]] Error error() const {
    std::string msg;
    for (const auto& l : lines_)
      msg += (msg.empty() ? "" : "\n") + l;
    return make_error("config", code_, msg, ErrorKind::kInput);
  }

 private:
  std::string code_;
  std::vector<std::string> lines_;
};

std::string where_of(const std::string& source, const toml::source_region& region) {
  return source + ":" + std::to_string(region.begin.line);
}

std::string kind_name(Kind k) {
  switch (k) {
    case Kind::kString:
      return "a string";
    case Kind::kBool:
      return "a boolean";
    case Kind::kInt:
      return "an integer";
    case Kind::kFloat:
      return "a number";
    case Kind::kDuration:
      return "a duration string such as \"30s\"";
    case Kind::kEnum:
      return "a string";
    case Kind::kStringArray:
      return "an array of strings";
    case Kind::kIntArray:
      return "an array of integers";
  }
  return "?";
}

std::string node_text(const toml::node& node) {
  if (const auto s = node.value_exact<std::string>())
    return nlohmann::json(*s).dump();
  std::ostringstream out;
  node.visit([&](const auto& n) { out << n; });
  return out.str();
}

// Converts a TOML node to the spec's kind, or explains why it cannot.
Result<Value> from_node(const KeySpec& spec, const toml::node& node, const std::string& where) {
  const auto wrong = [&]() -> Error {
    return make_error("config", "WRONG_TYPE",
                      where + ": " + std::string(spec.path) + " = " + node_text(node) +
                          " has the wrong type (expected " + kind_name(spec.kind) + ")",
                      ErrorKind::kInput);
  };
  switch (spec.kind) {
    case Kind::kString:
    case Kind::kEnum:
      if (auto v = node.value_exact<std::string>())
        return Value(*v);
      return wrong();
    case Kind::kBool:
      if (auto v = node.value_exact<bool>())
        return Value(*v);
      return wrong();
    case Kind::kInt:
      if (auto v = node.value_exact<std::int64_t>())
        return Value(*v);
      return wrong();
    case Kind::kFloat:
      if (auto v = node.value_exact<double>())
        return Value(*v);
      if (auto v = node.value_exact<std::int64_t>())
        return Value(static_cast<double>(*v));
      return wrong();
    case Kind::kDuration: {
      auto s = node.value_exact<std::string>();
      if (!s)
        return wrong();
      auto d = parse_duration(*s);
      if (!d)
        return make_error("config", "BAD_DURATION",
                          where + ": " + std::string(spec.path) + ": " + d.error().message,
                          ErrorKind::kInput);
      return Value(*d);
    }
    case Kind::kStringArray: {
      const auto* arr = node.as_array();
      if (arr == nullptr)
        return wrong();
      std::vector<std::string> out;
      for (const auto& e : *arr) {
        auto v = e.value_exact<std::string>();
        if (!v)
          return wrong();
        out.push_back(*v);
      }
      return Value(std::move(out));
    }
    case Kind::kIntArray: {
      const auto* arr = node.as_array();
      if (arr == nullptr)
        return wrong();
      std::vector<std::int64_t> out;
      for (const auto& e : *arr) {
        auto v = e.value_exact<std::int64_t>();
        if (!v)
          return wrong();
        out.push_back(*v);
      }
      return Value(std::move(out));
    }
  }
  return wrong();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur.push_back(c);
    }
  }
  if (!cur.empty() || !out.empty())
    out.push_back(cur);
  return out;
}

bool parse_int(const std::string& s, std::int64_t& out) {
  if (s.empty())
    return false;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size())
    return false;
  out = v;
  return true;
}

// Converts an environment variable's text to the spec's kind.
Result<Value> from_env(const KeySpec& spec, const std::string& text, const std::string& where) {
  const auto wrong = [&]() -> Error {
    return make_error("config", "WRONG_TYPE",
                      where + ": " + std::string(spec.path) + " = \"" + text +
                          "\" has the wrong type (expected " + kind_name(spec.kind) + ")",
                      ErrorKind::kInput);
  };
  switch (spec.kind) {
    case Kind::kString:
    case Kind::kEnum:
      return Value(text);
    case Kind::kBool:
      if (text == "true" || text == "1")
        return Value(true);
      if (text == "false" || text == "0")
        return Value(false);
      return wrong();
    case Kind::kInt: {
      std::int64_t v = 0;
      if (!parse_int(text, v))
        return wrong();
      return Value(v);
    }
    case Kind::kFloat: {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size())
        return wrong();
      return Value(v);
    }
    case Kind::kDuration: {
      auto d = parse_duration(text);
      if (!d)
        return make_error("config", "BAD_DURATION",
                          where + ": " + std::string(spec.path) + ": " + d.error().message,
                          ErrorKind::kInput);
      return Value(*d);
    }
    case Kind::kStringArray:
      return Value(split_list(text));
    case Kind::kIntArray: {
      std::vector<std::int64_t> out;
      for (const auto& part : split_list(text)) {
        std::int64_t v = 0;
        if (!parse_int(part, v))
          return wrong();
        out.push_back(v);
      }
      return Value(std::move(out));
    }
  }
  return wrong();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggestion_for(std::string_view path) {
  const KeySpec* best = nullptr;
  std::size_t best_d = 4;  // suggest only near misses
  for (const KeySpec& s : schema()) {
    const std::size_t d = edit_distance(path, s.path);
    if (d < best_d) {
      best_d = d;
      best = &s;
    }
  }
  return best ? " (did you mean " + std::string(best->path) + "?)" : "";
}

constexpr std::string_view kSignersPath = "allowlist.signers";

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// [allowlist.signers]: key id = "02/03 + 64 hex digits" (a 33-byte compressed secp256k1 key). The curve
// check itself is allowlist/'s (validate_signer_set); here the shape, with the line of each bad entry.
void read_signers(const toml::node& node, const std::string& source, const std::string& where, Config& config,
                  Problems& problems) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    problems.add("WRONG_TYPE", where + ": allowlist.signers = " + node_text(node) +
                                   " has the wrong type (expected a table of key id = \"pubkey hex\")");
    return;
  }
  config.allowlist.signers.clear();
  for (const auto& [id, value] : *table) {
    const std::string key_id(id.str());
    const std::string at = where_of(source, id.source());
    const std::string name = "allowlist.signers." + nlohmann::json(key_id).dump();
    const auto pubkey = value.value_exact<std::string>();
    if (!pubkey) {
      problems.add("WRONG_TYPE", at + ": " + name + " = " + node_text(value) +
                                     " has the wrong type (expected a string of 66 hex digits)");
      continue;
    }
    if (key_id.empty() || key_id.size() > 128) {
      problems.add("BAD_VALUE", at + ": allowlist.signers: a key id must be 1 to 128 characters");
      continue;
    }
    if (pubkey->size() != 66 || !std::all_of(pubkey->begin(), pubkey->end(), is_hex_digit)) {
      problems.add("BAD_VALUE", at + ": " + name + " = " + node_text(value) +
                                    " is not a 33-byte public key (expected 66 hex digits, got " +
                                    std::to_string(pubkey->size()) + " characters)");
      continue;
    }
    if (pubkey->compare(0, 2, "02") != 0 && pubkey->compare(0, 2, "03") != 0) {
      problems.add("BAD_VALUE", at + ": " + name + " = " + node_text(value) +
                                    " is not a compressed public key (it must start with 02 or 03)");
      continue;
    }
    config.allowlist.signers.push_back({key_id, *pubkey});
  }
}

// Walks a table against the schema, converting and storing every known key.
void walk(const toml::table& table, const std::string& prefix, const std::string& source, Config& config,
          Problems& problems) {
  for (const auto& [k, node] : table) {
    const std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const std::string where = where_of(source, k.source());
    if (path == kSignersPath) {
      read_signers(node, source, where, config, problems);
      continue;
    }
    if (path == "allowlist.governance_keys") {
      problems.add("REPLACED_KEY",
                   where +
                       ": allowlist.governance_keys is replaced by the table [allowlist.signers], one line "
                       "per governance key: KEY_ID = \"66-hex-digit compressed pubkey\" (the key ids the "
                       "chain's signer set uses, `snprelay query snpattest signers`)");
      continue;
    }
    if (const auto* sub = node.as_table(); sub != nullptr && is_table(path)) {
      walk(*sub, path, source, config, problems);
      continue;
    }
    const KeySpec* spec = find_key(path);
    if (spec == nullptr) {
      problems.add("UNKNOWN_KEY", where + ": unknown key " + path + suggestion_for(path));
      continue;
    }
    auto value = from_node(*spec, node, where);
    if (!value) {
      problems.add(value.error());
      continue;
    }
    if (Status st = check_value(*spec, *value, where); !st) {
      problems.add(st.error());
      continue;
    }
    spec->set(config, *value);
  }
}

void apply_env(const EnvLookup& env, Config& config, Problems& problems) {
  for (const KeySpec& spec : schema()) {
    const std::string name = env_name(spec);
    const auto text = env(name);
    if (!text)
      continue;
    const std::string where = "environment " + name;
    auto value = from_env(spec, *text, where);
    if (!value) {
      problems.add(value.error());
      continue;
    }
    if (Status st = check_value(spec, *value, where); !st) {
      problems.add(st.error());
      continue;
    }
    spec.set(config, *value);
  }
}

// 127.0.0.0/8, ::1 and localhost: addresses only this host can reach.
bool is_loopback_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

void check_cross_rules(const Config& c, const std::string& source, Problems& problems) {
  if (!is_loopback_listen(c.api.listen) && c.api.bearer_token_file.empty() && !c.api.insecure_listen) {
    problems.add("CONFLICT",
                 source + ": api.listen = \"" + c.api.listen +
                     "\" is reachable from other hosts and api.bearer_token_file is empty, so anyone on the "
                     "network could ask this relayer for attestation reports; set api.bearer_token_file, "
                     "listen on 127.0.0.1, or set api.insecure_listen = true (init --insecure-listen) if "
                     "that is meant");
  }
  if (c.enclave.sev_snp.allow_debug_policy && c.enclave.hardware_mode == HardwareMode::kRequire) {
    problems.add("CONFLICT",
                 source +
                     ": enclave.sev_snp.allow_debug_policy = true is refused with enclave.hardware_mode = "
                     "\"require\": a debug guest's memory can be read and changed by the host, so its "
                     "reports prove nothing; use hardware_mode = \"simulate\" or \"auto\" for testing");
  }
  if (c.enclave.sev_snp.min_tcb.fmc != 0 && c.enclave.sev_snp.product_name != attest::Product::kTurin) {
    problems.add("CONFLICT",
                 source +
                     ": enclave.sev_snp.min_tcb.fmc is set but product_name is not \"Turin\"; only "
                     "Turin's TCB has an FMC component");
  }
  if (c.chain.gas_fallback > c.chain.gas_limit_max) {
    problems.add("CONFLICT", source + ": chain.gas_fallback (" + std::to_string(c.chain.gas_fallback) +
                                 ") exceeds chain.gas_limit_max (" + std::to_string(c.chain.gas_limit_max) +
                                 ")");
  }
  const auto keys = static_cast<std::int64_t>(c.allowlist.signers.size());
  if (c.allowlist.threshold > keys && (keys > 0 || c.allowlist.threshold > 1)) {
    problems.add("CONFLICT", source + ": allowlist.threshold = " + std::to_string(c.allowlist.threshold) +
                                 " exceeds the " + std::to_string(keys) +
                                 " governance keys of [allowlist.signers]");
  }
}

nlohmann::ordered_json to_json(const KeySpec& spec, const Value& value) {
  if (spec.secret)
    return "<redacted>";
  return std::visit(
      [&](const auto& v) -> nlohmann::ordered_json {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          return spec.format == Format::kUrl ? redact_url(v) : v;
        } else if constexpr (std::is_same_v<V, Duration>) {
          return format_duration(v);
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          auto arr = nlohmann::ordered_json::array();
          for (const auto& s : v)
            arr.push_back(spec.format == Format::kUrl ? redact_url(s) : s);
          return arr;
        } else {
          return v;
        }
      },
      value);
}

}  // namespace

std::vector<std::string> unknown_env_warnings(const std::vector<std::string>& names) {
  static const std::vector<std::string> kDirect = {"SNPRELAY_KEYRING_DIR", "SNPRELAY_KEY_PASSPHRASE"};
  std::vector<std::string> known = kDirect;
  for (const KeySpec& spec : schema())
    known.push_back(env_name(spec));
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (const std::string& name : sorted) {
    if (!name.starts_with("SNPRELAY_") || std::find(known.begin(), known.end(), name) != known.end())
      continue;
    const std::string* best = nullptr;
    std::size_t best_d = 5;  // suggest only near misses
    for (const std::string& k : known) {
      const std::size_t d = edit_distance(name, k);
      if (d < best_d) {
        best_d = d;
        best = &k;
      }
    }
    out.push_back("unknown environment variable " + name + " is ignored" +
                  (best != nullptr ? " (did you mean " + *best + "?)" : ""));
  }
  return out;
}

EnvLookup process_env() {
  static std::once_flag warned;
  std::call_once(warned, [] {
    std::vector<std::string> names;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      const std::string_view entry(*e);
      names.emplace_back(entry.substr(0, entry.find('=')));
    }
    for (const std::string& line : unknown_env_warnings(names))
      spdlog::warn("{}", line);
  });
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read at start-up
    if (v == nullptr)
      return std::nullopt;
    return std::string(v);
  };
}

EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

Result<Config> load_config_text(std::string_view toml_text, const std::string& source_name,
                                const EnvLookup& env) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return make_error("config", "PARSE_ERROR",
                      source_name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                          ": invalid TOML: " + std::string(e.description()),
                      ErrorKind::kInput);
  }
  Config config;
  Problems problems;
  walk(doc, "", source_name, config, problems);
  apply_env(env, config, problems);
  if (problems.empty())
    check_cross_rules(config, source_name, problems);
  if (!problems.empty())
    return problems.error();
  return config;
}

Result<Config> load_config_file(const std::string& path, const EnvLookup& env) {
  // Regular files only, at most kMaxTextFileBytes: a directory, FIFO or /dev/zero is an input error.
  auto bytes = read_input_file(path, kMaxTextFileBytes, "configuration file");
  if (!bytes) {
    const Error& e = bytes.error();
    return make_error("config", e.code == "NOT_FOUND" ? "NOT_FOUND" : "READ_FAILED", e.message,
                      ErrorKind::kInput);
  }
  return load_config_text(std::string(bytes->begin(), bytes->end()), path, env);
}

std::string effective_config_toml(const Config& config) {
  std::string out;
  std::string section;
  for (const KeySpec& spec : schema()) {
    const auto dot = spec.path.rfind('.');
    const std::string table(spec.path.substr(0, dot));
    if (table != section) {
      out += (out.empty() ? "[" : "\n[") + table + "]\n";
      section = table;
    }
    out += std::string(spec.path.substr(dot + 1)) + " = " + render_value(spec, spec.get(config)) + "\n";
    if (spec.path == "allowlist.db_path" && !config.allowlist.signers.empty()) {
      out += "\n[allowlist.signers]\n";
      section = "allowlist.signers";
      for (const auto& s : config.allowlist.signers)
        out += nlohmann::json(s.key_id).dump() + " = " + nlohmann::json(s.pubkey).dump() + "\n";
    }
  }
  return out;
}

std::string effective_config_json(const Config& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const KeySpec& spec : schema()) {
    std::string pointer = "/" + std::string(spec.path);
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    out[nlohmann::ordered_json::json_pointer(pointer)] = to_json(spec, spec.get(config));
  }
  auto& signers = out["allowlist"]["signers"] = nlohmann::ordered_json::object();
  for (const auto& s : config.allowlist.signers)
    signers[s.key_id] = s.pubkey;
  return out.dump(2);
}

}  // namespace snprelay::config
