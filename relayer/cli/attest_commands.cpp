// SNP report commands: `snprelay report ...` and `snprelay verify ...` (issue #3).
#include <CLI/CLI.hpp>

#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

void add_attest_commands(CLI::App& /*app*/, Outcome& /*outcome*/) {}

}  // namespace snprelay::cli
