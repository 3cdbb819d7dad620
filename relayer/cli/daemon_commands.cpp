// `snprelay start --config F`: the relayer daemon (relayer/daemon/daemon.hpp) in the foreground, until
// SIGTERM or SIGINT. Exit 0 after a clean stop; the open errors' kinds otherwise (a bad configuration or
// key: 2; a node, device or port that is not there: 3). The file's [log] level and format apply unless
// --log-level / --log-format were given (a systemd unit then needs no flags for JSON logs).
#include <CLI/CLI.hpp>
#include <array>
#include <iostream>

#include "common/log.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/daemon/daemon.hpp"

namespace snprelay::cli {
namespace {

// [log] of the configuration, for what the command line left at its default (those were checked when
// the command line was parsed, so parsing them again cannot fail).
void apply_log_config(const CLI::App& app, const config::LogConfig& log) {
  const CLI::Option* level_flag = app.get_option("--log-level");
  const CLI::Option* format_flag = app.get_option("--log-format");
  if (level_flag->count() > 0 && format_flag->count() > 0)
    return;
  constexpr std::array<spdlog::level::level_enum, 7> kLevels = {
      spdlog::level::trace, spdlog::level::debug,    spdlog::level::info, spdlog::level::warn,
      spdlog::level::err,   spdlog::level::critical, spdlog::level::off};
  auto level = parse_log_level(level_flag->as<std::string>());
  auto format = parse_log_format(format_flag->as<std::string>());
  setup_logging(level_flag->count() > 0 && level ? *level : kLevels.at(static_cast<std::size_t>(log.level)),
                format_flag->count() > 0 && format
                    ? *format
                    : (log.format == config::LogFormatName::kJson ? LogFormat::kJson : LogFormat::kText));
}

}  // namespace

void add_daemon_commands(CLI::App& app, Outcome& outcome) {
  auto config_path = std::make_shared<std::string>();
  auto* start = app.add_subcommand(
      "start", "Run the relayer: attest every epoch, serve the local API, until SIGTERM or SIGINT");
  start->add_option("--config", *config_path, "TOML configuration file")->required();
  start->callback([config_path, &app, &outcome] {
    std::optional<config::Config> storage;
    auto loaded = use_config(*config_path, nullptr, storage);
    if (!loaded) {
      outcome.exit_code = fail(loaded.error());
      return;
    }
    apply_log_config(app, storage->log);
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
