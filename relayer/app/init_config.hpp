// `snprelay init` without the network (issue 13, point 5): what goes into RH/snprelay.toml, read from a
// devnet's DIR/devnet.json or from a real chain's id, nodes and operator, and the two steps that touch
// the disk — writing that file without ever clobbering one, and importing the relayer key.
//
// The flow the CLI runs (relayer/cli/init_commands.cpp):
//   read_devnet_manifest() -> devnet_settings()   or   chain_settings()
//   -> check_config_absent() -> render_init_config() -> load_config_text() (the file must load)
//   -> import_key_from_mnemonic() (devnet only) -> registration on chain (CLI) -> write_init_config().
// The file is written last, so an init that failed half-way (no node, a refused transaction) can be
// run again: the key import then finds the same key and keeps it.
//
// Errors are component "init" unless said otherwise; kInput for anything the operator gave (a flag, a
// devnet.json field, an existing file), kInternal for a write the system refused.
// Thread-safety: free functions on values; the file functions touch only the paths they are given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"
#include "relayer/app/keys.hpp"

namespace snprelay::app {

// One validator of devnet.json (onchain/cmd/snpattestd/cmd/devnet_manifest.go). The *_mnemonic
// members are FILE paths (the files hold the BIP-39 words), never the words themselves.
struct DevnetValidator {
  std::string moniker;
  std::string operator_address;  // "operator": <prefix>valoper1...
  std::string relayer;           // the relayer's account address
  std::string operator_mnemonic;
  std::string relayer_mnemonic;
};

// The fields of devnet.json init needs. `sim_state_dir` is the optional "sim_state" field (absent in
// manifests written before it existed: the caller then needs --sim-state).
struct DevnetManifest {
  std::string chain_id;
  std::vector<std::string> rpc;
  std::string denom;
  std::string min_gas_price;  // amount per gas unit in `denom`, e.g. "0.025"
  std::int64_t threshold = 0;
  std::vector<config::AllowlistSigner> signers;
  std::vector<DevnetValidator> validators;
  std::string sim_state_dir;
};

// Parses devnet.json text. `source` names the file in messages. Errors: init BAD_DEVNET (kInput)
// naming the first missing or mistyped field by its JSON path ("validators[1].relayer_mnemonic"), or
// "not JSON"; an empty rpc, signers or validators list is refused the same way.
[[nodiscard]] Result<DevnetManifest> parse_devnet_manifest(std::string_view json_text,
                                                           const std::string& source);

// read_input_file (cap kMaxTextFileBytes) + parse_devnet_manifest. Errors: io's (NOT_FOUND ...), BAD_DEVNET.
[[nodiscard]] Result<DevnetManifest> read_devnet_manifest(const std::string& path);

// What the operator chose on the command line, common to both modes.
struct InitOptions {
  std::string home;                           // RH: every file init writes lives under it (absolute)
  std::string api_listen = "127.0.0.1:8080";  // [api] listen
  bool insecure_listen = false;               // [api] insecure_listen (--insecure-listen)
  std::string kds_base_url;                   // empty: AMD's KDS (the config default)
  config::KeyProtection protection = config::KeyProtection::kPassphrase;
  std::string tpm_tcti;       // [tpm] tcti; empty: the config default
  std::string sim_state_dir;  // devnet: overrides devnet.json's sim_state
};

// Everything render_init_config() writes. Built by devnet_settings() / chain_settings().
struct InitSettings {
  InitOptions options;
  bool simulate = false;  // devnet: hardware_mode "simulate" on sim_state_dir; else "require"
  std::string sim_state_dir;
  std::string chain_id;
  std::vector<std::string> rpc;
  std::string gas_price;  // "<amount><denom>"; empty keeps the config default (real chain)
  std::string operator_address;
  std::string relayer;  // devnet: the relayer's address; empty for a real chain (no key imported)
  std::vector<config::AllowlistSigner> signers;  // empty for a real chain
  std::int64_t threshold = 1;
};

// The settings for validator `index` of `manifest`. Errors: init BAD_VALIDATOR (kInput) naming the
// index and how many validators there are; init NO_SIM_STATE (kInput) when neither options.sim_state_dir
// nor the manifest names the simulated firmware; init BAD_FLAG (kInput) for a relative options.home.
[[nodiscard]] Result<InitSettings> devnet_settings(const DevnetManifest& manifest, std::size_t index,
                                                   InitOptions options);

// The settings for a real chain: hardware_mode "require", no simulated firmware, no signers (they come
// from governance). Errors: init BAD_FLAG (kInput) naming --chain-id (empty), --node (none, or not
// http(s)://), --operator (not a "<prefix>valoper1..." bech32 address that decodes), or a relative home.
[[nodiscard]] Result<InitSettings> chain_settings(std::string chain_id, std::vector<std::string> rpc,
                                                  std::string operator_address, InitOptions options);

// RH/snprelay.toml, RH/keys, RH/kds-cache ... for settings.options.home.
[[nodiscard]] std::string init_config_path(const InitSettings& s);
[[nodiscard]] std::string init_keyring_dir(const InitSettings& s);

// The TOML text of the configuration: every string escaped, signers as quoted keys. Pure; the result
// is meant to be checked with config::load_config_text before it is written.
[[nodiscard]] std::string render_init_config(const InitSettings& s);

// What an operator still has to do by hand after init, one line each (empty list for a devnet).
[[nodiscard]] std::vector<std::string> init_left_to_do(const InitSettings& s);

// Success when `path` does not exist (or `force`). Errors: init CONFIG_EXISTS (kInput) naming the file
// and --force.
[[nodiscard]] Status check_config_absent(const std::string& path, bool force);

// Creates the home (0700, make_private_dirs), and writes `toml` to `path` (0600, atomically). With
// `force` an existing file is first copied to "<path>.bak" (0600); without it an existing file is
// never replaced (CONFIG_EXISTS, checked again here). Returns the backup's path, empty when there was
// no file. Errors: CONFIG_EXISTS; io MKDIR_FAILED / WRITE_FAILED / read errors of the old file.
[[nodiscard]] Result<std::string> write_init_config(const std::string& path, std::string_view toml,
                                                    bool force);

// What import_key_from_mnemonic() did.
enum class KeyImport { kImported, kAlreadyPresent };

// Imports the key derived from the mnemonic in `mnemonic_file` (hd_path and bech32_prefix of
// defaults.config; the Cosmos defaults without one) into `store` as `name`, sealed in `mode` with
// make_sealer(mode, request, defaults, new_secret = true) — the path `snprelay keys add --recover` takes. The
// derived address must equal `expected_address` (when non-empty). A key `name` already in the store with that
// address is kept (kAlreadyPresent, no secret asked); one with another address is init KEY_MISMATCH (kInput).
// For passphrase mode the passphrase must come without a prompt: request.passphrase_file or
// $SNPRELAY_KEY_PASSPHRASE, else init NO_PASSPHRASE (kInput) naming the variable. Errors also: init
// ADDRESS_MISMATCH (kInput: the mnemonic belongs to another account), the mnemonic reader's, the sealer's,
// the key store's.
[[nodiscard]] Result<KeyImport> import_key_from_mnemonic(const chain::keys::KeyStore& store,
                                                         const std::string& name,
                                                         const std::string& mnemonic_file,
                                                         const std::string& expected_address,
                                                         ProtectionMode mode, const KeyRequest& request,
                                                         const KeyDefaults& defaults);

}  // namespace snprelay::app
