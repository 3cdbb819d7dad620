#include "relayer/app/init_config.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/secret_input.hpp"
#include "common/file_io.hpp"
#include "common/json_strict.hpp"

namespace snprelay::app {
namespace {

using nlohmann::json;

Error bad_devnet(const std::string& source, const std::string& what) {
  return make_error("init", "BAD_DEVNET", source + ": " + what, ErrorKind::kInput);
}

Error bad_flag(const std::string& what) {
  return make_error("init", "BAD_FLAG", what, ErrorKind::kInput);
}

// obj[key] as a non-empty string; `path` is the JSON path of obj ("validators[1].") for messages.
Result<std::string> string_field(const json& obj, const std::string& path, const char* key,
                                 const std::string& source) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return bad_devnet(source, "field \"" + path + key + "\" is missing or not a non-empty string");
  return it->get<std::string>();
}

// obj[key] as a non-empty array.
Result<const json*> array_field(const json& obj, const char* key, const std::string& source) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_array() || it->empty())
    return bad_devnet(source, "field \"" + std::string(key) + "\" is missing or not a non-empty list");
  return &*it;
}

Result<DevnetValidator> parse_validator(const json& v, const std::string& path, const std::string& source) {
  if (!v.is_object())
    return bad_devnet(source, "\"" + path + "\" is not an object");
  const std::string p = path + ".";
  DevnetValidator out;
  for (auto [member, key] : {std::pair{&DevnetValidator::operator_address, "operator"},
                             {&DevnetValidator::relayer, "relayer"},
                             {&DevnetValidator::operator_mnemonic, "operator_mnemonic"},
                             {&DevnetValidator::relayer_mnemonic, "relayer_mnemonic"}}) {
    auto s = string_field(v, p, key, source);
    if (!s)
      return s.error();
    out.*member = std::move(*s);
  }
  out.moniker = v.value("moniker", "");
  return out;
}

bool is_http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

Status check_home(const InitOptions& o) {
  if (o.home.empty() || !std::filesystem::path(o.home).is_absolute())
    return bad_flag(
        "--home must be an absolute directory (the configuration names every file by its "
        "full path), got \"" +
        o.home + "\"");
  return ok_status();
}

// A TOML basic string: JSON's escapes (\" \\ \n \uXXXX ...) are all valid TOML escapes.
std::string quoted(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string under_home(const InitSettings& s, const char* name) {
  return (std::filesystem::path(s.options.home) / name).string();
}

}  // namespace

Result<DevnetManifest> parse_devnet_manifest(std::string_view json_text, const std::string& source) {
  auto parsed = parse_json_strict<json>(json_text, source);
  if (!parsed)
    return bad_devnet(source, parsed.error().message);
  const json& j = *parsed;
  if (!j.is_object())
    return bad_devnet(source, "not a JSON object (expected the devnet.json `snpattestd devnet init` writes)");
  DevnetManifest m;
  for (auto [member, key] : {std::pair{&DevnetManifest::chain_id, "chain_id"},
                             {&DevnetManifest::denom, "denom"},
                             {&DevnetManifest::min_gas_price, "min_gas_price"}}) {
    auto s = string_field(j, "", key, source);
    if (!s)
      return s.error();
    m.*member = std::move(*s);
  }
  auto rpc = array_field(j, "rpc", source);
  if (!rpc)
    return rpc.error();
  for (std::size_t i = 0; i < (*rpc)->size(); ++i) {
    const json& u = (**rpc)[i];
    if (!u.is_string() || !is_http_url(u.get<std::string>()))
      return bad_devnet(source, "\"rpc[" + std::to_string(i) + "]\" is not an http(s):// URL");
    m.rpc.push_back(u.get<std::string>());
  }
  const auto threshold = j.find("threshold");
  if (threshold == j.end() || !threshold->is_number_unsigned() || threshold->get<std::uint64_t>() == 0 ||
      threshold->get<std::uint64_t>() > 100)
    return bad_devnet(source, "field \"threshold\" is missing or not an integer in 1..100");
  m.threshold = threshold->get<std::int64_t>();
  auto signers = array_field(j, "signers", source);
  if (!signers)
    return signers.error();
  for (std::size_t i = 0; i < (*signers)->size(); ++i) {
    const std::string path = "signers[" + std::to_string(i) + "].";
    const json& s = (**signers)[i];
    if (!s.is_object())
      return bad_devnet(source, "\"" + path.substr(0, path.size() - 1) + "\" is not an object");
    auto id = string_field(s, path, "key_id", source);
    if (!id)
      return id.error();
    auto pubkey = string_field(s, path, "pubkey", source);
    if (!pubkey)
      return pubkey.error();
    m.signers.push_back({std::move(*id), std::move(*pubkey)});
  }
  auto validators = array_field(j, "validators", source);
  if (!validators)
    return validators.error();
  for (std::size_t i = 0; i < (*validators)->size(); ++i) {
    auto v = parse_validator((**validators)[i], "validators[" + std::to_string(i) + "]", source);
    if (!v)
      return v.error();
    m.validators.push_back(std::move(*v));
  }
  if (const auto sim = j.find("sim_state"); sim != j.end() && sim->is_string())
    m.sim_state_dir = sim->get<std::string>();
  return m;
}

Result<DevnetManifest> read_devnet_manifest(const std::string& path) {
  auto bytes = read_input_file(path, kMaxTextFileBytes, "devnet manifest");
  if (!bytes)
    return bytes.error();
  return parse_devnet_manifest(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                               path);
}

Result<InitSettings> devnet_settings(const DevnetManifest& manifest, std::size_t index, InitOptions options) {
  if (auto st = check_home(options); !st)
    return st.error();
  if (index >= manifest.validators.size())
    return make_error("init", "BAD_VALIDATOR",
                      "--validator " + std::to_string(index) + " is out of range: the devnet has " +
                          std::to_string(manifest.validators.size()) + " validator(s), numbered from 0",
                      ErrorKind::kInput);
  const DevnetValidator& v = manifest.validators[index];
  InitSettings s;
  s.simulate = true;
  s.sim_state_dir = options.sim_state_dir.empty() ? manifest.sim_state_dir : options.sim_state_dir;
  if (s.sim_state_dir.empty())
    return make_error("init", "NO_SIM_STATE",
                      "devnet.json does not name the simulated firmware (no \"sim_state\" field): give "
                      "--sim-state DIR, the directory passed to `snpattestd devnet init --sim-state`",
                      ErrorKind::kInput);
  s.chain_id = manifest.chain_id;
  s.rpc = manifest.rpc;
  s.gas_price = manifest.min_gas_price + manifest.denom;
  s.operator_address = v.operator_address;
  s.relayer = v.relayer;
  s.signers = manifest.signers;
  s.threshold = manifest.threshold;
  s.options = std::move(options);
  return s;
}

Result<InitSettings> chain_settings(std::string chain_id, std::vector<std::string> rpc,
                                    std::string operator_address, InitOptions options) {
  if (auto st = check_home(options); !st)
    return st.error();
  if (chain_id.empty())
    return bad_flag("--chain-id must not be empty");
  if (rpc.empty())
    return bad_flag("a real chain needs at least one --node URL");
  for (const auto& url : rpc)
    if (!is_http_url(url))
      return bad_flag("--node must be an http:// or https:// URL, got \"" + url + "\"");
  auto hrp = chain::keys::address_hrp(operator_address);
  if (!hrp || hrp->size() <= 7 || hrp->compare(hrp->size() - 7, 7, "valoper") != 0 ||
      !chain::keys::decode_address(operator_address, *hrp))
    return bad_flag("--operator must be a validator operator address (<prefix>valoper1...), got \"" +
                    operator_address + "\"" + (hrp ? "" : ": " + hrp.error().message));
  InitSettings s;
  s.chain_id = std::move(chain_id);
  s.rpc = std::move(rpc);
  s.operator_address = std::move(operator_address);
  s.options = std::move(options);
  return s;
}

std::string init_config_path(const InitSettings& s) {
  return under_home(s, "snprelay.toml");
}

std::string init_keyring_dir(const InitSettings& s) {
  return under_home(s, "keys");
}

std::string render_init_config(const InitSettings& s) {
  std::ostringstream t;
  t << "# Written by `snprelay init`" << (s.simulate ? " for a devnet" : "")
    << ". Check it with: snprelay config check FILE\n";
  if (!s.simulate)
    t << "# Still to fill in before `snprelay start`: [allowlist.signers] (key_id = \"pubkey hex\") and\n"
         "# [allowlist] threshold as governance set them, and [chain] gas_price (the chain's minimum).\n";
  t << "\n";
  t << "[enclave]\nhardware_mode = " << quoted(s.simulate ? "simulate" : "require") << "\n\n";
  t << "[enclave.sev_snp]\n";
  if (!s.options.kds_base_url.empty())
    t << "kds_base_url = " << quoted(s.options.kds_base_url) << "\n";
  t << "cert_cache_path = " << quoted(under_home(s, "kds-cache")) << "\n";
  if (s.simulate)
    t << "sim_state_dir = " << quoted(s.sim_state_dir) << "\n";
  t << "\n[chain]\nchain_id = " << quoted(s.chain_id) << "\nrpc = [";
  for (std::size_t i = 0; i < s.rpc.size(); ++i)
    t << (i == 0 ? "" : ", ") << quoted(s.rpc[i]);
  t << "]\n";
  if (!s.gas_price.empty())
    t << "gas_price = " << quoted(s.gas_price) << "\n";
  t << "\n[chain.key]\nname = \"relayer\"\nkeyring_dir = " << quoted(init_keyring_dir(s))
    << "\nprotection = " << quoted(protection_mode_name(s.options.protection)) << "\n\n";
  t << "[relayer]\noperator = " << quoted(s.operator_address) << "\n";
  if (s.simulate)
    t << "poll_interval = \"500ms\"\n";  // a devnet's epochs are seconds long
  t << "state_dir = " << quoted(s.options.home) << "\njournal_path = " << quoted(under_home(s, "journal.db"))
    << "\n\n";
  t << "[allowlist]\nthreshold = " << s.threshold << "\ndb_path = " << quoted(under_home(s, "allowlist.db"))
    << "\n";
  if (!s.signers.empty()) {
    t << "\n[allowlist.signers]\n";
    for (const auto& signer : s.signers)
      t << quoted(signer.key_id) << " = " << quoted(signer.pubkey) << "\n";
  }
  t << "\n[api]\nlisten = " << quoted(s.options.api_listen) << "\n";
  if (s.options.insecure_listen)
    t << "insecure_listen = true\n";
  if (!s.options.tpm_tcti.empty())
    t << "\n[tpm]\ntcti = " << quoted(s.options.tpm_tcti) << "\n";
  return t.str();
}

std::vector<std::string> init_left_to_do(const InitSettings& s) {
  if (s.simulate)
    return {};
  const std::string config = init_config_path(s);
  return {
      "[allowlist.signers] and threshold in " + config +
          ": the governance signer set, as `snprelay query snpattest signers --node " + s.rpc.front() +
          "` shows it (compare it with what governance published; init pins nothing for a real chain)",
      "[chain] gas_price in " + config + ": the chain's minimum gas price (now the default 0.025ustake)",
      "the relayer key: snprelay keys add relayer --keyring-dir " + init_keyring_dir(s) + " --protection " +
          protection_mode_name(s.options.protection) + " (then fund that address)",
      "register it: snprelay tx set-relayer --from <operator key> --operator " + s.operator_address +
          " --relayer <relayer address> --node " + s.rpc.front(),
  };
}

Status check_config_absent(const std::string& path, bool force) {
  struct stat st {};
  if (force || ::lstat(path.c_str(), &st) != 0)
    return ok_status();
  return make_error("init", "CONFIG_EXISTS",
                    path +
                        " already exists; init never overwrites a configuration (--force replaces it and "
                        "keeps the old one as " +
                        path + ".bak)",
                    ErrorKind::kInput);
}

Result<std::string> write_init_config(const std::string& path, std::string_view toml, bool force) {
  if (auto st = check_config_absent(path, force); !st)
    return st.error();
  if (auto st = make_private_dirs(std::filesystem::path(path).parent_path().string()); !st)
    return st.error();
  std::string backup;
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    auto old = read_input_file(path, kMaxTextFileBytes, "existing configuration");
    if (!old)
      return old.error();
    backup = path + ".bak";
    if (auto st = write_file_atomic(backup, *old, 0600); !st)
      return st.error();
  }
  if (auto st = write_file_atomic(path, toml, 0600); !st)
    return st.error();
  return backup;
}

Result<KeyImport> import_key_from_mnemonic(const chain::keys::KeyStore& store, const std::string& name,
                                           const std::string& mnemonic_file,
                                           const std::string& expected_address, ProtectionMode mode,
                                           const KeyRequest& request, const KeyDefaults& defaults) {
  const config::Config fallback;
  const config::Config& c = defaults.config ? *defaults.config : fallback;
  auto mnemonic = chain::keys::read_secret_file(mnemonic_file);
  if (!mnemonic)
    return mnemonic.error();
  auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), c.chain.key.hd_path);
  if (!key)
    return key.error();
  auto address = chain::keys::bech32_address(key->public_key, c.chain.bech32_prefix);
  if (!address)
    return address.error();
  if (!expected_address.empty() && *address != expected_address)
    return make_error(
        "init", "ADDRESS_MISMATCH",
        "the mnemonic in " + mnemonic_file + " derives " + *address + ", not " + expected_address,
        ErrorKind::kInput);
  if (auto existing = store.show(name); existing.ok()) {
    if (existing->address == *address)
      return KeyImport::kAlreadyPresent;
    return make_error("init", "KEY_MISMATCH",
                      "the key store already has a key \"" + name + "\" (" + store.path_of(name).string() +
                          ") for " + existing->address + ", not " + *address +
                          "; remove it or use another --home",
                      ErrorKind::kInput);
  } else if (existing.error().code != "KEY_NOT_FOUND") {
    return existing.error();
  }
  if (mode == ProtectionMode::kPassphrase && request.passphrase_file.empty() &&
      std::getenv("SNPRELAY_KEY_PASSPHRASE") == nullptr)
    return make_error("init", "NO_PASSPHRASE",
                      "passphrase protection needs the passphrase without a prompt: export "
                      "SNPRELAY_KEY_PASSPHRASE (and keep it set for `snprelay start`)",
                      ErrorKind::kInput);
  auto sealer = make_sealer(mode, request, defaults, true);
  if (!sealer)
    return sealer.error();
  if (auto st = store.add(name, *key, *address, c.chain.key.hd_path, **sealer); !st)
    return st.error();
  return KeyImport::kImported;
}

}  // namespace snprelay::app
