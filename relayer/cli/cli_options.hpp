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
#include "common/error.hpp"
#include "common/file_io.hpp"
#include "config/config.hpp"
#include "config/loader.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/tpm.hpp"

namespace snprelay::cli {

// The configuration a command works with: `loaded` when the caller already has it, else the file at
// `path` loaded into `storage`. Errors: the config loader's (NOT_FOUND; READ_FAILED naming a
// directory, FIFO or device given as the file).
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

// Flags that shape the simulated firmware (report get, key derive, sim kds, key protection): the
// request app::open_sim takes. --simulate lives beside it in the owning arguments.
using SimArgs = app::SimRequest;

// The --sim-* flags (not --simulate / --sim-state).
void add_sim_options(CLI::App* cmd, SimArgs& a);

// Where report get / key derive take their evidence from: the configuration, or the simulated firmware.
struct SourceArgs {
  std::string config;
  bool simulate = false;  // --simulate
  SimArgs sim;
};

// --config, --simulate, --sim-state and the --sim-* flags.
void add_source_options(CLI::App* cmd, SourceArgs& a);

// The evidence source named by the flags: the simulated firmware (--simulate) or the one the
// configuration selects (--config, or `loaded`, that file already loaded). Errors: cli BAD_FLAG
// (kInput) when neither is named, app/evidence.hpp's.
[[nodiscard]] Result<app::OpenedSource> open_source(const SourceArgs& a, bool need_derived_keys,
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

// Resolves the flags against --config (or `loaded`, that file already loaded) with app::resolve_tpm.
// Errors: the config loader's, tpm BAD_PCRS.
[[nodiscard]] Result<app::ResolvedTpm> resolve_tpm(const TpmArgs& args,
                                                   const config::Config* loaded = nullptr);

}  // namespace snprelay::cli
