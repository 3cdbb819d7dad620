// Key protection for the commands that create, open or move a key in the key store (keys add,
// keys protect, tx send): which Sealer (common/sealer.hpp) guards a key file's data-encryption key.
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

#include "chain/keys/account_key.hpp"
#include "chain/keys/keystore.hpp"
#include "common/error.hpp"
#include "common/sealer.hpp"
#include "relayer/cli/cli_options.hpp"

namespace snprelay::cli {

struct ProtectionArgs {
  std::string config;
  std::string passphrase_file;
  std::string tcti;
  std::string pcrs;
  std::string snp_fields = "measurement,policy";
  SimArgs sim;  // --simulate, --sim-state and the --sim-* knobs
};

// Registers --config, --passphrase-file, --tcti, --pcrs, --snp-fields, --simulate, --sim-state and
// the --sim-* flags on `cmd`.
void add_protection_options(CLI::App* cmd, ProtectionArgs& a);

// What --config says about keys, when it is given; loaded once per command and handed to the calls
// below, so the file is read one time.
struct KeyDefaults {
  std::shared_ptr<const config::Config> config;  // null without --config
  std::optional<std::string> protection;         // "passphrase", "tpm", "snp-derived"
  std::string keyring_dir;
};
[[nodiscard]] Result<KeyDefaults> key_defaults(const ProtectionArgs& a);

// The key store of `dir` (--keyring-dir), else defaults.keyring_dir (--config), else
// KeyStore::default_dir().
[[nodiscard]] chain::keys::KeyStore key_store(const std::string& dir, const KeyDefaults& defaults = {});

// Exit code for a failure to create, open or move a key: 3 when the machine failed (I/O, the TPM or
// the SNP device unreachable or erroring, the sealed state no longer matching this machine), 2 for
// what the operator must fix (a wrong passphrase, a bad file or flag).
[[nodiscard]] int key_exit_code(const Error& e);

// A Sealer of `mode` built from the flags and `defaults.config`. `new_secret` makes a passphrase prompt
// ask twice and reads `new_passphrase_file` (when non-empty) instead of --passphrase-file. Errors: cli
// BAD_FLAG (unknown mode, bad --snp-fields), the passphrase readers', Tpm::open's, the evidence source's.
[[nodiscard]] Result<std::unique_ptr<Sealer>> make_sealer(const std::string& mode, const ProtectionArgs& a,
                                                          const KeyDefaults& defaults, bool new_secret,
                                                          const std::string& new_passphrase_file = "");

// Opens key `name` with the sealer of its file's mode (checked against --config's protection, when
// given). Errors: the key store's, make_sealer's, chain KEY_PROTECTION_MISMATCH.
[[nodiscard]] Result<chain::keys::AccountKey> open_key(const chain::keys::KeyStore& store,
                                                       const std::string& name, const ProtectionArgs& a,
                                                       const KeyDefaults& defaults);

}  // namespace snprelay::cli
