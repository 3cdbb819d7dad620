// snprelay's entry point: everything lives in the libraries; this only hands argv to the CLI, after
// making the process non-dumpable with no core file (common/secret_guard.hpp): keys, mnemonics and
// passphrases pass through most commands' memory, and a crash or a same-user ptrace must not leak them.
#include <iostream>

#include "common/secret_guard.hpp"
#include "relayer/cli/cli.hpp"

int main(int argc, char** argv) {
  if (auto guarded = snprelay::protect_process_secrets(); !guarded) {
    std::cerr << "snprelay: " << guarded.error().message << "\n";
    return snprelay::exit_code_for(guarded.error().kind);
  }
  return snprelay::cli::run_cli(argc, argv);
}
