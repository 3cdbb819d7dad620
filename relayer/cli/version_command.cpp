// `snprelay version [--json]`: the build's identity and the versions of every linked library.
#include <CLI/CLI.hpp>
#include <boost/version.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attest/library_versions.hpp"
#include "chain/library_versions.hpp"
#include "db/database.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
         std::to_string(BOOST_VERSION % 100);
}

}  // namespace

void add_version_command(CLI::App& app, Outcome& outcome) {
  auto* cmd =
      app.add_subcommand("version", "Print the version, git commit, build type and linked library versions");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([json, &outcome] {
    nlohmann::ordered_json libs = nlohmann::ordered_json::object();
    for (const auto& [name, version] : attest::linked_library_versions())
      libs[name] = version;
    libs["sqlite"] = db::sqlite_version();
    for (const auto& [name, version] : chain::linked_library_versions())
      libs[name] = version;
    libs["boost"] = boost_version();
    nlohmann::ordered_json out = {
        {"version", SNPRELAY_VERSION},
        {"git_commit", SNPRELAY_GIT_COMMIT},
        {"build_type", SNPRELAY_BUILD_TYPE},
        {"libraries", libs},
    };
    if (*json) {
      std::cout << out.dump() << "\n";
    } else {
      std::cout << "snprelay " << SNPRELAY_VERSION << " (commit " << SNPRELAY_GIT_COMMIT << ", "
                << SNPRELAY_BUILD_TYPE << ")\n";
      for (const auto& [name, version] : libs.items()) {
        std::cout << "  " << name << " " << version.get<std::string>() << "\n";
      }
    }
    outcome.exit_code = kOk;
  });
}

}  // namespace snprelay::cli
