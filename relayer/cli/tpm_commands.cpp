// vTPM commands (issue #6):
//   snprelay tpm seal --in F --out BLOB [--pcrs 0,1,7] [--tcti T] [--config FILE]
//   snprelay tpm unseal --in BLOB [--out F] [--force] [--tcti T] [--config FILE]
//   snprelay tpm quote --report FILE --out Q [--pcrs ...] [--ak-pub-out F] [--tcti T] [--config FILE]
//   snprelay tpm verify-quote --quote Q --report FILE --ak-pub F [--json]
// The TCTI is --tcti, else `tpm.tcti` from --config, else device:/dev/tpmrm0; the PCRs are --pcrs,
// else `tpm.pcrs` from --config, else 0,1,7. Exit codes: 0 ok; 1 the quote is not valid; 2 usage or
// input error (unreadable/invalid file, bad PCR list, a blob from another TPM); 3 runtime failure
// (TPM unreachable, PCR policy mismatch, any other TPM error).
// Secrets: the unsealed secret goes only to --out (mode 0600) or to a non-terminal stdout (a terminal
// needs --force); it is never logged. TSS2 logging is capped by attest::tpm::Tpm::open.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attest/tpm/quote.hpp"
#include "attest/tpm/tpm.hpp"
#include "common/file_io.hpp"
#include "common/hex.hpp"
#include "common/path_rules.hpp"
#include "common/secret.hpp"
#include "config/loader.hpp"
#include "relayer/app/input.hpp"
#include "relayer/app/tpm.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"

namespace snprelay::cli {
namespace {

using namespace snprelay::attest::tpm;

using app::kDefaultPcrs;
using app::kDefaultTcti;

Error cli_error(std::string code, std::string message) {
  return usage_error(std::move(code), std::move(message));
}

}  // namespace

void add_tpm_args(CLI::App* cmd, TpmArgs& args, bool with_pcrs) {
  cmd->add_option("--tcti", args.tcti,
                  std::string("TCTI (default: tpm.tcti from --config, else ") + kDefaultTcti + ")");
  cmd->add_option("--config", args.config, "Configuration file supplying tpm.tcti and tpm.pcrs");
  if (with_pcrs)
    cmd->add_option(
        "--pcrs", args.pcrs,
        std::string("sha256 PCRs, e.g. 0,1,7 (default: tpm.pcrs from --config, else ") + kDefaultPcrs + ")");
}

Result<app::ResolvedTpm> resolve_tpm(const TpmArgs& args, const config::Config* loaded) {
  std::optional<config::Config> storage;
  const config::Config* config = loaded;
  if (config == nullptr && !args.config.empty()) {
    auto cfg = use_config(args.config, nullptr, storage);
    if (!cfg)
      return cfg.error();
    config = *cfg;
  }
  return app::resolve_tpm(app::TpmRequest{args.tcti, args.pcrs}, config);
}

namespace {

Result<std::string> read_text(const std::string& path) {
  auto bytes = read_input_file(path, kMaxCertificateFileBytes, "--ak-pub");
  if (!bytes)
    return bytes.error();
  return std::string(bytes->begin(), bytes->end());
}

void add_seal(CLI::App* group, Outcome& outcome) {
  struct Args {
    TpmArgs tpm;
    std::string in, out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      group->add_subcommand("seal", "Seal a secret file (1..128 bytes) to the TPM's current PCR values");
  cmd->add_option("--in", args->in, "File holding the secret")->required();
  cmd->add_option("--out", args->out, "Sealed blob to write")->required();
  add_tpm_args(cmd, args->tpm, true);
  cmd->callback([args, &outcome] {
    outcome.exit_code = [&]() -> int {
      if (auto st = check_output(args->out, "--out", std::vector{args->in}); !st)
        return fail(st.error());
      auto r = resolve_tpm(args->tpm);
      if (!r)
        return fail(r.error());
      // Binary secrets keep their last byte; Tpm::seal refuses more than 128 bytes (BAD_SECRET).
      auto secret = read_secret_file(args->in, "--in", kMaxSecretFileBytes, {.keep_trailing_newline = true});
      if (!secret)
        return fail(secret.error());
      auto tpm = attest::tpm::Tpm::open(r->tcti);
      if (!tpm)
        return fail(tpm.error());
      auto blob = (*tpm)->seal(*secret, r->pcrs);
      if (!blob)
        return fail(blob.error());
      if (auto w = write_file_atomic(args->out, *blob, 0644); !w)
        return fail(w.error());
      std::cout << "sealed " << secret->size() << " bytes to sha256:" << r->pcrs.to_string() << " -> "
                << args->out << " (" << blob->size() << " bytes)\n";
      return kOk;
    }();
  });
}

void add_unseal(CLI::App* group, Outcome& outcome) {
  struct Args {
    TpmArgs tpm;
    std::string in, out;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = group->add_subcommand("unseal", "Unseal a blob made by `tpm seal` (the PCRs must still match)");
  cmd->add_option("--in", args->in, "Sealed blob")->required();
  cmd->add_option("--out", args->out, "Write the secret here (mode 0600); default: standard output");
  cmd->add_flag("--force", args->force, "Allow printing the secret to a terminal");
  add_tpm_args(cmd, args->tpm, false);
  cmd->callback([args, &outcome] {
    outcome.exit_code = [&]() -> int {
      if (args->out.empty() && ::isatty(STDOUT_FILENO) && !args->force)
        return fail(
            cli_error("SECRET_TO_TERMINAL",
                      "refusing to print a secret to a terminal; use --out FILE, a pipe, or --force"));
      if (!args->out.empty())
        if (auto st = check_output(args->out, "--out", std::vector{args->in}); !st)
          return fail(st.error());
      auto r = resolve_tpm(args->tpm);
      if (!r)
        return fail(r.error());
      auto blob = read_input_file(args->in, kMaxCertificateFileBytes, "--in");
      if (!blob)
        return fail(blob.error());
      auto tpm = attest::tpm::Tpm::open(r->tcti);
      if (!tpm)
        return fail(tpm.error());
      auto secret = (*tpm)->unseal(*blob);
      if (!secret)
        return fail(secret.error());
      if (!args->out.empty()) {
        if (auto w = write_file_atomic(args->out, secret->view(), 0600); !w)
          return fail(w.error());
        std::cerr << "unsealed " << secret->size() << " bytes -> " << args->out << "\n";
        return kOk;
      }
      std::cout.write(reinterpret_cast<const char*>(secret->data()),
                      static_cast<std::streamsize>(secret->size()));
      std::cout.flush();
      return std::cout ? kOk : fail(make_error("io", "WRITE_FAILED", "standard output"));
    }();
  });
}

void add_quote(CLI::App* group, Outcome& outcome) {
  struct Args {
    TpmArgs tpm;
    std::string report, out, ak_pub_out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      group->add_subcommand("quote", "TPM2_Quote over PCRs, bound to an SNP report (nonce = SHA-256 of it)");
  cmd->add_option("--report", args->report, "SNP report file whose SHA-256 is the qualifying data")
      ->required();
  cmd->add_option("--out", args->out, "Quote file to write")->required();
  cmd->add_option("--ak-pub-out", args->ak_pub_out, "Write the attestation key's public key (PEM) here");
  add_tpm_args(cmd, args->tpm, true);
  cmd->callback([args, &outcome] {
    outcome.exit_code = [&]() -> int {
      if (auto st = check_output(args->out, "--out", std::vector{args->report, args->ak_pub_out}); !st)
        return fail(st.error());
      if (!args->ak_pub_out.empty())
        if (auto st = check_output(args->ak_pub_out, "--ak-pub-out", std::vector{args->report}); !st)
          return fail(st.error());
      auto r = resolve_tpm(args->tpm);
      if (!r)
        return fail(r.error());
      auto report = app::read_report_file(args->report, "--report");
      if (!report)
        return fail(report.error());
      const auto nonce = report_nonce(*report);
      auto tpm = attest::tpm::Tpm::open(r->tcti);
      if (!tpm)
        return fail(tpm.error());
      auto quote = (*tpm)->quote(nonce, r->pcrs);
      if (!quote)
        return fail(quote.error());
      if (auto w = write_file_atomic(args->out, encode_quote(*quote), 0644); !w)
        return fail(w.error());
      if (!args->ak_pub_out.empty()) {
        const auto& pem = quote->ak_public_pem;
        const auto* p = reinterpret_cast<const std::uint8_t*>(pem.data());
        if (auto w = write_file_atomic(args->ak_pub_out, std::span(p, pem.size()), 0644); !w)
          return fail(w.error());
      }
      std::cout << "quoted sha256:" << r->pcrs.to_string() << " with nonce " << to_hex(nonce) << " -> "
                << args->out << "\n";
      return kOk;
    }();
  });
}

void add_verify_quote(CLI::App* group, Outcome& outcome) {
  struct Args {
    std::string quote, report, ak_pub;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      group->add_subcommand("verify-quote", "Verify a quote file offline against a report and an AK key");
  cmd->add_option("--quote", args->quote, "Quote file from `tpm quote`")->required();
  cmd->add_option("--report", args->report, "The SNP report the quote must be bound to")->required();
  cmd->add_option("--ak-pub", args->ak_pub, "The attestation key's public key (PEM)")->required();
  cmd->add_flag("--json", args->json, "Print the verdict as JSON");
  cmd->callback([args, &outcome] {
    outcome.exit_code = [&]() -> int {
      auto bytes = read_input_file(args->quote, kMaxCertificateFileBytes, "--quote");
      if (!bytes)
        return fail(bytes.error());
      auto quote = decode_quote(*bytes);
      if (!quote)
        return fail(quote.error());
      auto report = app::read_report_file(args->report, "--report");
      if (!report)
        return fail(report.error());
      auto pem = read_text(args->ak_pub);
      if (!pem)
        return fail(pem.error());
      const auto nonce = report_nonce(*report);
      auto verdict = verify_quote(*quote, nonce, *pem);
      if (!verdict)
        return fail(verdict.error());
      const auto indices = quote->pcrs.indices();
      if (args->json) {
        nlohmann::ordered_json j;
        j["valid"] = verdict->accepted();
        j["failures"] = nlohmann::ordered_json::array();
        for (const auto& f : verdict->failures)
          j["failures"].push_back({{"code", quote_failure_name(f.code)}, {"message", f.message}});
        j["nonce"] = to_hex(nonce);
        nlohmann::ordered_json pcrs = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < indices.size(); ++i)
          pcrs[std::to_string(indices[i])] = to_hex(quote->pcr_values[i]);
        j["pcrs_sha256"] = pcrs;
        j["clock_ms"] = verdict->clock_ms;
        j["reset_count"] = verdict->reset_count;
        j["restart_count"] = verdict->restart_count;
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << (verdict->accepted() ? "quote VALID" : "quote INVALID") << "\n";
        for (const auto& f : verdict->failures)
          std::cout << "  " << quote_failure_name(f.code) << ": " << f.message << "\n";
        for (std::size_t i = 0; i < indices.size(); ++i)
          std::cout << "  pcr sha256:" << indices[i] << " = " << to_hex(quote->pcr_values[i]) << "\n";
      }
      return verdict->accepted() ? kOk : kRejected;
    }();
  });
}

}  // namespace

void add_tpm_commands(CLI::App& app, Outcome& outcome) {
  auto* tpm =
      app.add_subcommand("tpm", "vTPM: seal/unseal a secret to PCRs, quote PCRs bound to an SNP report");
  tpm->require_subcommand(1);
  add_seal(tpm, outcome);
  add_unseal(tpm, outcome);
  add_quote(tpm, outcome);
  add_verify_quote(tpm, outcome);
}

}  // namespace snprelay::cli
