#include "relayer/cli/key_protection.hpp"

#include "config/loader.hpp"
#include "relayer/app/input.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

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
  auto* simulate = cmd->add_flag("--simulate", a.simulate,
                                 "snp-derived mode: use the simulated firmware (needs --sim-state)");
  cmd->add_option("--sim-state", a.sim.state, "the simulated firmware's state directory");
  simulate->excludes(config);
  add_sim_options(cmd, a.sim);
}

Result<app::KeyDefaults> key_defaults(const ProtectionArgs& a) {
  if (a.config.empty())
    return app::key_defaults(nullptr, "");
  std::optional<config::Config> storage;
  auto cfg = use_config(a.config, nullptr, storage);
  if (!cfg)
    return cfg.error();
  return app::key_defaults(std::make_shared<const config::Config>(std::move(*storage)), a.config);
}

app::KeyRequest key_request(const ProtectionArgs& a, const std::string& new_passphrase_file) {
  app::KeyRequest r;
  r.passphrase_file = a.passphrase_file;
  r.new_passphrase_file = new_passphrase_file;
  r.tpm = app::TpmRequest{a.tcti, a.pcrs};
  r.snp_fields = a.snp_fields;
  r.simulate = a.simulate;
  r.sim = a.sim;
  return r;
}

}  // namespace snprelay::cli
