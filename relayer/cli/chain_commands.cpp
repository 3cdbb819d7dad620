// Cosmos commands: `snprelay keys ...`, `tx ...`, `query ...` (issue #5).
#include <CLI/CLI.hpp>

#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

void add_chain_commands(CLI::App& /*app*/, Outcome& /*outcome*/) {}

}  // namespace snprelay::cli
