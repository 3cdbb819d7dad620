// Option groups that several command files share (internal to relayer/cli).
//
//   SimArgs / SourceArgs   where evidence comes from: --config (hardware_mode, device, sim_state_dir)
//                          or --simulate --sim-state DIR with the --sim-* knobs (evidence_commands.cpp)
//   TpmArgs                which TPM and PCRs: --tcti, --pcrs, else tpm.tcti / tpm.pcrs from --config,
//                          else device:/dev/tpmrm0 and 0,1,7 (tpm_commands.cpp)
// Each group has an add_* function that registers its flags and a resolver that turns the parsed flags
// into what the libraries need, with errors that name the flag or file at fault.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "attest/evidence/evidence_source.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "attest/tpm/pcr.hpp"
#include "common/error.hpp"
#include "config/config.hpp"
#include "config/loader.hpp"

namespace snprelay::cli {

// The configuration a command works with: `loaded` when the caller already has it, else the file at
// `path` loaded into `storage`. Errors: the config loader's.
[[nodiscard]] inline Result<const config::Config*> use_config(const std::string& path,
                                                              const config::Config* loaded,
                                                              std::optional<config::Config>& storage) {
  if (loaded != nullptr)
    return loaded;
  auto cfg = config::load_config_file(path, config::process_env());
  if (!cfg)
    return cfg.error();
  storage = std::move(*cfg);
  return &*storage;
}

// Flags that shape the simulated firmware (report get, key derive, sim kds, key protection).
struct SimArgs {
  bool simulate = false;
  std::string state;
  std::string product;  // default: the product the state was made for, else Milan
  std::uint32_t version = 3;
  std::string measurement;  // hex, 48 bytes
  std::string policy = "0x30000";
  std::string host_data;  // hex, up to 32 bytes
  std::string tcb;        // bl=N,tee=N,snp=N,ucode=N[,fmc=N]
  std::uint32_t guest_vmpl = 0;
  std::uint32_t guest_svn = 0;
};

// The --sim-* flags (not --simulate / --sim-state).
void add_sim_options(CLI::App* cmd, SimArgs& a);

// The simulated firmware in a.state with the --sim-* settings. Errors: cli BAD_FLAG, the firmware's.
[[nodiscard]] Result<std::shared_ptr<attest::SimFirmware>> open_sim(const SimArgs& a);

// Where report get / key derive take their evidence from: the configuration, or the simulated firmware.
struct SourceArgs {
  std::string config;
  SimArgs sim;
};

// --config, --simulate, --sim-state and the --sim-* flags.
void add_source_options(CLI::App* cmd, SourceArgs& a);

struct OpenedSource {
  std::unique_ptr<attest::EvidenceSource> source;
  std::uint32_t vmpl = 0;  // the configuration's default VMPL
};

// The evidence source named by the flags; `exit_code` is set to the code to use on error. `loaded`, when
// given, is a.config already loaded (so a command reads its configuration once).
[[nodiscard]] Result<OpenedSource> open_source(const SourceArgs& a, bool need_derived_keys, int& exit_code,
                                               const config::Config* loaded = nullptr);

// Prints the SIMULATED warning on standard error when `source` is the simulated firmware.
void announce(const attest::EvidenceSource& source);

// Options every TPM-touching command shares, resolved against --config.
struct TpmArgs {
  std::string tcti;
  std::string config;
  std::string pcrs;
};

// --tcti, --config and (with_pcrs) --pcrs.
void add_tpm_args(CLI::App* cmd, TpmArgs& args, bool with_pcrs);

struct ResolvedTpm {
  std::string tcti;
  attest::tpm::PcrSelection pcrs;
};

// Resolves the flags against --config (or `loaded`, that file already loaded) and caps ESYS's own
// logging (see tpm_commands.cpp). Errors: the config loader's, tpm BAD_PCRS.
[[nodiscard]] Result<ResolvedTpm> resolve_tpm(const TpmArgs& args, const config::Config* loaded = nullptr);

}  // namespace snprelay::cli
