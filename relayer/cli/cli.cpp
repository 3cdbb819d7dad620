#include "relayer/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/log.hpp"

namespace snprelay::cli {

int fail(const Error& e, int code) {
  std::cerr << "error: " << e.to_string() << "\n";
  return code;
}

CLI::App* ensure_subcommand(CLI::App& parent, const std::string& name, const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name)
      return sub;
  }
  return parent.add_subcommand(name, description);
}

int run_cli(int argc, char** argv) {
  CLI::App app{
      "snprelay: proves on a Cosmos chain, every epoch, that a validator runs in a genuine AMD SEV-SNP VM",
      "snprelay"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every command's help");

  std::string level = "info";
  std::string format = "text";
  app.add_option("--log-level", level, "trace|debug|info|warn|error|critical|off")->capture_default_str();
  app.add_option("--log-format", format, "text|json")->capture_default_str();

  Outcome outcome;
  add_version_command(app, outcome);
  add_config_commands(app, outcome);
  add_attest_commands(app, outcome);
  add_evidence_commands(app, outcome);
  add_keys_commands(app, outcome);
  add_chain_commands(app, outcome);
  add_snpattest_commands(app, outcome);
  add_tpm_commands(app, outcome);

  // Logging must be set before any subcommand callback runs.
  app.parse_complete_callback([&] {
    auto lvl = parse_log_level(level);
    auto fmt = parse_log_format(format);
    if (!lvl)
      throw CLI::ValidationError("--log-level", lvl.error().message);
    if (!fmt)
      throw CLI::ValidationError("--log-format", fmt.error().message);
    setup_logging(*lvl, *fmt);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kUsage;
  }
  return outcome.exit_code;
}

}  // namespace snprelay::cli
