#include "relayer/app/keys.hpp"

#include <filesystem>

#include "attest/sealing/snp_sealer.hpp"
#include "attest/tpm/tpm.hpp"
#include "attest/tpm/tpm_sealer.hpp"
#include "chain/keys/passphrase_sealer.hpp"
#include "chain/keys/secret_input.hpp"
#include "common/log.hpp"

namespace snprelay::app {
namespace {

Result<std::unique_ptr<Sealer>> passphrase_sealer(const KeyRequest& r, bool new_secret) {
  Result<SecretBytes> pass = SecretBytes();
  if (new_secret && !r.new_passphrase_file.empty())
    pass = chain::keys::read_secret_file(r.new_passphrase_file);
  else
    pass = chain::keys::read_key_passphrase(r.passphrase_file, new_secret);
  if (!pass)
    return pass.error();
  return std::unique_ptr<Sealer>(std::make_unique<chain::keys::PassphraseSealer>(std::move(*pass)));
}

Result<std::unique_ptr<Sealer>> tpm_sealer(const KeyRequest& r, const config::Config* config,
                                           bool new_secret) {
  auto resolved = resolve_tpm(r.tpm, config);
  if (!resolved)
    return resolved.error();
  auto tpm = attest::tpm::Tpm::open(resolved->tcti);
  if (!tpm)
    return tpm.error();
  if (new_secret)
    log_for("keys")->info("key protection: sealing to the vTPM at {}, PCRs sha256:{}", resolved->tcti,
                          resolved->pcrs.to_string());
  else
    log_for("keys")->info("key protection: unsealing with the vTPM at {}", resolved->tcti);
  return std::unique_ptr<Sealer>(std::make_unique<attest::tpm::TpmSealer>(
      std::shared_ptr<attest::tpm::Tpm>(std::move(*tpm)), resolved->pcrs));
}

Result<std::unique_ptr<Sealer>> snp_sealer(const KeyRequest& r, const config::Config* config) {
  auto fields = attest::parse_field_names(r.snp_fields);
  if (!fields)
    return make_error("app", "BAD_FLAG", "--snp-fields: " + fields.error().message, ErrorKind::kInput);
  Result<OpenedSource> opened = make_error("app", "BAD_FLAG",
                                           "snp-derived protection needs the evidence source: --config "
                                           "FILE, or --simulate --sim-state DIR",
                                           ErrorKind::kInput);
  if (r.simulate)
    opened = open_simulated_source(r.sim);
  else if (config != nullptr)
    opened = open_evidence_source(*config, r.sim, true);
  if (!opened)
    return opened.error();
  if (auto line = announce_line(*opened->source))
    log_for("keys")->warn("{}", *line);
  attest::DerivedKeyRequest request;
  request.root = attest::RootKey::kVcek;
  request.field_select = *fields;
  request.vmpl = opened->vmpl;
  if (auto st = attest::check_sealing_request(request); !st)
    return make_error("app", "BAD_FLAG", "--snp-fields: " + st.error().message, ErrorKind::kInput);
  log_for("keys")->info("key protection: SNP-derived key ({}, VMPL {}) from {}", attest::field_names(*fields),
                        request.vmpl, opened->source->describe().backend);
  return std::unique_ptr<Sealer>(std::make_unique<attest::SnpDerivedSealer>(
      std::shared_ptr<attest::EvidenceSource>(std::move(opened->source)), request));
}

}  // namespace

const char* protection_mode_name(ProtectionMode mode) {
  switch (mode) {
    case ProtectionMode::kTpm:
      return "tpm";
    case ProtectionMode::kSnpDerived:
      return "snp-derived";
    case ProtectionMode::kPassphrase:
      break;
  }
  return "passphrase";
}

Result<ProtectionMode> parse_protection_mode(std::string_view name, std::string_view what) {
  if (name == "passphrase")
    return ProtectionMode::kPassphrase;
  if (name == "tpm")
    return ProtectionMode::kTpm;
  if (name == "snp-derived")
    return ProtectionMode::kSnpDerived;
  return make_error("app", "BAD_FLAG",
                    std::string(what) + ": unknown key protection \"" + std::string(name) +
                        "\" (known: passphrase, tpm, snp-derived)",
                    ErrorKind::kInput);
}

KeyDefaults key_defaults(std::shared_ptr<const config::Config> config, std::string config_path) {
  KeyDefaults d;
  d.config_path = std::move(config_path);
  if (config) {
    d.protection = config->chain.key.protection;
    d.keyring_dir = config->chain.key.keyring_dir;
  }
  d.config = std::move(config);
  return d;
}

chain::keys::KeyStore key_store(const std::string& dir, const KeyDefaults& defaults) {
  const std::string& chosen = dir.empty() ? defaults.keyring_dir : dir;
  return chain::keys::KeyStore(chosen.empty() ? chain::keys::KeyStore::default_dir()
                                              : std::filesystem::path(chosen));
}

Result<std::unique_ptr<Sealer>> make_sealer(ProtectionMode mode, const KeyRequest& r,
                                            const KeyDefaults& defaults, bool new_secret) {
  switch (mode) {
    case ProtectionMode::kTpm:
      return tpm_sealer(r, defaults.config.get(), new_secret);
    case ProtectionMode::kSnpDerived:
      return snp_sealer(r, defaults.config.get());
    case ProtectionMode::kPassphrase:
      break;
  }
  return passphrase_sealer(r, new_secret);
}

Result<chain::keys::AccountKey> open_key(const chain::keys::KeyStore& store, const std::string& name,
                                         const KeyRequest& r, const KeyDefaults& defaults) {
  auto info = store.show(name);
  if (!info)
    return info.error();
  auto mode = parse_protection_mode(info->protection, "key file of \"" + name + "\"");
  if (!mode)
    return mode.error();
  if (defaults.protection && *defaults.protection != *mode)
    return make_error("chain", "KEY_PROTECTION_MISMATCH",
                      "key \"" + name + "\" is protected by " + info->protection + " but " +
                          defaults.config_path + " sets [chain.key] protection = \"" +
                          protection_mode_name(*defaults.protection) + "\"; migrate it with: snprelay keys " +
                          "protect " + name + " --config " + defaults.config_path,
                      ErrorKind::kInput);
  auto sealer = make_sealer(*mode, r, defaults, false);
  if (!sealer)
    return sealer.error();
  return store.unlock(name, **sealer);
}

}  // namespace snprelay::app
