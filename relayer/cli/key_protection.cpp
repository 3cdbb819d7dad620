#include "relayer/cli/key_protection.hpp"

#include <filesystem>
#include <iostream>

#include "attest/sealing/snp_sealer.hpp"
#include "attest/tpm/tpm_sealer.hpp"
#include "chain/keys/passphrase_sealer.hpp"
#include "chain/keys/secret_input.hpp"
#include "common/log.hpp"
#include "config/loader.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

std::string mode_name(config::KeyProtection p) {
  switch (p) {
    case config::KeyProtection::kTpm:
      return "tpm";
    case config::KeyProtection::kSnpDerived:
      return "snp-derived";
    case config::KeyProtection::kPassphrase:
      break;
  }
  return "passphrase";
}

Result<std::unique_ptr<Sealer>> passphrase_sealer(const ProtectionArgs& a, bool new_secret,
                                                  const std::string& new_passphrase_file) {
  Result<SecretBytes> pass = SecretBytes();
  if (new_secret && !new_passphrase_file.empty())
    pass = chain::keys::read_secret_file(new_passphrase_file);
  else
    pass = chain::keys::read_key_passphrase(a.passphrase_file, new_secret);
  if (!pass)
    return pass.error();
  return std::unique_ptr<Sealer>(std::make_unique<chain::keys::PassphraseSealer>(std::move(*pass)));
}

Result<std::unique_ptr<Sealer>> tpm_sealer(const ProtectionArgs& a, const config::Config* config,
                                           bool new_secret) {
  auto resolved = resolve_tpm(TpmArgs{a.tcti, a.config, a.pcrs}, config);
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

Result<std::unique_ptr<Sealer>> snp_sealer(const ProtectionArgs& a, const config::Config* config) {
  auto fields = attest::parse_field_names(a.snp_fields);
  if (!fields)
    return make_error("cli", "BAD_FLAG", "--snp-fields: " + fields.error().message);
  SourceArgs source{a.sim.simulate ? std::string() : a.config, a.sim};
  int unused = 0;
  auto opened = open_source(source, true, unused, a.sim.simulate ? nullptr : config);
  if (!opened)
    return opened.error();
  announce(*opened->source);
  attest::DerivedKeyRequest request;
  request.root = attest::RootKey::kVcek;
  request.field_select = *fields;
  request.vmpl = opened->vmpl;
  if (auto st = attest::check_sealing_request(request); !st)
    return make_error("cli", "BAD_FLAG", "--snp-fields: " + st.error().message);
  log_for("keys")->info("key protection: SNP-derived key ({}, VMPL {}) from {}", attest::field_names(*fields),
                        request.vmpl, opened->source->describe().backend);
  return std::unique_ptr<Sealer>(std::make_unique<attest::SnpDerivedSealer>(
      std::shared_ptr<attest::EvidenceSource>(std::move(opened->source)), request));
}

}  // namespace

void add_protection_options(CLI::App* cmd, ProtectionArgs& a) {
  auto* config =
      cmd->add_option("--config", a.config,
                      "Configuration file: [chain.key] protection and keyring_dir, [tpm], the evidence "
                      "source");
  cmd->add_option("--passphrase-file", a.passphrase_file, "passphrase mode: file holding the passphrase");
  cmd->add_option("--tcti", a.tcti,
                  "tpm mode: TCTI (default tpm.tcti from --config, else device:/dev/tpmrm0)");
  cmd->add_option("--pcrs", a.pcrs, "tpm mode: sha256 PCRs to seal to (default tpm.pcrs, else 0,1,7)");
  cmd->add_option("--snp-fields", a.snp_fields,
                  "snp-derived mode: fields mixed into the derived key (measurement,policy required; "
                  "tcb, svn, family-id, image-id optional)")
      ->capture_default_str();
  auto* simulate = cmd->add_flag("--simulate", a.sim.simulate,
                                 "snp-derived mode: use the simulated firmware (needs --sim-state)");
  cmd->add_option("--sim-state", a.sim.state, "the simulated firmware's state directory");
  simulate->excludes(config);
  add_sim_options(cmd, a.sim);
}

chain::keys::KeyStore key_store(const std::string& dir, const KeyDefaults& defaults) {
  const std::string& chosen = dir.empty() ? defaults.keyring_dir : dir;
  return chain::keys::KeyStore(chosen.empty() ? chain::keys::KeyStore::default_dir()
                                              : std::filesystem::path(chosen));
}

int key_exit_code(const Error& e) {
  static const char* const kRuntime[] = {"KEYSTORE_IO",     "TPM_POLICY_MISMATCH", "SNP_KEY_MISMATCH",
                                         "TPM_UNREACHABLE", "TPM_ERROR",           "TPM_OUT_OF_MEMORY",
                                         "NO_SNP_HARDWARE", "DEVICE_MISSING",      "PERMISSION_DENIED",
                                         "FIRMWARE_ERROR",  "HOST_BUSY",           "IO",
                                         "CRYPTO_FAILED",   "RANDOM_FAILED",       "BAD_RESPONSE",
                                         "DEVICE_DISABLED", "NOT_SNP_GUEST"};
  for (const char* code : kRuntime)
    if (e.code == code)
      return kFailure;
  return kUsage;
}

Result<KeyDefaults> key_defaults(const ProtectionArgs& a) {
  KeyDefaults d;
  if (a.config.empty())
    return d;
  auto cfg = config::load_config_file(a.config, config::process_env());
  if (!cfg)
    return cfg.error();
  d.config = std::make_shared<const config::Config>(std::move(*cfg));
  d.protection = mode_name(d.config->chain.key.protection);
  d.keyring_dir = d.config->chain.key.keyring_dir;
  return d;
}

Result<std::unique_ptr<Sealer>> make_sealer(const std::string& mode, const ProtectionArgs& a,
                                            const KeyDefaults& defaults, bool new_secret,
                                            const std::string& new_passphrase_file) {
  if (mode == "passphrase")
    return passphrase_sealer(a, new_secret, new_passphrase_file);
  if (mode == "tpm")
    return tpm_sealer(a, defaults.config.get(), new_secret);
  if (mode == "snp-derived")
    return snp_sealer(a, defaults.config.get());
  return make_error("cli", "BAD_FLAG",
                    "unknown key protection \"" + mode + "\" (known: passphrase, tpm, snp-derived)");
}

Result<chain::keys::AccountKey> open_key(const chain::keys::KeyStore& store, const std::string& name,
                                         const ProtectionArgs& a, const KeyDefaults& defaults) {
  auto info = store.show(name);
  if (!info)
    return info.error();
  if (defaults.protection && *defaults.protection != info->protection)
    return make_error("chain", "KEY_PROTECTION_MISMATCH",
                      "key \"" + name + "\" is protected by " + info->protection + " but " + a.config +
                          " sets [chain.key] protection = \"" + *defaults.protection +
                          "\"; migrate it with: snprelay keys protect " + name + " --config " + a.config);
  auto sealer = make_sealer(info->protection, a, defaults, false);
  if (!sealer)
    return sealer.error();
  return store.unlock(name, **sealer);
}

}  // namespace snprelay::cli
