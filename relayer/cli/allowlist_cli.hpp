// Internal to relayer/cli: what the allowlist command files share. The pinned signer set (--signers F
// [--threshold T], or [allowlist] of --config) that `allowlist verify`, `sync` and `verify-db` check
// against, and the registration of show/sync/verify-db (allowlist_db_commands.cpp) under `allowlist`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "allowlist/types.hpp"
#include "common/error.hpp"
#include "config/config.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

struct PinnedArgs {
  std::string signers_file;
  std::optional<std::uint64_t> threshold;
  std::string config;
};

// Registers --signers, --threshold and --config on `cmd`.
void add_pinned_flags(CLI::App* cmd, PinnedArgs& a);

// The configuration named by --config (loaded into `storage`), or nullptr when none was given.
[[nodiscard]] Result<const config::Config*> pinned_config(const PinnedArgs& a,
                                                          std::optional<config::Config>& storage);

// The pinned set: the --signers file, else [allowlist.signers] of the configuration; --threshold
// overrides either's threshold. Errors: cli BAD_INPUT when neither is given, app BAD_INPUT, allowlist
// BAD_SIGNER_SET (all kInput).
[[nodiscard]] Result<allowlist::SignerSet> pinned_set(const PinnedArgs& a, const config::Config* cfg);

// --json: print JSON.
inline void add_json_flag(CLI::App* cmd, bool& json) {
  cmd->add_flag("--json", json, "Print JSON");
}

// allowlist show|sync|verify-db, under the `allowlist` command `al_cmd`.
void add_allowlist_db_commands(CLI::App* al_cmd, Outcome& outcome);

}  // namespace snprelay::cli
