// The relayer's signing key in any protection mode, for the CLI and the daemon alike: which Sealer
// (common/sealer.hpp) guards a key file's data-encryption key, and opening a key with it.
//
//   passphrase   KeyRequest::passphrase_file, else $SNPRELAY_KEY_PASSPHRASE, else a no-echo prompt
//                (chain/keys/secret_input.hpp); a new passphrase is asked twice on a terminal.
//   tpm          sealed to the vTPM's PCR policy: KeyRequest::tpm, else [tpm] of the configuration,
//                else device:/dev/tpmrm0 and PCRs 0,1,7 (attest::tpm::TpmSealer).
//   snp-derived  wrapped under a key from SNP_GET_DERIVED_KEY mixing `snp_fields` at the configuration's
//                VMPL, from the configuration's evidence source or, with `simulate`, the simulated
//                firmware of `sim` (attest::SnpDerivedSealer).
// With a configuration, `[chain.key] protection` is the mode a new key gets and the mode an existing key
// must have: a key whose file says otherwise is refused with KEY_PROTECTION_MISMATCH (kInput) naming the
// `keys protect` command that migrates it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chain/keys/account_key.hpp"
#include "chain/keys/keystore.hpp"
#include "common/error.hpp"
#include "common/sealer.hpp"
#include "config/config.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/tpm.hpp"

namespace snprelay::app {

using ProtectionMode = config::KeyProtection;

// "passphrase", "tpm", "snp-derived".
[[nodiscard]] const char* protection_mode_name(ProtectionMode mode);

// The mode named `name`. Errors: app BAD_FLAG (kInput) naming `what` (a flag or a key file).
[[nodiscard]] Result<ProtectionMode> parse_protection_mode(std::string_view name, std::string_view what);

// What unlocks (or seals) a key besides the mode.
struct KeyRequest {
  std::string passphrase_file;
  std::string new_passphrase_file;  // a new passphrase (keys protect); else passphrase_file is asked
  TpmRequest tpm;
  std::string snp_fields = "measurement,policy";
  bool simulate = false;  // snp-derived from the simulated firmware of `sim`, not the configuration
  SimRequest sim;
};

// What a configuration says about keys. Built by key_defaults(); all empty without a configuration.
struct KeyDefaults {
  std::shared_ptr<const config::Config> config;
  std::string config_path;  // for messages ("... --config PATH")
  std::optional<ProtectionMode> protection;
  std::string keyring_dir;
};
[[nodiscard]] KeyDefaults key_defaults(std::shared_ptr<const config::Config> config, std::string config_path);

// The key store of `dir`, else defaults.keyring_dir, else KeyStore::default_dir().
[[nodiscard]] chain::keys::KeyStore key_store(const std::string& dir, const KeyDefaults& defaults = {});

// A Sealer of `mode`. `new_secret` makes a passphrase prompt ask twice and prefers
// r.new_passphrase_file. Errors: app BAD_FLAG (bad snp_fields), the passphrase readers', the TPM's, the
// evidence source's.
[[nodiscard]] Result<std::unique_ptr<Sealer>> make_sealer(ProtectionMode mode, const KeyRequest& r,
                                                          const KeyDefaults& defaults, bool new_secret);

// Opens key `name` with the sealer of its file's mode (checked against the configured protection).
// Errors: the key store's, make_sealer's, chain KEY_PROTECTION_MISMATCH (kInput).
[[nodiscard]] Result<chain::keys::AccountKey> open_key(const chain::keys::KeyStore& store,
                                                       const std::string& name, const KeyRequest& r,
                                                       const KeyDefaults& defaults);

}  // namespace snprelay::app
