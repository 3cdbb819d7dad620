// Evidence commands: `snprelay report get`, `fetch ...`, `key derive`, `sim kds` (issue #4).
#include <CLI/CLI.hpp>

#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

void add_evidence_commands(CLI::App& /*app*/, Outcome& /*outcome*/) {}

}  // namespace snprelay::cli
