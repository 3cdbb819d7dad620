// `snprelay doctor --config F [--json]`: the checks of relayer/app/doctor.hpp and of
// relayer/daemon/preflight.hpp (journal, api), one line each
// ("ok|warn|fail  <check>  <detail>") or a JSON array of {check, level, detail}. Exit 0 when nothing
// failed (warn is fine), 1 (kRejected) when something did; a configuration that does not load is the
// usual input error (2).
//
// `snprelay status --config F [--json]`: the daemon's view. First its API (GET /v1/status on [api]
// listen, one attempt, a short timeout); when the daemon does not answer, the journal opened read-only
// ("daemon not running (from the journal)"). Counts by state come from the journal whenever it is
// readable; "daemon" says whether a process holds the home's lock (app::daemon_lock_state). Exit 0 when a
// view was printed; 3 when neither the API nor the journal could be read.
#include <CLI/CLI.hpp>
#include <iostream>

#include "attest/kds/http_fetcher.hpp"
#include "common/json_strict.hpp"
#include "relayer/app/doctor.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/daemon/journal.hpp"
#include "relayer/daemon/preflight.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;
constexpr std::chrono::milliseconds kApiTimeout{3'000};
constexpr std::size_t kEpochsShown = 10;

struct Args {
  std::string config;
  bool json = false;
};

int run_doctor_command(const Args& a) {
  std::optional<config::Config> storage;
  auto loaded = use_config(a.config, nullptr, storage);
  if (!loaded)
    return fail(loaded.error());
  auto checks = app::run_doctor(**loaded, a.config);
  // start's own startup checks (relayer/daemon/preflight.hpp): doctor fails wherever start would.
  bool running = false;
  (void)app::daemon_lock_state(**loaded, &running);
  checks.push_back(daemon::check_journal(**loaded));
  checks.push_back(daemon::check_api(**loaded, running));
  if (a.json) {
    std::cout << app::checks_json(checks).dump(2) << "\n";
  } else {
    for (const auto& c : checks)
      std::cout << app::format_check_line(c) << "\n";
  }
  return app::any_failed(checks) ? kRejected : kOk;
}

// http://HOST:PORT/v1/status for `[api] listen`; a wildcard address is asked on loopback.
std::string status_url(const std::string& listen) {
  std::string host = listen;
  std::string port;
  if (const auto colon = listen.rfind(':'); colon != std::string::npos) {
    host = listen.substr(0, colon);
    port = listen.substr(colon);
  }
  if (host == "0.0.0.0" || host.empty())
    host = "127.0.0.1";
  else if (host == "[::]")
    host = "[::1]";
  return "http://" + host + port + "/v1/status";
}

Result<ordered_json> status_from_api(const std::string& url) {
  attest::HttpFetcherOptions o;
  o.timeout = kApiTimeout;
  o.deadline = kApiTimeout;
  o.max_attempts = 1;
  attest::HttpFetcher fetcher(o);
  auto body = fetcher.fetch(url);
  if (!body)
    return body.error();
  auto j = parse_json_strict<ordered_json>(
      std::string_view(reinterpret_cast<const char*>(body->data()), body->size()), url);
  if (!j || !j->is_object())
    return make_error("cli", "BAD_STATUS_REPLY",
                      j ? url + " did not answer a JSON object" : j.error().message, ErrorKind::kUnavailable);
  return j;
}

ordered_json entry_json(const daemon::Entry& e) {
  return {{"epoch", e.epoch},
          {"state", daemon::state_name(e.state)},
          {"txhash", e.txhash},
          {"height", e.height},
          {"reason", e.reason}};
}

// The view: from the API when the daemon answers, else from the journal; counts from the journal.
Result<ordered_json> status_view(const config::Config& c) {
  const std::string url = status_url(c.api.listen);
  auto api = status_from_api(url);
  auto journal = daemon::Journal::open_read_only(c.relayer.journal_path);
  if (!api && !journal)
    return make_error("cli", "STATUS_UNAVAILABLE",
                      "neither the daemon's API at " + url + " (" + api.error().message +
                          ") nor the journal at " + c.relayer.journal_path + " (" + journal.error().message +
                          ") is readable",
                      ErrorKind::kUnavailable);
  ordered_json view;
  if (api) {
    view = std::move(*api);
    view["source"] = "api " + url;
  } else {
    auto rows = journal->recent(kEpochsShown);
    if (!rows)
      return rows.error();
    view["source"] = "daemon not running (from the journal " + c.relayer.journal_path + ")";
    view["operator"] = c.relayer.operator_address;
    view["epochs"] = ordered_json::array();
    for (const auto& e : *rows)
      view["epochs"].push_back(entry_json(e));
  }
  // Whether a daemon holds the home's lock (one daemon per home), whatever the API answered.
  auto lock = app::daemon_lock_state(c);
  view["daemon"] = lock ? *lock : "unknown (" + lock.error().message + ")";
  if (journal) {
    if (auto counts = journal->counts()) {
      ordered_json by_state = ordered_json::object();
      for (std::size_t i = 0; i < daemon::kStateCount; ++i)
        by_state[daemon::state_name(static_cast<daemon::State>(i))] = (*counts)[i];
      view["counts"] = std::move(by_state);
    }
  }
  return view;
}

std::string text_of(const ordered_json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return "-";
  return app::escape_text(it->is_string() ? it->get<std::string>() : it->dump());
}

void print_status(const ordered_json& v) {
  std::cout << "source: " << text_of(v, "source") << "\n";
  std::cout << "daemon: " << text_of(v, "daemon") << "\n";
  std::cout << "operator: " << text_of(v, "operator") << "\n";
  if (v.contains("relayer"))
    std::cout << "relayer: " << text_of(v, "relayer") << "\n";
  if (v.contains("chain_reachable")) {
    std::cout << "chain: " << (v.value("chain_reachable", false) ? "reachable" : "unreachable")
              << ", last epoch " << text_of(v, "last_epoch") << " " << text_of(v, "last_status");
    if (const std::string m = text_of(v, "last_message"); m != "-" && !m.empty())
      std::cout << " (" << m << ")";
    std::cout << "\n";
    std::cout << "allowlist version: " << text_of(v, "allowlist_version") << "\n";
  } else {
    std::cout << "chain: not asked (the daemon is not running)\n";
  }
  const auto epochs = v.find("epochs");
  if (epochs == v.end() || !epochs->is_array() || epochs->empty()) {
    std::cout << "epochs: no epochs yet\n";
  } else {
    std::cout << "epochs:\n";
    for (const auto& e : *epochs) {
      std::cout << "  epoch " << text_of(e, "epoch") << "  " << text_of(e, "state") << "  height "
                << text_of(e, "height") << "  txhash " << text_of(e, "txhash");
      if (const std::string r = text_of(e, "reason"); r != "-" && !r.empty())
        std::cout << "  (" << r << ")";
      std::cout << "\n";
    }
  }
  if (const auto counts = v.find("counts"); counts != v.end() && counts->is_object()) {
    std::cout << "counts:";
    for (const auto& [state, n] : counts->items())
      std::cout << " " << state << "=" << n.dump();
    std::cout << "\n";
  }
}

int run_status_command(const Args& a) {
  std::optional<config::Config> storage;
  auto loaded = use_config(a.config, nullptr, storage);
  if (!loaded)
    return fail(loaded.error());
  auto view = status_view(**loaded);
  if (!view)
    return fail(view.error());
  if (a.json)
    std::cout << view->dump() << "\n";
  else
    print_status(*view);
  return kOk;
}

}  // namespace

void add_doctor_commands(CLI::App& app, Outcome& outcome) {
  auto doctor_args = std::make_shared<Args>();
  auto* doctor = app.add_subcommand("doctor",
                                    "Check evidence, KDS, chain, relayer, key, TPM, allowlist, TCB, daemon "
                                    "lock, journal and API: ok|warn|fail each");
  doctor->add_option("--config", doctor_args->config, "TOML configuration file")->required();
  doctor->add_flag("--json", doctor_args->json, "Print the checks as a JSON array of {check, level, detail}");
  doctor->callback([doctor_args, &outcome] { outcome.exit_code = run_doctor_command(*doctor_args); });

  auto status_args = std::make_shared<Args>();
  auto* status = app.add_subcommand(
      "status",
      "The daemon's view: its API's /v1/status, else its journal (read-only) when it is not running");
  status->add_option("--config", status_args->config, "TOML configuration file")->required();
  status->add_flag("--json", status_args->json, "Print the view as one JSON object");
  status->callback([status_args, &outcome] { outcome.exit_code = run_status_command(*status_args); });
}

}  // namespace snprelay::cli
