#include "relayer/daemon/epoch_runner.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "attest/report.hpp"
#include "attest/report_bits.hpp"
#include "chain/crypto/hash.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/tx/messages.hpp"
#include "common/log.hpp"
#include "relayer/app/binding.hpp"
#include "relayer/app/parse.hpp"

namespace snprelay::daemon {
namespace {

using chain::rpc::SnpQuery;
using chain::rpc::SnpQueryRequest;
using Kind = EpochOutcome::Kind;

// The attestation the chain holds for (operator, epoch): its height, or nullopt.
Result<std::optional<std::int64_t>> attestation_height(chain::rpc::ChainClient& client, const std::string& op,
                                                       std::uint64_t epoch) {
  SnpQueryRequest q;
  q.kind = SnpQuery::kAttestation;
  q.operator_address = op;
  q.epoch = epoch;
  auto j = chain::rpc::query_snpattest(client, q);
  if (!j && j.error().code == "NOT_FOUND")
    return std::optional<std::int64_t>();
  if (!j)
    return j.error();
  return std::optional<std::int64_t>(j->value("height", std::int64_t{0}));
}

using Clock = std::chrono::steady_clock;

// Adds the time since `mark` to `phase` and moves `mark` to now.
void lap(std::chrono::microseconds& phase, Clock::time_point& mark) {
  const Clock::time_point now = Clock::now();
  phase += std::chrono::duration_cast<std::chrono::microseconds>(now - mark);
  mark = now;
}

std::string refusal_code(const std::string& codespace, std::uint32_t code) {
  return codespace + " " + std::to_string(code);
}

}  // namespace

const char* outcome_name(EpochOutcome::Kind kind) {
  switch (kind) {
    case Kind::kAlreadyDone:
      return "already_done";
    case Kind::kCommitted:
      return "committed";
    case Kind::kPending:
      return "pending";
    case Kind::kSelfCheckFailed:
      return "self_check_failed";
    case Kind::kRefused:
      return "refused";
    case Kind::kMissed:
      return "missed";
    case Kind::kNotRegistered:
      return "not_registered";
    case Kind::kAllowlistStale:
      return "allowlist_stale";
  }
  return "pending";
}

// What one pass reads from the chain first.
struct EpochRunner::ChainView {
  chain::rpc::CurrentEpoch epoch;
  chain::rpc::NodeStatus status;
  app::ChainParams params;
  std::chrono::steady_clock::time_point nonce_read;  // when CurrentEpoch answered
};

EpochRunner::EpochRunner(EpochSetup setup, EpochParts parts)
    : setup_(std::move(setup)), parts_(std::move(parts)) {}

Result<EpochRunner::ChainView> EpochRunner::view() const {
  ChainView v;
  auto status = parts_.chain->status();
  if (!status)
    return status.error();
  v.status = *status;
  auto epoch = chain::rpc::query_current_epoch(*parts_.chain);
  if (!epoch)
    return epoch.error();
  v.epoch = *epoch;
  v.nonce_read = std::chrono::steady_clock::now();
  return v;
}

Status EpochRunner::load_params(ChainView& v) const {
  auto params = app::query_chain_params(*parts_.chain);
  if (!params)
    return params.error();
  v.params = std::move(*params);
  return ok_status();
}

Result<EpochRunner::ChainReads> EpochRunner::params_and_relayer() const {
  ChainReads r;
  auto params = app::query_chain_params(*parts_.chain);
  if (!params)
    return params.error();
  r.params = std::move(*params);
  SnpQueryRequest q;
  q.kind = SnpQuery::kRelayer;
  q.operator_address = setup_.operator_address;
  auto relayer = chain::rpc::query_snpattest(*parts_.chain, q);
  if (!relayer && relayer.error().code != "NOT_FOUND")
    return relayer.error();
  if (relayer)
    r.relayer = relayer->value("relayer", std::string());
  return r;
}

Result<RecoveryFacts> EpochRunner::facts_for(const Entry& entry, const ChainView& v) {
  RecoveryFacts f;
  f.current_epoch = v.epoch.epoch;
  f.window_open = epoch_window_open({entry.epoch, v.epoch.epoch, v.epoch.deadline_height,
                                     v.status.latest_block_height, v.params.accept_previous_epoch});
  if (!entry.txhash.empty()) {
    auto found = parts_.chain->tx(entry.txhash);
    if (!found)
      return found.error();
    if (*found)
      f.tx = IncludedTx{(*found)->height, (*found)->code, (*found)->codespace, (*found)->log};
  }
  auto att = attestation_height(*parts_.chain, entry.operator_address, entry.epoch);
  if (!att)
    return att.error();
  if (*att) {
    f.attestation_on_chain = true;
    f.attestation_height = std::max<std::int64_t>(**att, 1);
  }
  if (const auto it = sent_at_height_.find(entry.txhash); it != sent_at_height_.end())
    f.blocks_since_sent = v.status.latest_block_height - it->second;
  return f;
}

Result<EpochOutcome> EpochRunner::resolve(const Entry& entry, const ChainView& v) {
  EpochOutcome out;
  out.epoch = entry.epoch;
  out.txhash = entry.txhash;
  auto facts = facts_for(entry, v);
  if (!facts)
    return facts.error();
  const RecoveryAction action = decide(entry, *facts);
  if (Status st = record(*parts_.journal, entry, action, parts_.now_unix()); !st)
    return st.error();
  out.message = action.reason;
  switch (action.kind) {
    case RecoveryAction::Kind::kMarkCommitted:
      out.kind = Kind::kCommitted;
      out.height = action.height;
      break;
    case RecoveryAction::Kind::kMarkFailed:
      out.kind = Kind::kRefused;
      break;
    case RecoveryAction::Kind::kMarkMissed:
      out.kind = Kind::kMissed;
      break;
    case RecoveryAction::Kind::kRebroadcast: {
      auto sent = parts_.submitter->rebroadcast(entry.tx_bytes);
      if (!sent)
        return sent.error();
      if (sent->code == 0 || sent->code == 19)
        sent_at_height_[entry.txhash] = v.status.latest_block_height;
      out.kind = Kind::kPending;
      break;
    }
    case RecoveryAction::Kind::kStartFresh:
    case RecoveryAction::Kind::kWait:
    case RecoveryAction::Kind::kNone:
      out.kind = Kind::kPending;
      break;
  }
  return out;
}

Status EpochRunner::sweep_journal(const ChainView& v) {
  auto moved = parts_.journal->quarantine_invalid(v.epoch.epoch, parts_.now_unix());
  parts_.journal->set_chain_epoch(v.epoch.epoch);
  if (!moved)
    return moved.error();
  last_quarantined_ = std::move(*moved);
  for (const QuarantinedRow& r : last_quarantined_) {
    ++quarantined_total_;
    if (r.operator_address == setup_.operator_address && r.epoch >= 0)
      quarantined_epochs_.insert(static_cast<std::uint64_t>(r.epoch));
    log_for("daemon")->error(
        "journal row operator {} epoch {} ({}) quarantined: {}; the epoch is handled as if it had no row "
        "(the chain is asked before anything is signed)",
        r.operator_address, r.epoch, r.state, r.why);
  }
  return ok_status();
}

Result<std::optional<EpochOutcome>> EpochRunner::settle_quarantined(std::uint64_t epoch) {
  if (!quarantined_epochs_.contains(epoch))
    return std::optional<EpochOutcome>();
  const std::string& op = setup_.operator_address;
  auto height = attestation_height(*parts_.chain, op, epoch);
  if (!height)
    return height.error();
  quarantined_epochs_.erase(epoch);
  if (!*height)
    return std::optional<EpochOutcome>();  // nothing landed: the epoch starts afresh
  const std::int64_t at = std::max<std::int64_t>(**height, 1);
  if (Status st = parts_.journal->prepare(op, epoch, parts_.now_unix()); !st)
    return st.error();
  if (Status st = parts_.journal->mark_committed(op, epoch, at, parts_.now_unix()); !st)
    return st.error();
  EpochOutcome out;
  out.kind = Kind::kCommitted;
  out.epoch = epoch;
  out.height = at;
  out.message = "the chain holds this epoch's attestation (from the quarantined row's transaction)";
  return std::optional<EpochOutcome>(std::move(out));
}

Result<int> EpochRunner::recover() {
  auto v = view();
  if (!v)
    return v.error();
  if (Status st = sweep_journal(*v); !st)
    return st.error();
  if (Status st = load_params(*v); !st)
    return st.error();
  auto rows = parts_.journal->unfinished();
  if (!rows)
    return rows.error();
  int changed = 0;
  for (const Entry& e : *rows) {
    if (e.state == State::kPrepared && e.epoch == v->epoch.epoch)
      continue;  // attest_current signs it
    auto r = resolve(e, *v);
    if (!r)
      return r.error();
    if (r->kind != Kind::kPending || !e.tx_bytes.empty())
      ++changed;
  }
  return changed;
}

Result<const attest::Verifier*> EpochRunner::verifier_for(const app::ChainParams& params) {
  if (verifier_ && trusted_simulated_roots_ == params.simulated_roots)
    return &*verifier_;
  auto trust = app::self_check_trust(params, setup_.hardware_mode);
  if (!trust)
    return trust.error();
  intermediates_ = std::move(trust->intermediates);
  auto made = attest::Verifier::create(std::move(trust->trust));
  if (!made)
    return made.error();
  verifier_.emplace(std::move(*made));
  trusted_simulated_roots_ = params.simulated_roots;
  return &*verifier_;
}

Result<Bytes> EpochRunner::vcek_for(const attest::Evidence& evidence, const attest::Report& report,
                                    attest::Product product) const {
  for (const auto& c : evidence.certs) {
    if (setup_.vcek_source == config::VcekSource::kAuto &&
        (c.kind == attest::CertKind::kVcek || c.kind == attest::CertKind::kVlek))
      return c.data;
  }
  return parts_.kds->vcek(product, report.chip_id, attest::decode_tcb(report.reported_tcb, product));
}

Result<EpochOutcome> EpochRunner::attest_current() {
  auto v = view();
  if (!v)
    return v.error();
  EpochOutcome out;
  out.epoch = v->epoch.epoch;
  const std::string& op = setup_.operator_address;
  if (Status st = sweep_journal(*v); !st)
    return st.error();

  auto row = parts_.journal->get(op, out.epoch);
  if (!row)
    return row.error();
  if (!*row) {
    auto settled = settle_quarantined(out.epoch);
    if (!settled)
      return settled.error();
    if (*settled)
      return std::move(**settled);
  }
  if (*row && is_terminal((*row)->state)) {
    out.kind = Kind::kAlreadyDone;
    out.txhash = (*row)->txhash;
    out.height = (*row)->height;
    out.message = std::string("journal: ") + state_name((*row)->state);
    return out;
  }
  // Past this point the epoch is not final: the pass needs the chain's params (window, self-check).
  if (*row && (*row)->state == State::kBroadcast) {
    if (Status st = load_params(*v); !st)
      return st.error();
    return resolve(**row, *v);
  }

  // 2. allowlist: fetched only when the chain's version is ahead of the local copy (DESIGN.md §2)
  const std::uint64_t chain_version = v->epoch.allowlist_version;
  if (parts_.allowlist->index()->version() < chain_version) {
    auto synced = allowlist::sync(*parts_.allowlist, *parts_.updates);
    if (!synced)
      return synced.error();
    out.allowlist_alarm = synced->alarm;
  }
  const auto index = parts_.allowlist->index();
  const std::uint64_t local = index->version();
  out.allowlist_version = local;
  if (local != chain_version && (chain_version == 0 || local + 1 != chain_version)) {
    out.kind = Kind::kAllowlistStale;
    out.message = "local allowlist version " + std::to_string(local) + ", the chain's " +
                  std::to_string(chain_version) +
                  (out.allowlist_alarm ? " (" + out.allowlist_alarm->message + ")" : "");
    return out;
  }

  // 3. the chain's Params and Relayer(operator), read on a second thread while this one gets the
  //    evidence: neither needs the other (the binding names this relayer whatever the chain says), and
  //    the chain client serializes its own calls. Leaving early joins the reads (std::async's future).
  auto chain_reads = std::async(std::launch::async, [this] { return params_and_relayer(); });
  Clock::time_point mark = v->nonce_read;
  lap(out.phases.chain, mark);

  // 4. evidence bound to the epoch
  app::BindingRequest b;
  b.chain_id = setup_.chain_id;
  b.epoch = out.epoch;
  b.nonce = v->epoch.nonce;
  b.operator_address = op;
  b.relayer = parts_.submitter->address();
  b.allowlist_version = local;
  auto binding = app::binding_report_data(b);
  if (!binding)
    return binding.error();
  auto evidence = parts_.evidence->get_report(*binding, setup_.vmpl);
  if (!evidence)
    return evidence.error();
  out.simulated = parts_.evidence->describe().simulated;
  auto report = attest::parse_report(evidence->report);
  if (!report)
    return report.error();
  out.reported_tcb = report->reported_tcb;
  out.guest_debug = attest::decode_policy(report->policy).debug;
  attest::Product product = setup_.product;
  if (report->has_cpuid()) {
    if (const auto p = attest::product_from_cpuid(report->cpuid_fam_id, report->cpuid_mod_id);
        p != attest::Product::kUnknown)
      product = p;
  }
  out.product = product;
  auto vcek = vcek_for(*evidence, *report, product);
  if (!vcek)
    return vcek.error();
  lap(out.phases.evidence, mark);

  auto reads = chain_reads.get();
  if (!reads)
    return reads.error();
  v->params = std::move(reads->params);
  if (reads->relayer != parts_.submitter->address()) {
    out.kind = Kind::kNotRegistered;
    out.message = "the chain's relayer for " + op + " is " +
                  (reads->relayer.empty() ? "not set" : reads->relayer) + ", not " +
                  parts_.submitter->address() + " (snprelay init registers it)";
    return out;
  }
  lap(out.phases.chain, mark);

  // 5. self-check
  auto verifier = verifier_for(v->params);
  if (!verifier)
    return verifier.error();
  std::vector<const X509*> inter;
  for (const auto& x : intermediates_)
    inter.push_back(x.get());
  app::SelfCheckRequest sc;
  sc.report = evidence->report;
  sc.vcek_der = *vcek;
  sc.report_data = *binding;
  sc.height = v->status.latest_block_height;
  auto at = app::parse_rfc3339("latest_block_time", v->status.latest_block_time);
  sc.at = at ? *at : static_cast<std::time_t>(parts_.now_unix());
  const app::SelfCheckResult checked = app::self_check(**verifier, inter, v->params, *index, sc);
  if (!checked.passed()) {
    out.kind = Kind::kSelfCheckFailed;
    out.code = checked.first_code();
    out.message = checked.failures.front().message;
    return out;
  }
  lap(out.phases.self_check, mark);

  // 6. journal, sign, broadcast
  if (!*row) {
    if (Status st = parts_.journal->prepare(op, out.epoch, parts_.now_unix()); !st)
      return st.error();
  }
  chain::tx::SubmitAttestation msg;
  msg.relayer = parts_.submitter->address();
  msg.operator_address = op;
  msg.epoch = out.epoch;
  msg.report = evidence->report;
  const auto digest = chain::crypto::sha256(*vcek);
  msg.vcek_sha256.assign(digest.begin(), digest.end());
  msg.vcek_der = std::move(*vcek);
  msg.allowlist_version = local;
  lap(out.phases.journal, mark);
  return submit(*v, std::move(out), msg, mark);
}

Result<EpochOutcome> EpochRunner::submit(const ChainView& v, EpochOutcome out,
                                         const chain::tx::SubmitAttestation& msg, Clock::time_point mark) {
  const std::string& op = setup_.operator_address;
  const std::uint64_t epoch = out.epoch;
  Journal& journal = *parts_.journal;
  std::chrono::microseconds written{0};  // the write-ahead rows' share of the submitter's time
  const chain::rpc::BeforeBroadcast write_ahead = [&](const chain::rpc::SignedAttempt& a) -> Status {
    Clock::time_point start = Clock::now();
    Status st = journal.record_broadcast(op, epoch, BroadcastRecord{a.hash, a.tx_raw, a.sequence},
                                         a.attempt > 0, parts_.now_unix());
    lap(written, start);
    return st;
  };
  auto sent =
      parts_.submitter->submit({chain::tx::make_msg_submit_attestation(msg)}, setup_.memo, write_ahead);
  if (!sent) {
    out.kind = Kind::kPending;  // the journal row says what reached the node; recover() resolves it
    out.message = sent.error().to_string();
    return sent.error();
  }
  if (!sent->simulation_error.empty())
    log_for("daemon")->warn("epoch {}: gas simulation failed ({}); signed with the fallback gas limit {}",
                            epoch, sent->simulation_error, sent->gas_limit);
  const auto& check = sent->check_tx;
  out.txhash = check.hash;
  if (check.code != 0 && check.code != 19) {
    out.kind = Kind::kRefused;
    out.code = refusal_code(check.codespace, check.code);
    out.message = "refused at CheckTx: " + check.log;
    if (Status st = journal.mark_failed(op, epoch, out.code + ": " + check.log, parts_.now_unix()); !st)
      return st.error();
    return out;
  }
  lap(out.phases.submit, mark);
  out.phases.write_ahead = written;
  out.phases.submit -= written;
  out.to_mempool = std::chrono::duration_cast<std::chrono::microseconds>(mark - v.nonce_read);
  sent_at_height_[check.hash] = v.status.latest_block_height;

  // 7. confirmation
  auto landed = parts_.submitter->wait_for(check.hash);
  if (!landed) {
    out.kind = Kind::kPending;
    out.message = landed.error().message;
    return out;
  }
  out.height = landed->height;
  if (landed->code == 0) {
    out.kind = Kind::kCommitted;
    if (Status st = journal.mark_committed(op, epoch, landed->height, parts_.now_unix()); !st)
      return st.error();
    return out;
  }
  auto row = journal.get(op, epoch);
  if (!row)
    return row.error();
  if (!*row)
    return make_error("daemon", "JOURNAL_TRANSITION",
                      "the journal row of epoch " + std::to_string(epoch) + " vanished");
  auto resolved = resolve(**row, v);  // a duplicate of an earlier submission of ours is committed
  if (!resolved)
    return resolved.error();
  resolved->code = refusal_code(landed->codespace, landed->code);
  if (resolved->message.empty())
    resolved->message = landed->log;
  return resolved;
}

}  // namespace snprelay::daemon
