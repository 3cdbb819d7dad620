// The `snprelay` command line.
//
// run_cli() parses argv with CLI11, sets up logging (--log-level, --log-format), runs one subcommand
// and returns the process exit code. Exit codes are a contract scripts depend on:
//   0 success; 1 a negative verdict (e.g. a report rejected); 2 usage or input error (bad flags, an
//   unreadable or invalid file); 3 runtime failure (I/O, network, a library failure).
// Output: results on standard output (text, or JSON with --json); diagnostics and logs on standard error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/error.hpp"

namespace CLI {
class App;
class Validator;
}  // namespace CLI

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

// The one way a command fails: prints "error: <component> <CODE>: <message>" (escaped) on standard
// error and, when the command line has --json, {"error": {kind, component, code, message}} on standard
// output; returns exit_code_for(e.kind) (common/error.hpp), the only source of exit codes.
int fail(const Error& e);

// For a chain refusal whose result object (codespace, code, log) was already printed on stdout: the
// error line goes to stderr only, so `--json` output stays one JSON object. Returns the kind's exit code.
int refused(const Error& e);

// A command-line error (kInput) from the CLI itself: cli <code>: <message>.
[[nodiscard]] Error usage_error(std::string code, std::string message);

// A CLI11 check for an unsigned integer flag: decimal or 0x hex, no sign, no garbage, at most `max`
// (app::parse_unsigned). CLI11 alone would wrap "-1" to 2^64-1.
[[nodiscard]] CLI::Validator strict_unsigned(std::uint64_t max = UINT64_MAX);

// Whether the command line asked for --json (errors are then printed as JSON on standard output too).
[[nodiscard]] bool json_output();

// Each command file registers its subcommands on the root app.
void add_version_command(CLI::App& app, Outcome& outcome);
void add_config_commands(CLI::App& app, Outcome& outcome);
void add_attest_commands(CLI::App& app, Outcome& outcome);    // attest_commands.cpp
void add_evidence_commands(CLI::App& app, Outcome& outcome);  // evidence_commands.cpp
void add_keys_commands(CLI::App& app, Outcome& outcome);      // keys_commands.cpp
void add_daemon_commands(CLI::App& app, Outcome& outcome);    // daemon_commands.cpp (start)
void add_init_commands(CLI::App& app, Outcome& outcome);      // init_commands.cpp (init)
void add_doctor_commands(CLI::App& app, Outcome& outcome);    // doctor_commands.cpp (doctor, status)
void add_chain_commands(CLI::App& app, Outcome& outcome);     // chain_commands.cpp (tx, query)
// snpattest_commands.cpp: tx set-relayer|submit-attestation, binding, query snpattest (after chain).
void add_snpattest_commands(CLI::App& app, Outcome& outcome);
void add_tpm_commands(CLI::App& app, Outcome& outcome);  // tpm_commands.cpp
// allowlist_commands.cpp: allowlist new|sign|combine|verify|submit|show|sync|measure|verify-db.
void add_allowlist_commands(CLI::App& app, Outcome& outcome);

}  // namespace snprelay::cli
