// Placeholder: filled in by its owner (issue 13).
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

void add_init_commands(CLI::App& /*app*/, Outcome& /*outcome*/) {}

}  // namespace snprelay::cli
