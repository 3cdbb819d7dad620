// Key protection flags for the commands that create, open or move a key in the key store (keys add,
// keys protect, tx send). The work is app/keys.hpp's (app::make_sealer, app::open_key); this file only
// turns the flags into its request:
//
//   passphrase   --passphrase-file F, else $SNPRELAY_KEY_PASSPHRASE, else a no-echo prompt
//                (chain/keys/secret_input.hpp); a new passphrase is asked twice on a terminal.
//   tpm          sealed to the vTPM's PCR policy: --tcti / --pcrs, else tpm.tcti / tpm.pcrs from
//                --config, else device:/dev/tpmrm0 and PCRs 0,1,7 (attest::tpm::TpmSealer).
//   snp-derived  wrapped under a key from SNP_GET_DERIVED_KEY mixing --snp-fields (default
//                measurement,policy; add tcb to bind the firmware TCB too) at the configuration's VMPL,
//                from the evidence source of --config, or --simulate --sim-state DIR
//                (attest::SnpDerivedSealer). A simulated source is announced on standard error.
// With --config, `[chain.key] protection` is the mode a new key gets, and the mode an existing key
// must have: opening a key whose file says otherwise fails with KEY_PROTECTION_MISMATCH and the
// `keys protect` command that migrates it. `keyring_dir` from --config is the default key directory.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "relayer/app/keys.hpp"
#include "relayer/cli/cli_options.hpp"

namespace snprelay::cli {

struct ProtectionArgs {
  std::string config;
  std::string passphrase_file;
  std::string tcti;
  std::string pcrs;
  std::string snp_fields = "measurement,policy";
  bool simulate = false;  // --simulate
  SimArgs sim;            // --sim-state and the --sim-* knobs
};

// Registers --config, --passphrase-file, --tcti, --pcrs, --snp-fields, --simulate, --sim-state and
// the --sim-* flags on `cmd`.
void add_protection_options(CLI::App* cmd, ProtectionArgs& a);

// What --config says about keys (app::KeyDefaults), loaded once per command. Errors: the loader's
// (an unreadable or invalid --config is the operator's input).
[[nodiscard]] Result<app::KeyDefaults> key_defaults(const ProtectionArgs& a);

// The flags as the request app/keys.hpp takes; `new_passphrase_file` for keys protect.
[[nodiscard]] app::KeyRequest key_request(const ProtectionArgs& a,
                                          const std::string& new_passphrase_file = "");

}  // namespace snprelay::cli
