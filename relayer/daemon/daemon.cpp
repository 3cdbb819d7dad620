// Wiring of the daemon (daemon.hpp): configuration -> parts, one pass -> health, status and metrics.
#include "relayer/daemon/daemon.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "common/file_io.hpp"
#include "common/log.hpp"
#include "common/process_lock.hpp"
#include "config/loader.hpp"
#include "relayer/api/http_server.hpp"
#include "relayer/api/report_source.hpp"
#include "relayer/api/routes.hpp"
#include "relayer/api/server_config.hpp"
#include "relayer/api/server_metrics.hpp"
#include "relayer/app/allowlist_files.hpp"
#include "relayer/app/doctor.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/keys.hpp"
#include "relayer/app/tpm.hpp"
#include "relayer/app/verification.hpp"

namespace snprelay::daemon {
namespace {

using nlohmann::ordered_json;
using Kind = EpochOutcome::Kind;

std::int64_t wall_clock() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// The series the daemon itself writes (the routes register the guide's enclave_* ones).
struct Series {
  const char* name;
  const char* help;
  api::MetricType type;
};
constexpr Series kSeries[] = {
    {"snprelay_epochs_total", "Epoch passes by outcome", api::MetricType::kCounter},
    {"snprelay_submissions_total", "Attestation submissions by result", api::MetricType::kCounter},
    {"snprelay_self_check_failures_total", "Reports the chain would refuse, by failed check",
     api::MetricType::kCounter},
    {"snprelay_pass_errors_total", "Passes that could not reach a verdict, by error kind",
     api::MetricType::kCounter},
    {"snprelay_allowlist_alarms_total", "Allowlist updates refused, by code", api::MetricType::kCounter},
    {"snprelay_allowlist_version", "Version of the local allowlist copy", api::MetricType::kGauge},
    {"snprelay_journal_entries", "Journal rows by state", api::MetricType::kGauge},
    {"snprelay_last_success_timestamp_seconds", "Unix time of the last committed attestation",
     api::MetricType::kGauge},
    {"snprelay_last_epoch", "The last epoch a pass handled", api::MetricType::kGauge},
    {"snprelay_chain_reachable", "1 when the last pass reached the chain", api::MetricType::kGauge},
    {"snprelay_submit_latency_seconds",
     "The last broadcast: from reading the epoch's nonce to the tx in the node's mempool",
     api::MetricType::kGauge},
    {"snprelay_rpc_failovers_total",
     "Calls answered by another RPC endpoint than the one before, away from the first",
     api::MetricType::kCounter},
    {"snprelay_kds_fetch_failures_total",
     "Fetches from the KDS that ended in an error (a warm certificate cache fetches nothing)",
     api::MetricType::kCounter},
    {"snprelay_tpm_unreachable",
     "1 when the vTPM the account key is sealed to failed its last probe (a restart could not unseal the "
     "key); 0 otherwise, and always 0 without protection = tpm",
     api::MetricType::kGauge},
    {"snprelay_journal_quarantined_total",
     "Journal rows moved to the quarantine table (malformed, or for an epoch the chain had not reached)",
     api::MetricType::kCounter},
    {"snprelay_guest_debug_allowed",
     "1 when the last report's guest policy lets the host debug the guest (POLICY.DEBUG)",
     api::MetricType::kGauge},
};

api::TcbLevels levels_of(std::uint64_t raw, attest::Product product) {
  const attest::TcbParts t = attest::decode_tcb(raw, product);
  api::TcbLevels l;
  l.boot_loader = t.bootloader;
  l.tee = t.tee;
  l.snp = t.snp;
  l.microcode = t.microcode;
  l.fmc = t.fmc;
  return l;
}

class StateHealth final : public api::HealthSource {
 public:
  explicit StateHealth(const Daemon& d) : daemon_(d) {}
  api::HealthSnapshot snapshot() override {
    const PassState s = daemon_.state();
    api::HealthSnapshot h;
    h.hardware_enabled = s.hardware_enabled;
    h.simulated = s.simulated;
    h.tcb = levels_of(s.reported_tcb, s.product);
    h.last_epoch = s.last_epoch;
    h.last_status = s.last_status;
    h.allowlist_version = s.allowlist_version;
    h.chain_reachable = s.chain_reachable;
    h.degraded_reasons = s.degraded_reasons;
    if (s.passes == 0)
      h.degraded_reasons.emplace_back("no epoch pass has completed yet");
    h.status = h.degraded_reasons.empty() ? api::HealthStatus::kHealthy : api::HealthStatus::kDegraded;
    return h;
  }

 private:
  const Daemon& daemon_;
};

}  // namespace

// See daemon.hpp: at least the measured upper bound, at most gas_limit_max.
std::uint64_t submission_gas_fallback(const config::Config& c) {
  const auto cap = static_cast<std::uint64_t>(c.chain.gas_limit_max);
  const auto configured = static_cast<std::uint64_t>(c.chain.gas_fallback);
  return std::min(cap, std::max(configured, kSubmissionGasUpperBound));
}

struct Daemon::Parts {
  // One daemon per home: held from before anything else opens until the process ends (declared first so
  // it is released last).
  std::optional<ProcessLock> lock;
  std::shared_ptr<const config::Config> config;
  std::string config_path;
  std::unique_ptr<chain::rpc::CometClient> chain;
  std::unique_ptr<chain::rpc::TxSubmitter> submitter;
  std::unique_ptr<allowlist::Store> allowlist;
  std::unique_ptr<allowlist::ChainUpdateSource> updates;
  std::unique_ptr<attest::EvidenceSource> evidence;      // the epoch runner's
  std::unique_ptr<attest::EvidenceSource> api_evidence;  // the API's generate
  std::unique_ptr<attest::KdsClient> kds;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<EpochRunner> runner;
  api::MetricsRegistry metrics;
  std::unique_ptr<api::EvidenceReportGenerator> generator;
  std::unique_ptr<StateHealth> health;
  std::unique_ptr<api::ApiRoutes> routes;
  std::unique_ptr<api::HttpServer> server;
  // The vTPM the account key is sealed to ("" when it is not): probed every kTpmProbeInterval on the
  // pass's thread, so health says a restart could not unseal the key before one is tried.
  std::string tpm_tcti;
  std::chrono::steady_clock::time_point tpm_probe_at{};
  std::string tpm_error;          // the last probe's failure, "" when the TPM answered
  std::string last_quarantine;    // the newest quarantined journal row, in words ("" when none yet)
  std::string allowlist_rebuilt;  // set when open() set a tampered allowlist copy aside
};

namespace {

// Renames the allowlist copy and its SQLite side files to <path>.tampered-<unix time>[-wal|-shm]; the
// new name, or the rename's error.
Result<std::string> set_aside(const std::string& path) {
  const std::string to = path + ".tampered-" + std::to_string(wall_clock());
  for (const char* side : {"", "-wal", "-shm", "-journal"}) {
    const std::string from = path + side;
    if (::rename(from.c_str(), (to + side).c_str()) != 0 && errno != ENOENT)
      return make_error("daemon", "SET_ASIDE_FAILED",
                        "cannot move the tampered allowlist copy " + from + " aside: " + std::strerror(errno),
                        ErrorKind::kInput);
  }
  return to;
}

}  // namespace

Daemon::Daemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Daemon::~Daemon() {
  if (parts_ && parts_->server)
    parts_->server->stop();
}

Result<std::unique_ptr<Daemon>> Daemon::open(std::shared_ptr<const config::Config> config,
                                             std::string config_path) {
  auto log = log_for("daemon");
  auto p = std::make_unique<Parts>();
  p->config = std::move(config);
  p->config_path = std::move(config_path);
  const config::Config& c = *p->config;

  // Before anything is opened: a second daemon on this home must not touch the journal or the port.
  if (Status st = make_private_dirs(c.relayer.state_dir); !st)
    return st.error();
  auto lock = ProcessLock::acquire(app::daemon_lock_path(c));
  if (!lock)
    return lock.error();
  p->lock = std::move(*lock);

  p->chain = std::make_unique<chain::rpc::CometClient>(
      c.chain.rpc, std::make_shared<chain::rpc::CurlTransport>(), c.chain.rpc_timeout);
  p->chain->set_recheck_interval(c.chain.rpc_recheck_interval);
  const auto defaults = app::key_defaults(p->config, p->config_path);
  auto key = app::open_key(app::key_store("", defaults), c.chain.key.name, app::KeyRequest{}, defaults);
  if (!key)
    return key.error();
  if (c.chain.key.protection == config::KeyProtection::kTpm) {
    auto tpm = app::resolve_tpm(app::TpmRequest{}, &c);
    if (!tpm)
      return tpm.error();
    p->tpm_tcti = tpm->tcti;
  }
  chain::rpc::SubmitterOptions so;
  so.chain_id = c.chain.chain_id;
  so.prefix = c.chain.bech32_prefix;
  so.gas_price = c.chain.gas_price;
  so.gas_adjustment = c.chain.gas_adjustment;
  so.gas_cap = static_cast<std::uint64_t>(c.chain.gas_limit_max);
  so.default_gas = submission_gas_fallback(c);
  so.simulation_reuse = std::chrono::duration_cast<std::chrono::milliseconds>(c.chain.simulation_reuse);
  so.fee_granter = c.chain.fee_granter;
  so.confirm_timeout = c.chain.confirm_timeout;
  so.poll_interval = std::chrono::milliseconds(250);
  p->submitter = std::make_unique<chain::rpc::TxSubmitter>(*p->chain, std::move(*key), so);

  auto signers = app::signer_set_from_config(c, p->config_path, std::nullopt);
  if (!signers)
    return signers.error();
  auto store = allowlist::Store::open(c.allowlist.db_path, c.chain.chain_id, *signers);
  if (!store && store.error().code == "COPY_TAMPERED") {
    // Never attest against a copy that does not match its signed updates: keep it for a post-mortem and
    // rebuild from the chain (the first pass syncs every signed update again, under the pinned signers).
    auto aside = set_aside(c.allowlist.db_path);
    if (!aside)
      return aside.error();
    log->error("{}; moved to {} and rebuilt from the chain", store.error().message, *aside);
    p->allowlist_rebuilt = "the allowlist copy did not match its signed updates; it was moved to " + *aside +
                           " and is rebuilt from the chain";
    store = allowlist::Store::open(c.allowlist.db_path, c.chain.chain_id, *signers);
  }
  if (!store)
    return store.error();
  p->allowlist = std::make_unique<allowlist::Store>(std::move(*store));
  p->updates = std::make_unique<allowlist::ChainUpdateSource>(*p->chain);

  app::SimRequest existing_sim;
  existing_sim.must_exist = true;  // new simulated keys would not be the ones the chain trusts
  auto source = app::open_evidence_source(c, existing_sim, false);
  if (!source)
    return source.error();
  p->evidence = std::move(source->source);
  if (const auto line = app::announce_line(*p->evidence))
    log->warn("{}", *line);
  else
    log->info("Hardware backend initialized: {} {}", p->evidence->describe().backend,
              p->evidence->describe().device);
  auto api_source = app::open_evidence_source(c, existing_sim, false);
  if (!api_source)
    return api_source.error();
  p->api_evidence = std::move(api_source->source);
  if (c.enclave.sev_snp.allow_debug_policy)
    log->warn("SEV-SNP debug policy allowed (enclave.sev_snp.allow_debug_policy): not in require mode");

  auto kds = app::make_kds_client(app::kds_request_from(c));
  if (!kds)
    return kds.error();
  p->kds = std::move(*kds);
  auto journal = Journal::open(c.relayer.journal_path);
  if (!journal)
    return journal.error();
  p->journal = std::make_unique<Journal>(std::move(*journal));

  EpochSetup setup;
  setup.chain_id = c.chain.chain_id;
  setup.operator_address = c.relayer.operator_address;
  setup.hardware_mode = c.enclave.hardware_mode;
  setup.product = c.enclave.sev_snp.product_name;
  setup.vmpl = static_cast<std::uint32_t>(c.enclave.sev_snp.vmpl);
  setup.vcek_source = c.enclave.sev_snp.vcek_source;
  EpochParts parts{p->chain.get(),    p->submitter.get(), p->allowlist.get(), p->updates.get(),
                   p->evidence.get(), p->kds.get(),       p->journal.get(),   &wall_clock};
  p->runner = std::make_unique<EpochRunner>(setup, parts);

  for (const Series& s : kSeries) {
    if (Status st = p->metrics.register_metric(s.name, s.help, s.type); !st)
      return st.error();
  }
  std::unique_ptr<Daemon> d(new Daemon(std::move(p)));
  Parts& q = *d->parts_;
  q.generator = std::make_unique<api::EvidenceReportGenerator>(*q.api_evidence, setup.vmpl);
  q.health = std::make_unique<StateHealth>(*d);
  api::RoutesOptions ro;
  auto token = api::bearer_token_from(c);
  if (!token)
    return token.error();
  ro.bearer_token = std::move(*token);
  ro.status = [daemon = d.get()]() -> Result<ordered_json> {
    const PassState s = daemon->state();
    ordered_json j;
    j["operator"] = daemon->parts_->config->relayer.operator_address;
    j["relayer"] = daemon->parts_->submitter->address();
    j["last_epoch"] = s.last_epoch ? ordered_json(*s.last_epoch) : ordered_json(nullptr);
    j["last_status"] = s.last_status;
    j["last_message"] = s.last_message;
    j["last_success_unix"] = s.last_success_unix;
    j["allowlist_version"] = s.allowlist_version;
    j["chain_reachable"] = s.chain_reachable;
    j["rpc_endpoint"] = s.rpc_endpoint;
    j["simulated"] = s.simulated;
    ordered_json epochs = ordered_json::array();
    for (const Entry& e : s.recent) {
      ordered_json row;
      row["epoch"] = e.epoch;
      row["state"] = state_name(e.state);
      row["txhash"] = e.txhash;
      row["height"] = e.height;
      row["reason"] = e.reason;
      epochs.push_back(std::move(row));
    }
    j["epochs"] = std::move(epochs);
    return j;
  };
  ro.on_scrape = [daemon = d.get()](api::MetricsRegistry& r) {
    if (daemon->parts_->server)
      (void)api::publish_server_stats(daemon->parts_->server->stats(), r);
  };
  q.routes = std::make_unique<api::ApiRoutes>(*q.generator, *q.health, q.metrics, std::move(ro));
  auto server_options = api::server_options_from(c);
  if (!server_options)
    return server_options.error();
  q.server = std::make_unique<api::HttpServer>(*server_options, *q.routes);
  if (Status st = q.server->start(); !st)
    return st.error();
  log->info("API listening on {} (port {})", c.api.listen, q.server->tcp_port());
  return d;
}

void Daemon::probe_tpm() {
  Parts& p = *parts_;
  const auto now = std::chrono::steady_clock::now();
  if (p.tpm_tcti.empty() || now < p.tpm_probe_at)
    return;
  p.tpm_probe_at = now + kTpmProbeInterval;
  auto tpm = attest::tpm::Tpm::open(p.tpm_tcti);
  const std::string was = p.tpm_error;
  p.tpm_error = tpm ? "" : tpm.error().to_string();
  if (p.tpm_error != was && !p.tpm_error.empty())
    log_for("daemon")->error(
        "the vTPM the key is sealed to does not answer ({}): the key stays unsealed in "
        "memory, but a restart cannot unseal it",
        p.tpm_error);
  else if (p.tpm_error != was)
    log_for("daemon")->info("the vTPM at {} answers again", p.tpm_tcti);
  (void)p.metrics.set("snprelay_tpm_unreachable", {}, p.tpm_error.empty() ? 0 : 1);
}

void Daemon::publish(const Result<EpochOutcome>& outcome) {
  auto log = log_for("daemon");
  api::MetricsRegistry& m = parts_->metrics;
  std::lock_guard lock(mu_);
  ++state_.passes;
  state_.degraded_reasons.clear();
  if (!parts_->allowlist_rebuilt.empty() && state_.allowlist_version == 0)
    state_.degraded_reasons.push_back(parts_->allowlist_rebuilt);
  if (!parts_->tpm_error.empty())
    state_.degraded_reasons.push_back(parts_->tpm_error +
                                      " (the key is unsealed in memory; a restart "
                                      "cannot unseal it)");
  // A quarantined journal row never stops attestation, but someone should look at it: health stays
  // degraded (until restart) and names the newest one.
  const std::uint64_t quarantined = parts_->runner->quarantined_total();
  if (const auto& rows = parts_->runner->last_quarantined(); !rows.empty())
    parts_->last_quarantine = "operator " + rows.back().operator_address + " epoch " +
                              std::to_string(rows.back().epoch) + ": " + rows.back().why;
  if (quarantined > 0)
    state_.degraded_reasons.push_back("journal: " + std::to_string(quarantined) +
                                      " row(s) quarantined since start (newest: " + parts_->last_quarantine +
                                      "); they are kept in the quarantine table of " +
                                      parts_->config->relayer.journal_path);
  (void)m.set_total("snprelay_journal_quarantined_total", {}, static_cast<double>(quarantined));
  (void)m.set_total("enclave_cert_cache_hits", {}, static_cast<double>(parts_->kds->cache().hits()));
  (void)m.set_total("snprelay_kds_fetch_failures_total", {},
                    static_cast<double>(parts_->kds->fetch_failures()));
  (void)m.set_total("snprelay_rpc_failovers_total", {}, static_cast<double>(parts_->chain->failovers()));
  state_.rpc_endpoint = parts_->chain->current_endpoint();  // on the pass's thread: no request is in flight

  state_.simulated = parts_->evidence->describe().simulated;
  state_.hardware_enabled = !state_.simulated;
  if (!outcome) {
    const Error& e = outcome.error();
    state_.last_status = "error";
    state_.last_message = e.to_string();
    state_.chain_reachable = e.component != "rpc";
    state_.degraded_reasons.push_back(e.to_string());
    (void)m.add("snprelay_pass_errors_total", {{"kind", error_kind_name(e.kind)}});
    ++consecutive_errors_;
    if (state_.last_message == last_error_) {
      ++error_repeats_;  // logged with its count when the error changes or clears
    } else {
      if (error_repeats_ > 0)
        log->warn("the previous pass error repeated {} more time(s)", error_repeats_);
      log->error("epoch pass failed: {} (next pass in {} ms)", state_.last_message, backoff_locked().count());
      last_error_ = state_.last_message;
      error_repeats_ = 0;
    }
    (void)m.set("snprelay_chain_reachable", {}, state_.chain_reachable ? 1 : 0);
    return;
  }
  const EpochOutcome& o = *outcome;
  if (!last_error_.empty())
    log->info("epoch passes reach a verdict again (the last error \"{}\" repeated {} more time(s))",
              last_error_, error_repeats_);
  last_error_.clear();
  error_repeats_ = 0;
  consecutive_errors_ = 0;
  state_.chain_reachable = true;
  // A pass that finds its epoch already final keeps that epoch's status ("committed", ...).
  const bool same_epoch_done = o.kind == Kind::kAlreadyDone && state_.last_epoch == o.epoch;
  state_.last_epoch = o.epoch;
  if (!same_epoch_done) {
    state_.last_status = outcome_name(o.kind);
    state_.last_message = o.message;
  }
  if (o.kind != Kind::kAlreadyDone) {
    state_.allowlist_version = o.allowlist_version != 0 ? o.allowlist_version : state_.allowlist_version;
    if (o.reported_tcb != 0) {
      state_.reported_tcb = o.reported_tcb;
      state_.product = o.product;
    }
    if (o.guest_debug)
      (void)m.set("snprelay_guest_debug_allowed", {}, *o.guest_debug ? 1 : 0);
  }
  (void)m.add("snprelay_epochs_total", {{"outcome", outcome_name(o.kind)}});
  (void)m.set("snprelay_last_epoch", {}, static_cast<double>(o.epoch));
  (void)m.set("snprelay_chain_reachable", {}, 1);
  (void)m.set("snprelay_allowlist_version", {}, static_cast<double>(state_.allowlist_version));
  if (o.allowlist_alarm) {
    state_.degraded_reasons.push_back("allowlist " + o.allowlist_alarm->code + ": " +
                                      o.allowlist_alarm->message);
    (void)m.add("snprelay_allowlist_alarms_total", {{"code", o.allowlist_alarm->code}});
  }
  if (o.to_mempool) {
    const double ms = static_cast<double>(o.to_mempool->count()) / 1000.0;
    (void)m.set("snprelay_submit_latency_seconds", {}, ms / 1000.0);
    const auto in_ms = [](std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1000.0; };
    log->info(
        "epoch {} in the mempool {:.3f} ms after its nonce was read (chain reads {:.1f}, evidence {:.1f}, "
        "self-check {:.1f}, journal {:.1f}, write-ahead {:.1f}, sign and broadcast {:.1f})",
        o.epoch, ms, in_ms(o.phases.chain), in_ms(o.phases.evidence), in_ms(o.phases.self_check),
        in_ms(o.phases.journal), in_ms(o.phases.write_ahead), in_ms(o.phases.submit));
  }
  switch (o.kind) {
    case Kind::kCommitted:
      state_.last_success_unix = wall_clock();
      (void)m.add("snprelay_submissions_total", {{"result", "committed"}});
      (void)m.set("snprelay_last_success_timestamp_seconds", {},
                  static_cast<double>(state_.last_success_unix));
      log->info("epoch {} attested: tx {} in block {}", o.epoch, o.txhash, o.height);
      break;
    case Kind::kSelfCheckFailed:
      state_.degraded_reasons.push_back("self-check " + o.code + ": " + o.message);
      (void)m.add("snprelay_self_check_failures_total", {{"code", o.code}});
      if (o.code == "TCB_BELOW_MINIMUM")
        log->error("TCB version below minimum: {} (epoch {} not submitted)", o.message, o.epoch);
      else if (o.code == "CHAIN_UNTRUSTED" || o.code == "CERT_NOT_VALID_AT_TIME")
        log->error("Certificate chain validation failed: {} (epoch {} not submitted)", o.message, o.epoch);
      else
        log->error("self-check {} failed: {} (epoch {} not submitted)", o.code, o.message, o.epoch);
      break;
    case Kind::kRefused:
      state_.degraded_reasons.push_back("the chain refused epoch " + std::to_string(o.epoch) + ": " + o.code);
      (void)m.add("snprelay_submissions_total", {{"result", "refused"}});
      log->error("epoch {} refused: {} {}", o.epoch, o.code, o.message);
      break;
    case Kind::kMissed:
      (void)m.add("snprelay_submissions_total", {{"result", "missed"}});
      log->warn("epoch {} missed: {}", o.epoch, o.message);
      break;
    case Kind::kNotRegistered:
    case Kind::kAllowlistStale:
      state_.degraded_reasons.push_back(std::string(outcome_name(o.kind)) + ": " + o.message);
      log->error("epoch {}: {}: {}", o.epoch, outcome_name(o.kind), o.message);
      break;
    case Kind::kPending:
      log->info("epoch {}: tx {} pending{}", o.epoch, o.txhash,
                o.message.empty() ? "" : " (" + o.message + ")");
      break;
    case Kind::kAlreadyDone:
      break;
  }
  // enclave_tcb_version comes from the health snapshot at each scrape (routes.cpp).
  if (auto recent = parts_->journal->recent(10)) {
    state_.recent = std::move(*recent);
    for (Entry& e : state_.recent)
      e.tx_bytes.clear();  // the status shows hashes, not transactions
  }
  if (auto counts = parts_->journal->counts()) {
    for (std::size_t i = 0; i < kStateCount; ++i)
      (void)m.set("snprelay_journal_entries", {{"state", state_name(static_cast<State>(i))}},
                  static_cast<double>((*counts)[i]));
  }
}

void Daemon::pass() {
  if (!recovered_) {
    auto r = parts_->runner->recover();
    if (!r) {
      probe_tpm();
      publish(r.error());
      return;
    }
    recovered_ = true;
    if (*r > 0)
      log_for("daemon")->info("recovered {} unfinished journal rows", *r);
  }
  auto outcome = parts_->runner->attest_current();
  probe_tpm();
  publish(outcome);
}

PassState Daemon::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::uint16_t Daemon::api_port() const {
  return parts_->server ? parts_->server->tcp_port() : 0;
}

std::chrono::milliseconds Daemon::poll_interval() const {
  std::lock_guard lock(mu_);
  return backoff_locked();
}

std::chrono::milliseconds Daemon::backoff_locked() const {
  const std::chrono::milliseconds base = parts_->config->relayer.poll_interval;
  const std::chrono::milliseconds cap = std::max<std::chrono::milliseconds>(base, kMaxBackoff);
  std::chrono::milliseconds wait = base;
  for (std::uint32_t i = 0; i < consecutive_errors_ && wait < cap; ++i)
    wait *= 2;
  return std::min(wait, cap);
}

spdlog::level::level_enum spdlog_level(config::LogLevel level) {
  constexpr std::array<spdlog::level::level_enum, 7> kLevels = {
      spdlog::level::trace, spdlog::level::debug,    spdlog::level::info, spdlog::level::warn,
      spdlog::level::err,   spdlog::level::critical, spdlog::level::off};
  return kLevels.at(static_cast<std::size_t>(level));
}

void Daemon::reload() {
  auto log = log_for("daemon");
  auto fresh = config::load_config_file(parts_->config_path, config::process_env());
  if (!fresh) {
    log->error("SIGHUP: {} does not load ({}); nothing changed", parts_->config_path,
               fresh.error().to_string());
    return;
  }
  auto token = api::bearer_token_from(*fresh);
  if (!token) {
    log->error("SIGHUP: {}; nothing changed", token.error().to_string());
    return;
  }
  const bool has_token = !token->empty();
  if (parts_->routes)
    parts_->routes->set_bearer_token(std::move(*token));
  spdlog::set_level(spdlog_level(fresh->log.level));
  log->warn("SIGHUP: reloaded {}: log level {}, API bearer token {}; other settings apply after a restart",
            parts_->config_path, spdlog::level::to_string_view(spdlog_level(fresh->log.level)).data(),
            has_token ? "set" : "none");
}

void Daemon::stop() {
  stopping_ = true;
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    wake = wake_;
  }
  if (wake)
    wake();
}

Status Daemon::run() {
  // A write past RLIMIT_FSIZE (a full quota, a systemd LimitFSIZE=) would kill the daemon by SIGXFSZ's
  // default action in the middle of a journal write. Ignored, the write fails with EFBIG instead: the
  // pass ends in a database error, is logged and counted, and the next pass retries once there is room.
  std::signal(SIGXFSZ, SIG_IGN);
  Status st = run_epoch_loop(*this, stopping_, [this](std::function<void()> wake) {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  });
  if (parts_->server)
    parts_->server->stop();
  log_for("daemon")->info("stopped");
  return st;
}

}  // namespace snprelay::daemon
