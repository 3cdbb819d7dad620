#include "relayer/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>

#include "common/log.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/text.hpp"

namespace snprelay::cli {
namespace {

bool g_json = false;

}  // namespace

bool json_output() {
  return g_json;
}

int fail(const Error& e) {
  std::cerr << app::error_line(e) << "\n";
  if (g_json)
    std::cout << app::error_json(e).dump() << "\n";
  return exit_code_for(e.kind);
}

int refused(const Error& e) {
  std::cerr << app::error_line(e) << "\n";
  return exit_code_for(e.kind);
}

CLI::Validator strict_unsigned(std::uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        auto v = app::parse_unsigned("value", text, max);
        return v ? std::string() : v.error().message.substr(7);  // without "value: "
      },
      "UINT");
}

Error usage_error(std::string code, std::string message) {
  return make_error("cli", std::move(code), std::move(message), ErrorKind::kInput);
}

CLI::App* ensure_subcommand(CLI::App& parent, const std::string& name, const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name)
      return sub;
  }
  return parent.add_subcommand(name, description);
}

int run_cli(int argc, char** argv) {
  g_json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0)
      break;
    if (std::strcmp(argv[i], "--json") == 0)
      g_json = true;
  }
  CLI::App app{
      "snprelay: proves on a Cosmos chain, every epoch, that a validator runs in a genuine AMD SEV-SNP VM",
      "snprelay"};
  app.set_help_all_flag("--help-all", "Every command's help");
  bool show_version = false;
  app.add_flag("--version", show_version, "Print the version and exit (same as `snprelay version`)");

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
  add_allowlist_commands(app, outcome);
  add_daemon_commands(app, outcome);
  add_init_commands(app, outcome);
  add_doctor_commands(app, outcome);
  // `snprelay help [COMMAND...]`: the help of the command named, like git.
  auto* help = app.add_subcommand("help", "Show the help of snprelay or of a command");
  help->allow_extras();  // answered below, before parsing

  // `help` is answered before parsing: CLI11 would run the command it names.
  if (argc >= 2 && std::strcmp(argv[1], "help") == 0) {
    CLI::App* target = &app;
    for (int i = 2; i < argc; ++i) {
      const std::string name = argv[i];
      CLI::App* next = nullptr;
      for (CLI::App* sub : target->get_subcommands([](CLI::App*) { return true; }))
        if (sub->get_name() == name)
          next = sub;
      if (next == nullptr)
        return fail(usage_error("UNKNOWN_COMMAND", "no command \"" + app::escape_text(name) + "\""));
      target = next;
    }
    std::cout << target->help();
    return kOk;
  }
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
    if (e.get_exit_code() == 0)  // --help, --help-all
      return app.exit(e) == 0 ? kOk : kUsage;
    return fail(usage_error("USAGE", e.what()));
  }
  if (show_version) {
    const char* version_argv[] = {argv[0], "version", g_json ? "--json" : nullptr};
    return run_cli(g_json ? 3 : 2,
                   const_cast<char**>(version_argv));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }
  if (app.get_subcommands().empty()) {
    // `snprelay` alone: the help on standard error and exit 2, as git does without a command.
    std::cerr << app.help();
    return kUsage;
  }
  return outcome.exit_code;
}

}  // namespace snprelay::cli
