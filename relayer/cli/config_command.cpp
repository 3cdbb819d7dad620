// `snprelay config check FILE [--json]`: load and validate a configuration file, print the effective
// configuration (every key, defaults included, secrets redacted). Exit 2 with the errors on a bad file.
#include <CLI/CLI.hpp>
#include <iostream>

#include "config/loader.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"

namespace snprelay::cli {

void add_config_commands(CLI::App& app, Outcome& outcome) {
  auto* config = app.add_subcommand("config", "Configuration tools");
  config->require_subcommand(1);

  struct Args {
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* check = config->add_subcommand(
      "check",
      "Validate FILE (and SNPRELAY_* overrides) and print the effective configuration, secrets redacted");
  check->add_option("FILE", args->file, "TOML configuration file")->required();
  check->add_flag("--json", args->json, "Print the effective configuration as JSON");
  check->callback([args, &outcome] {
    std::optional<config::Config> storage;
    auto loaded = use_config(args->file, nullptr, storage);
    if (!loaded) {
      outcome.exit_code = fail(loaded.error());
      return;
    }
    if (args->json) {
      std::cout << config::effective_config_json(**loaded) << "\n";
    } else {
      std::cerr << args->file << ": configuration is valid\n";
      std::cout << config::effective_config_toml(**loaded);
    }
    outcome.exit_code = kOk;
  });
}

}  // namespace snprelay::cli
