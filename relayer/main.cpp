// snprelay's entry point: everything lives in the libraries; this only hands argv to the CLI.
#include "relayer/cli/cli.hpp"

int main(int argc, char** argv) {
  return snprelay::cli::run_cli(argc, argv);
}
