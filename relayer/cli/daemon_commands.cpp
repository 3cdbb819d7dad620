// `snprelay start --config F`: the relayer daemon (relayer/daemon/daemon.hpp) in the foreground, until
// SIGTERM or SIGINT. Exit 0 after a clean stop; the open errors' kinds otherwise (a bad configuration or
// key: 2; a node, device or port that is not there: 3).
#include <CLI/CLI.hpp>
#include <iostream>

#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/daemon/daemon.hpp"

namespace snprelay::cli {

void add_daemon_commands(CLI::App& app, Outcome& outcome) {
  auto config_path = std::make_shared<std::string>();
  auto* start = app.add_subcommand(
      "start", "Run the relayer: attest every epoch, serve the local API, until SIGTERM or SIGINT");
  start->add_option("--config", *config_path, "TOML configuration file")->required();
  start->callback([config_path, &outcome] {
    std::optional<config::Config> storage;
    auto loaded = use_config(*config_path, nullptr, storage);
    if (!loaded) {
      outcome.exit_code = fail(loaded.error());
      return;
    }
    auto config = std::make_shared<const config::Config>(std::move(*storage));
    auto daemon = daemon::Daemon::open(config, *config_path);
    if (!daemon) {
      outcome.exit_code = fail(daemon.error());
      return;
    }
    if (Status st = (*daemon)->run(); !st) {
      outcome.exit_code = fail(st.error());
      return;
    }
    outcome.exit_code = kOk;
  });
}

}  // namespace snprelay::cli
