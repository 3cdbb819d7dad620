// The allowlist sync loop and the production chain source (see sync.hpp).
#include "allowlist/sync.hpp"

#include <algorithm>

#include "allowlist/codec.hpp"
#include "chain/rpc/types.hpp"

namespace snprelay::allowlist {
namespace {

Result<chain::rpc::AbciQueryResult> ask(chain::rpc::ChainClient& client, const char* path,
                                        const Bytes& request) {
  auto r = client.abci_query(path, request);
  if (!r)
    return r.error();
  if (r->code != 0)
    return make_error(
        "allowlist", "QUERY_FAILED",
        std::string(path) + " failed (" + r->codespace + " " + std::to_string(r->code) + "): " + r->log,
        ErrorKind::kUnavailable);
  return r;
}

Alarm alarm_of(const Error& e, std::uint64_t version) {
  return Alarm{e.code, version, e.message, {}, {}};
}

bool is_signature_refusal(const std::string& code) {
  return code == "BELOW_THRESHOLD" || code == "UNKNOWN_SIGNER";
}

}  // namespace

Result<std::vector<UpdateRecord>> ChainUpdateSource::updates(std::uint64_t from_version,
                                                             std::uint32_t limit) {
  auto r = ask(client_, kUpdatesQueryPath, encode_updates_request(from_version, limit));
  if (!r)
    return r.error();
  return decode_updates_response(r->value);
}

Result<std::optional<SignerSet>> ChainUpdateSource::signers() {
  auto r = ask(client_, kSignersQueryPath, {});
  if (!r)
    return r.error();
  auto set = decode_signers_response(r->value);
  if (!set)
    return set.error();
  return std::optional<SignerSet>(std::move(set.value()));
}

Result<SyncReport> sync(Store& store, UpdateSource& source, const SyncOptions& options) {
  SyncReport report;
  report.from_version = store.tip().version;
  report.to_version = report.from_version;
  auto chain_set = source.signers();
  if (!chain_set)
    return chain_set.error();
  if (chain_set->has_value()) {
    const SignerSet& c = **chain_set;
    auto key_map = [](const SignerSet& s) {
      std::vector<std::pair<std::string, Bytes>> v;
      for (const auto& k : s.signers)
        v.emplace_back(k.key_id, k.pubkey);
      std::sort(v.begin(), v.end());
      return v;
    };
    report.chain_signers_differ =
        c.threshold != store.signers().threshold || key_map(c) != key_map(store.signers());
  }
  const std::uint32_t limit = std::clamp<std::uint32_t>(options.page_limit, 2, 100);
  for (std::uint32_t page_no = 0; page_no < options.max_pages; ++page_no) {
    const std::uint64_t tip = store.tip().version;
    const std::uint64_t from = std::max<std::uint64_t>(1, tip);
    auto page = source.updates(from, limit);
    if (!page)
      return page.error();
    if (tip > 0 && (page->empty() || page->front().version > tip)) {
      report.alarm = Alarm{"ROLLBACK",
                           tip,
                           "the chain no longer serves version " + std::to_string(tip) +
                               " that this copy applied; the copy is kept",
                           store.tip().hash,
                           {}};
      return report;
    }
    bool progressed = false;
    std::uint64_t expect = from;
    for (const auto& rec : *page) {
      if (rec.version != expect) {
        // Out of order, repeated or skipped inside a page: refuse before anything is applied past it.
        const bool lower = rec.version < expect;
        report.alarm = Alarm{lower ? "ROLLBACK" : "GAP",
                             rec.version,
                             "the chain served version " + std::to_string(rec.version) + " where version " +
                                 std::to_string(expect) + " was due",
                             {},
                             {}};
        return report;
      }
      ++expect;
      if (rec.version <= store.tip().version) {
        auto stored = store.record(rec.version);
        if (!stored)
          return stored.error();
        const UpdateHash served = update_hash(rec.update_bytes);
        const UpdateHash have = stored->has_value() ? update_hash((*stored)->update_bytes) : UpdateHash{};
        if (served != have) {
          report.alarm = Alarm{"FORK", rec.version,
                               "the chain serves another update as version " + std::to_string(rec.version) +
                                   " (sha256 " + to_hex(served) + ") than the one applied here (sha256 " +
                                   to_hex(have) + "); the applied copy is kept",
                               have, served};
          return report;
        }
        continue;
      }
      auto applied = store.apply(rec);
      if (!applied) {
        const Error& e = applied.error();
        if (e.kind != ErrorKind::kRejected)
          return e;  // the database failed: an Error, not a verdict on the update
        report.alarm = alarm_of(e, rec.version);
        if (report.chain_signers_differ && is_signature_refusal(e.code)) {
          report.alarm->code = "SIGNER_SET_MISMATCH";
          report.alarm->message =
              "the chain's allowlist signer set differs from the pinned one: " + e.message;
        }
        return report;
      }
      ++report.applied;
      report.to_version = store.tip().version;
      progressed = true;
    }
    if (!progressed)
      break;
  }
  return report;
}

}  // namespace snprelay::allowlist
