#include "config/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "common/ascii.hpp"
#include "config/duration.hpp"
#include "config/formats.hpp"

namespace snprelay::config {
namespace {

// Names of enum values, index = underlying value. Keep in step with config.hpp.
constexpr std::array<std::string_view, 1> kPlatformNames = {"sev-snp"};
constexpr std::array<std::string_view, 3> kHardwareModeNames = {"require", "auto", "simulate"};
// attest::Product: index 0 is kUnknown, never a configured value (choices_of skips empty names).
constexpr std::array<std::string_view, 4> kProductNames = {"", "Milan", "Genoa", "Turin"};
constexpr std::array<std::string_view, 3> kProtectionNames = {"passphrase", "tpm", "snp-derived"};
constexpr std::array<std::string_view, 2> kVcekSourceNames = {"auto", "kds"};
constexpr std::array<std::string_view, 7> kLevelNames = {"trace", "debug",    "info", "warn",
                                                         "error", "critical", "off"};
constexpr std::array<std::string_view, 2> kFormatNames = {"text", "json"};

constexpr auto enum_names(Platform) {
  return kPlatformNames;
}
constexpr auto enum_names(HardwareMode) {
  return kHardwareModeNames;
}
constexpr auto enum_names(attest::Product) {
  return kProductNames;
}
constexpr auto enum_names(KeyProtection) {
  return kProtectionNames;
}
constexpr auto enum_names(VcekSource) {
  return kVcekSourceNames;
}
constexpr auto enum_names(LogLevel) {
  return kLevelNames;
}
constexpr auto enum_names(LogFormatName) {
  return kFormatNames;
}

// The member reached from Config through a chain of pointers to members.
template <auto... Members>
constexpr auto& field(Config& c) {
  return (c.*....*Members);
}
template <auto... Members>
constexpr const auto& field(const Config& c) {
  return (c.*....*Members);
}

template <auto... Members>
Value get_value(const Config& c) {
  const auto& f = field<Members...>(c);
  using T = std::remove_cvref_t<decltype(f)>;
  if constexpr (std::is_enum_v<T>) {
    return std::string(enum_names(T{})[static_cast<std::size_t>(f)]);
  } else if constexpr (std::is_same_v<T, bool>) {
    return f;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(f);
  } else {
    return Value(f);
  }
}

template <auto... Members>
void set_value(Config& c, const Value& v) {
  auto& f = field<Members...>(c);
  using T = std::remove_cvref_t<decltype(f)>;
  if constexpr (std::is_enum_v<T>) {
    const auto names = enum_names(T{});
    const auto& name = std::get<std::string>(v);
    const auto it = std::find_if(names.begin(), names.end(),
                                 [&](std::string_view n) { return !n.empty() && ascii_iequals(n, name); });
    f = static_cast<T>(it - names.begin());  // check_value() has rejected unknown names
  } else if constexpr (std::is_same_v<T, bool>) {
    f = std::get<bool>(v);
  } else if constexpr (std::is_integral_v<T>) {
    f = static_cast<T>(std::get<std::int64_t>(v));
  } else {
    f = std::get<T>(v);
  }
}

template <typename E>
std::vector<std::string_view> choices_of() {
  std::vector<std::string_view> out;
  for (std::string_view n : enum_names(E{})) {
    if (!n.empty())
      out.push_back(n);
  }
  return out;
}

template <auto... Members>
KeySpec key(std::string_view path, Kind kind, std::string_view help) {
  KeySpec s;
  s.path = path;
  s.kind = kind;
  s.help = help;
  s.get = &get_value<Members...>;
  s.set = &set_value<Members...>;
  return s;
}
template <auto... Members>
KeySpec ranged(std::string_view path, Kind kind, double min, double max, std::string_view help) {
  KeySpec s = key<Members...>(path, kind, help);
  s.min = min;
  s.max = max;
  return s;
}
template <auto... Members>
KeySpec text(std::string_view path, Format format, std::string_view help) {
  KeySpec s = key<Members...>(path, Kind::kString, help);
  s.format = format;
  return s;
}
template <typename E, auto... Members>
KeySpec choice(std::string_view path, std::string_view help) {
  KeySpec s = key<Members...>(path, Kind::kEnum, help);
  s.choices = choices_of<E>();
  return s;
}

constexpr double kMs = 1;
constexpr double kSec = 1000;
constexpr double kHour = 3600 * kSec;

using C = Config;
using E = EnclaveConfig;
using S = SevSnpConfig;
using T = attest::MinTcb;
using R = RuntimeConfig;

std::vector<KeySpec> build_schema() {
  std::vector<KeySpec> k;
  // [enclave]
  k.push_back(choice<Platform, &C::enclave, &E::platform>("enclave.platform", "TEE platform"));
  k.push_back(choice<HardwareMode, &C::enclave, &E::hardware_mode>(
      "enclave.hardware_mode", "require: real SNP only; auto: hardware else simulated, loudly; simulate"));
  // [enclave.sev_snp]
  k.push_back(text<&C::enclave, &E::sev_snp, &S::endpoint>("enclave.sev_snp.endpoint", Format::kUnixEndpoint,
                                                           "unix:///path also serves the local API there"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::kds_base_url>(
      "enclave.sev_snp.kds_base_url", Format::kUrl, "AMD KDS base, e.g. https://kdsintf.amd.com/vcek/v1"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::kds_timeout>(
      "enclave.sev_snp.kds_timeout", Kind::kDuration, 100 * kMs, 300 * kSec, "per-request KDS timeout"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::kds_ca_bundle>("enclave.sev_snp.kds_ca_bundle", Format::kAny,
                                                                "extra CA bundle for a local KDS stand-in"));
  k.push_back(choice<VcekSource, &C::enclave, &E::sev_snp, &S::vcek_source>(
      "enclave.sev_snp.vcek_source",
      "auto: the host's certificate table, else the KDS; kds: always the KDS"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::cert_cache_path>(
      "enclave.sev_snp.cert_cache_path", Format::kPath, "certificate cache directory"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::cert_cache_ttl>(
      "enclave.sev_snp.cert_cache_ttl", Kind::kDuration, 1 * kSec, 24 * 365 * kHour,
      "TTL of cached chains and CRLs"));
  k.push_back(choice<attest::Product, &C::enclave, &E::sev_snp, &S::product_name>(
      "enclave.sev_snp.product_name", "AMD product of this host"));
  k.push_back(key<&C::enclave, &E::sev_snp, &S::allow_debug_policy>("enclave.sev_snp.allow_debug_policy",
                                                                    Kind::kBool, "accept debug guests"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::device>("enclave.sev_snp.device", Format::kPath,
                                                         "SNP guest device"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::configfs_path>(
      "enclave.sev_snp.configfs_path", Format::kPath, "configfs-tsm report directory"));
  k.push_back(text<&C::enclave, &E::sev_snp, &S::sim_state_dir>(
      "enclave.sev_snp.sim_state_dir", Format::kPath, "simulated firmware state directory"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::vmpl>("enclave.sev_snp.vmpl", Kind::kInt, 0, 3,
                                                         "VMPL requested for reports"));
  // [enclave.sev_snp.min_tcb]: each SPL is one byte of the TCB_VERSION.
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::min_tcb, &T::bootloader>(
      "enclave.sev_snp.min_tcb.boot_loader", Kind::kInt, 0, 255, "minimum boot loader SPL"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::min_tcb, &T::tee>("enclave.sev_snp.min_tcb.tee",
                                                                     Kind::kInt, 0, 255, "minimum TEE SPL"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::min_tcb, &T::snp>(
      "enclave.sev_snp.min_tcb.snp", Kind::kInt, 0, 255, "minimum SNP firmware SPL"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::min_tcb, &T::microcode>(
      "enclave.sev_snp.min_tcb.microcode", Kind::kInt, 0, 255, "minimum microcode SPL"));
  k.push_back(ranged<&C::enclave, &E::sev_snp, &S::min_tcb, &T::fmc>(
      "enclave.sev_snp.min_tcb.fmc", Kind::kInt, 0, 255, "minimum FMC SPL (Turin)"));
  // [enclave.runtime]
  k.push_back(ranged<&C::enclave, &E::runtime, &R::max_concurrent_requests>(
      "enclave.runtime.max_concurrent_requests", Kind::kInt, 1, 10000, "API requests served at once"));
  k.push_back(ranged<&C::enclave, &E::runtime, &R::request_timeout>(
      "enclave.runtime.request_timeout", Kind::kDuration, 10 * kMs, 600 * kSec, "API request deadline"));
  // [chain]
  k.push_back(
      text<&C::chain, &ChainConfig::chain_id>("chain.chain_id", Format::kAny, "chain id to sign for"));
  {
    KeySpec rpc = key<&C::chain, &ChainConfig::rpc>("chain.rpc", Kind::kStringArray,
                                                    "CometBFT RPC endpoints, in failover order");
    rpc.format = Format::kUrl;
    rpc.min = 1;  // at least one endpoint
    rpc.max = 16;
    k.push_back(rpc);
  }
  k.push_back(ranged<&C::chain, &ChainConfig::rpc_timeout>("chain.rpc_timeout", Kind::kDuration, 100 * kMs,
                                                           300 * kSec, "per-request RPC timeout"));
  k.push_back(ranged<&C::chain, &ChainConfig::rpc_recheck_interval>(
      "chain.rpc_recheck_interval", Kind::kDuration, 1 * kSec, 3600 * kSec,
      "while failed over, how often the first RPC endpoint is tried again"));
  k.push_back(text<&C::chain, &ChainConfig::bech32_prefix>("chain.bech32_prefix", Format::kBech32Prefix,
                                                           "account address prefix"));
  k.push_back(text<&C::chain, &ChainConfig::gas_price>("chain.gas_price", Format::kGasPrice,
                                                       "fee per gas unit, e.g. 0.025ustake"));
  k.push_back(ranged<&C::chain, &ChainConfig::gas_adjustment>("chain.gas_adjustment", Kind::kFloat, 1.0, 10.0,
                                                              "simulated gas multiplier"));
  k.push_back(ranged<&C::chain, &ChainConfig::gas_limit_max>("chain.gas_limit_max", Kind::kInt, 10'000,
                                                             100'000'000, "cap on the gas limit"));
  k.push_back(ranged<&C::chain, &ChainConfig::gas_fallback>("chain.gas_fallback", Kind::kInt, 10'000,
                                                            100'000'000, "gas limit when simulation fails"));
  k.push_back(ranged<&C::chain, &ChainConfig::simulation_reuse>(
      "chain.simulation_reuse", Kind::kDuration, 0, 24 * 3600 * kSec,
      "how long a simulated gas figure serves transactions of the same shape (0: simulate each)"));
  k.push_back(text<&C::chain, &ChainConfig::fee_granter>("chain.fee_granter", Format::kAddress,
                                                         "optional fee granter address"));
  k.push_back(ranged<&C::chain, &ChainConfig::confirm_timeout>(
      "chain.confirm_timeout", Kind::kDuration, 1 * kSec, 600 * kSec, "wait for a tx to commit"));
  // [chain.key]
  k.push_back(text<&C::chain, &ChainConfig::key, &KeyConfig::name>("chain.key.name", Format::kKeyName,
                                                                   "key used to sign attestations"));
  k.push_back(text<&C::chain, &ChainConfig::key, &KeyConfig::keyring_dir>(
      "chain.key.keyring_dir", Format::kPath, "key store directory"));
  k.push_back(choice<KeyProtection, &C::chain, &ChainConfig::key, &KeyConfig::protection>(
      "chain.key.protection", "how the key file's encryption key is protected"));
  k.push_back(text<&C::chain, &ChainConfig::key, &KeyConfig::hd_path>("chain.key.hd_path", Format::kHdPath,
                                                                      "BIP44 derivation path"));
  // [relayer]
  k.push_back(text<&C::relayer, &RelayerConfig::operator_address>("relayer.operator", Format::kAddress,
                                                                  "validator operator (valoper) address"));
  k.push_back(ranged<&C::relayer, &RelayerConfig::poll_interval>(
      "relayer.poll_interval", Kind::kDuration, 100 * kMs, 3600 * kSec, "epoch polling period"));
  k.push_back(
      text<&C::relayer, &RelayerConfig::state_dir>("relayer.state_dir", Format::kPath, "state directory"));
  k.push_back(text<&C::relayer, &RelayerConfig::journal_path>("relayer.journal_path", Format::kPath,
                                                              "submission journal (SQLite)"));
  k.push_back(ranged<&C::relayer, &RelayerConfig::max_retries>("relayer.max_retries", Kind::kInt, 0, 100,
                                                               "bounded retries per epoch"));
  // [allowlist] (allowlist.signers, a table of key id = pubkey, is read by the loader itself)
  k.push_back(ranged<&C::allowlist, &AllowlistConfig::threshold>(
      "allowlist.threshold", Kind::kInt, 1, 100, "distinct signer signatures an update needs"));
  k.push_back(text<&C::allowlist, &AllowlistConfig::db_path>("allowlist.db_path", Format::kPath,
                                                             "allowlist database (SQLite)"));
  // [api]
  k.push_back(
      text<&C::api, &ApiConfig::listen>("api.listen", Format::kHostPort, "local API address host:port"));
  k.push_back(ranged<&C::api, &ApiConfig::max_body_bytes>("api.max_body_bytes", Kind::kInt, 1024, 16 << 20,
                                                          "largest request body"));
  k.push_back(ranged<&C::api, &ApiConfig::max_connections>("api.max_connections", Kind::kInt, 1, 65536,
                                                           "open connections at most"));
  k.push_back(text<&C::api, &ApiConfig::bearer_token_file>(
      "api.bearer_token_file", Format::kAny, "file with the bearer token generate requires; empty: none"));
  k.push_back(key<&C::api, &ApiConfig::insecure_listen>(
      "api.insecure_listen", Kind::kBool, "allow a non-loopback listen address without a bearer token"));
  // [tpm]
  k.push_back(text<&C::tpm, &TpmConfig::tcti>("tpm.tcti", Format::kNonEmpty,
                                              "TCTI, e.g. device:/dev/tpmrm0 or swtpm:path=/run/swtpm.sock"));
  {
    KeySpec pcrs =
        ranged<&C::tpm, &TpmConfig::pcrs>("tpm.pcrs", Kind::kIntArray, 0, 23, "PCRs (sha256 bank)");
    pcrs.format = Format::kNonEmpty;  // an empty selection would seal to no state at all
    k.push_back(pcrs);
  }
  // [log]
  k.push_back(choice<LogLevel, &C::log, &LogConfig::level>("log.level", "log verbosity"));
  k.push_back(choice<LogFormatName, &C::log, &LogConfig::format>("log.format", "text or json lines"));
  return k;
}

std::string render_number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15)
    return std::to_string(static_cast<std::int64_t>(v));
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string range_text(const KeySpec& spec) {
  if (spec.kind == Kind::kDuration) {
    return format_duration(Duration(static_cast<std::int64_t>(spec.min))) + ".." +
           format_duration(Duration(static_cast<std::int64_t>(spec.max)));
  }
  return render_number(spec.min) + ".." + render_number(spec.max);
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

Status check_string(const KeySpec& spec, const std::string& s, const std::string& where) {
  const auto fail = [&](const std::string& why) -> Status {
    return make_error("config", "BAD_VALUE",
                      where + ": " + std::string(spec.path) + " = " + quote(s) + ": " + why,
                      ErrorKind::kInput);
  };
  switch (spec.format) {
    case Format::kAny:
      return ok_status();
    case Format::kNonEmpty:
    case Format::kPath:
      if (s.empty())
        return fail("must not be empty");
      if (s.find('\0') != std::string::npos)
        return fail("contains a NUL byte");
      return ok_status();
    case Format::kUrl:
      if (!(s.starts_with("http://") || s.starts_with("https://")) || s.find("://") + 3 >= s.size()) {
        return fail("expected an http:// or https:// URL with a host");
      }
      return ok_status();
    case Format::kUnixEndpoint:
      if (!s.empty() && (!s.starts_with("unix://") || s.size() <= 7)) {
        return fail("expected unix:///path/to/socket (or empty for none)");
      }
      return ok_status();
    case Format::kHostPort: {
      const auto colon = s.rfind(':');
      if (colon == std::string::npos || colon == 0)
        return fail("expected host:port, e.g. 127.0.0.1:8080");
      const std::string port = s.substr(colon + 1);
      if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
          std::stoi(port) > 65535) {
        return fail("port must be a number in 0..65535");
      }
      return ok_status();
    }
    case Format::kHex:
      if (s.empty() || s.size() % 2 != 0 || !std::all_of(s.begin(), s.end(), ::isxdigit)) {
        return fail("expected an even number of hex digits");
      }
      return ok_status();
    case Format::kKeyName:
    case Format::kHdPath:
    case Format::kGasPrice:
    case Format::kBech32Prefix:
    case Format::kAddress: {
      if (spec.format == Format::kAddress && s.empty())
        return ok_status();
      const std::string why = spec.format == Format::kKeyName        ? key_name_problem(s)
                              : spec.format == Format::kHdPath       ? hd_path_problem(s)
                              : spec.format == Format::kGasPrice     ? gas_price_problem(s)
                              : spec.format == Format::kBech32Prefix ? bech32_prefix_problem(s)
                                                                     : address_problem(s);
      return why.empty() ? ok_status() : fail(why);
    }
  }
  return ok_status();
}

}  // namespace

std::span<const KeySpec> schema() {
  static const std::vector<KeySpec> kSchema = build_schema();
  return kSchema;
}

const KeySpec* find_key(std::string_view path) {
  for (const KeySpec& s : schema()) {
    if (s.path == path)
      return &s;
  }
  return nullptr;
}

bool is_table(std::string_view path) {
  for (const KeySpec& s : schema()) {
    if (s.path.size() > path.size() && s.path.starts_with(path) && s.path[path.size()] == '.')
      return true;
  }
  return false;
}

std::string env_name(const KeySpec& spec) {
  std::string name = "SNPRELAY_";
  for (char c : spec.path) {
    name.push_back(c == '.' || c == '-' ? '_'
                                        : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

Status check_value(const KeySpec& spec, const Value& value, const std::string& where) {
  const std::string key(spec.path);
  const auto out_of_range = [&](const std::string& shown) -> Status {
    return make_error(
        "config", "OUT_OF_RANGE",
        where + ": " + key + " = " + shown + " is out of range (allowed: " + range_text(spec) + ")",
        ErrorKind::kInput);
  };
  switch (spec.kind) {
    case Kind::kString:
      return check_string(spec, std::get<std::string>(value), where);
    case Kind::kBool:
      return ok_status();
    case Kind::kInt: {
      const auto v = std::get<std::int64_t>(value);
      if (static_cast<double>(v) < spec.min || static_cast<double>(v) > spec.max)
        return out_of_range(std::to_string(v));
      return ok_status();
    }
    case Kind::kFloat: {
      const double v = std::get<double>(value);
      if (!std::isfinite(v) || v < spec.min || v > spec.max)
        return out_of_range(render_number(v));
      return ok_status();
    }
    case Kind::kDuration: {
      const auto v = std::get<Duration>(value);
      if (static_cast<double>(v.count()) < spec.min || static_cast<double>(v.count()) > spec.max) {
        return out_of_range(quote(format_duration(v)));
      }
      return ok_status();
    }
    case Kind::kEnum: {
      const auto& s = std::get<std::string>(value);
      if (std::any_of(spec.choices.begin(), spec.choices.end(),
                      [&](std::string_view c) { return ascii_iequals(c, s); }))
        return ok_status();
      std::string allowed;
      for (auto c : spec.choices)
        allowed += (allowed.empty() ? "" : ", ") + quote(c);
      return make_error("config", "BAD_VALUE",
                        where + ": " + key + " = " + quote(s) + " is not one of " + allowed,
                        ErrorKind::kInput);
    }
    case Kind::kStringArray: {
      const auto& v = std::get<std::vector<std::string>>(value);
      if (static_cast<double>(v.size()) < spec.min || static_cast<double>(v.size()) > spec.max) {
        return make_error("config", "OUT_OF_RANGE",
                          where + ": " + key + " has " + std::to_string(v.size()) +
                              " entries (allowed: " + range_text(spec) + ")",
                          ErrorKind::kInput);
      }
      for (const auto& s : v) {
        Status st = check_string(spec, s, where);
        if (!st)
          return st;
      }
      return ok_status();
    }
    case Kind::kIntArray: {
      if (spec.format == Format::kNonEmpty && std::get<std::vector<std::int64_t>>(value).empty()) {
        return make_error("config", "BAD_VALUE", where + ": " + key + " = [] must list at least one entry",
                          ErrorKind::kInput);
      }
      for (const auto e : std::get<std::vector<std::int64_t>>(value)) {
        if (static_cast<double>(e) < spec.min || static_cast<double>(e) > spec.max) {
          return make_error("config", "OUT_OF_RANGE",
                            where + ": " + key + " element " + std::to_string(e) +
                                " is out of range (allowed: " + range_text(spec) + ")",
                            ErrorKind::kInput);
        }
      }
      return ok_status();
    }
  }
  return ok_status();
}

std::string redact_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos)
    return std::string(url);
  const auto host_start = scheme + 3;
  const auto path_start = url.find('/', host_start);
  const auto authority =
      url.substr(host_start, path_start == std::string_view::npos ? url.npos : path_start - host_start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    return std::string(url);
  const auto userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  std::string out(url.substr(0, host_start));
  out += std::string(userinfo.substr(0, colon)) + (colon == std::string_view::npos ? "" : ":<redacted>");
  out += std::string(url.substr(host_start + at));
  return out;
}

std::string render_value(const KeySpec& spec, const Value& value) {
  if (spec.secret)
    return "\"<redacted>\"";
  return std::visit(
      [&](const auto& v) -> std::string {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          return quote(spec.format == Format::kUrl ? redact_url(v) : v);
        } else if constexpr (std::is_same_v<V, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<V, double>) {
          return render_number(v);
        } else if constexpr (std::is_same_v<V, Duration>) {
          return quote(format_duration(v));
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          std::string out = "[";
          for (const auto& s : v)
            out += (out.size() > 1 ? ", " : "") + quote(spec.format == Format::kUrl ? redact_url(s) : s);
          return out + "]";
        } else {
          std::string out = "[";
          for (const auto e : v)
            out += (out.size() > 1 ? ", " : "") + std::to_string(e);
          return out + "]";
        }
      },
      value);
}

}  // namespace snprelay::config
