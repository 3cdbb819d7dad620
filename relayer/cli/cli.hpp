// The `snprelay` command line.
//
// run_cli() parses argv with CLI11, sets up logging (--log-level, --log-format), runs one subcommand
// and returns the process exit code. Exit codes are a contract scripts depend on:
//   0 success; 1 a negative verdict (e.g. a report rejected); 2 usage or input error (bad flags, an
//   unreadable or invalid file); 3 runtime failure (I/O, network, a library failure).
// Output: results on standard output (text, or JSON with --json); diagnostics and logs on standard error.
#pragma once

#include <memory>
#include <string>

#include "common/error.hpp"

namespace CLI {
class App;
}

namespace snprelay::cli {

enum ExitCode : int { kOk = 0, kRejected = 1, kUsage = 2, kFailure = 3 };

// Set by a subcommand's callback; read by run_cli() after parsing.
struct Outcome {
  int exit_code = kOk;
};

[[nodiscard]] int run_cli(int argc, char** argv);

// The subcommand `name` of `parent`, added with `description` unless another command file already
// added it (e.g. `report show` and `report get` live in different files).
CLI::App* ensure_subcommand(CLI::App& parent, const std::string& name, const std::string& description);

// Prints "error: <e>" on standard error and returns `code`.
int fail(const Error& e, int code);

// Each command file registers its subcommands on the root app.
void add_version_command(CLI::App& app, Outcome& outcome);
void add_config_commands(CLI::App& app, Outcome& outcome);
void add_attest_commands(CLI::App& app, Outcome& outcome);    // attest_commands.cpp
void add_evidence_commands(CLI::App& app, Outcome& outcome);  // evidence_commands.cpp
void add_keys_commands(CLI::App& app, Outcome& outcome);      // keys_commands.cpp
void add_chain_commands(CLI::App& app, Outcome& outcome);     // chain_commands.cpp (tx, query)
// snpattest_commands.cpp: tx set-relayer|submit-attestation, binding, query snpattest (after chain).
void add_snpattest_commands(CLI::App& app, Outcome& outcome);
void add_tpm_commands(CLI::App& app, Outcome& outcome);  // tpm_commands.cpp

}  // namespace snprelay::cli
