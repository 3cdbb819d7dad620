// Fault matrix, the allowlist as a lying node serves it. The daemon's only RPC endpoint is a proxy
// (tests/integration/rpc_proxy.hpp) in front of the devnet's node that rewrites the node's answers to
// Query/AllowlistUpdates; everything else passes unchanged. Governance then publishes a new version on
// the real chain (submitted to the node directly, two of three signers), so the daemon must sync, and
// the proxy serves it:
//   * forged — the new version with one more measurement slipped into its update bytes, the governance
//     signatures kept (they no longer verify);
//   * rollback — a page that no longer holds the daemon's applied version (an empty page: a node
//     reset to older state);
//   * fork — the daemon's applied version with other bytes (another memo) beside the real new one.
// What must hold (allowlist/sync.hpp): the update is refused with its named alarm (health degraded
// "allowlist <CODE>: ...", snprelay_allowlist_alarms_total), the local copy stays at the last good
// version, and the daemon keeps attesting against it (one version behind the chain is allowed, DESIGN.md
// §2); once the proxy stops lying the next pass applies the real version and the next attestation is
// made against it. Recovery is measured from the fault's end to that attestation's commit.
#include <gtest/gtest.h>

#include <functional>

#include "allowlist/codec.hpp"
#include "common/base64.hpp"
#include "tests/integration/faults/proxied_case.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Records = std::vector<allowlist::UpdateRecord>;

class AllowlistFaults : public ProxiedFaultCase {
 protected:
  // From now on the proxy passes the records of every AllowlistUpdates answer through `lie`.
  void lie_about_updates(std::function<Records(Records)> lie) {
    proxy_->rewrite(
        "abci_query", [lie = std::move(lie)](const std::string& request, const std::string& reply) {
          if (request.find("/snpattest.v1.Query/AllowlistUpdates") == std::string::npos)
            return reply;
          json doc = json::parse(reply, nullptr, false);
          if (doc.is_discarded() || !doc.contains("result"))
            return reply;
          json& response = doc["result"]["response"];
          const auto bytes = decode_base64(response.value("value", ""));
          if (!bytes)
            return reply;
          auto records = allowlist::decode_updates_response(*bytes);
          if (!records)
            return reply;
          response["value"] = encode_base64(allowlist::encode_updates_response(lie(std::move(*records))));
          return doc.dump();
        });
  }

  // `record` with its update bytes changed by `change` (the signatures kept as they were).
  static allowlist::UpdateRecord altered(allowlist::UpdateRecord record,
                                         const std::function<void(allowlist::Update&)>& change) {
    auto update = allowlist::decode_update(record.update_bytes);
    if (!update)
      return record;
    change(*update);
    record.update_bytes = allowlist::encode_update(*update);
    return record;
  }

  [[nodiscard]] json health() const { return api_json(setup_.api("/health/enclave")); }
  // The first degraded reason starting with "allowlist CODE", "" when there is none.
  [[nodiscard]] std::string alarm(const std::string& code) const {
    for (const auto& r : health().value("degraded_reasons", json::array()))
      if (r.is_string() && r.get<std::string>().starts_with("allowlist " + code))
        return r.get<std::string>();
    return "";
  }
  // The allowlist version the on-chain attestation of `epoch` was made against (-1 when none).
  [[nodiscard]] int attested_version(std::uint64_t epoch) const {
    return query_snpattest({"attestation", setup_.operator_address, std::to_string(epoch)}, node(),
                           setup_.keyring)
        .value("allowlist_version", -1);
  }

  // One case: the daemon runs through the proxy with the chain at version v; `lie` is switched on,
  // governance publishes v + 1, the daemon must raise `code` and keep attesting against v; the lie
  // ends and v + 1 is applied.
  void lie_is_refused(const std::string& code, std::function<Records(Records)> lie,
                      const std::string& fault) {
    configure({proxy_->url()});
    ASSERT_FALSE(HasFailure());
    const std::uint64_t epoch = fresh_epoch();
    start();
    const std::uint64_t first = committed_above(epoch - 1, seconds(30));
    ASSERT_GT(first, 0u) << logs();
    const int good = health().value("allowlist_version", 0);
    ASSERT_GT(good, 0);

    lie_about_updates(std::move(lie));
    const int published = apply_allowlist_update(node(), setup_.keyring, dir_.path().string(),
                                                 {"--add", hex_measurement(good) + ":fault " + code}, code);
    ASSERT_EQ(published, good + 1);
    const auto published_at = Clock::now();

    // The alarm, named; the copy stays at `good`; and an epoch still lands, attested against `good`.
    std::string said;
    while (Clock::now() < published_at + seconds(30) && (said = alarm(code)).empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_FALSE(said.empty()) << "no \"allowlist " << code << "\" alarm within 30 s\n" << logs();
    EXPECT_EQ(health().value("allowlist_version", 0), good);
    EXPECT_EQ(health().value("status", ""), "degraded");
    const std::uint64_t after_lie = committed_above(first, seconds(30));
    ASSERT_GT(after_lie, first) << "no attestation while the node lies\n" << logs();
    const std::uint64_t during = committed_above(std::max(after_lie, current_epoch()) - 1, seconds(30));
    ASSERT_GT(during, 0u) << logs();
    EXPECT_EQ(attested_version(during), good) << "epoch " << during;
    EXPECT_FALSE(alarm(code).empty()) << "the alarm did not persist while the node lies";

    // The node stops lying: v + 1 is applied and the next attestation is made against it.
    proxy_->clear_faults();
    const auto honest = Clock::now();
    std::uint64_t landed = during;
    Clock::time_point at;
    while (Clock::now() < honest + seconds(40)) {
      landed = committed_above(landed, seconds(40), &at);
      if (landed == 0 || attested_version(landed) == published)
        break;
    }
    ASSERT_GT(landed, 0u) << logs();
    EXPECT_EQ(attested_version(landed), published) << logs();
    EXPECT_EQ(health().value("allowlist_version", 0), published);
    EXPECT_TRUE(alarm(code).empty());
    EXPECT_FALSE(daemon_->exited());
    EXPECT_GT(expect_one_submission_per_epoch(), 2);
    report(
        fault,
        "refused with the named alarm (health degraded: \"" + said.substr(0, 110) +
            (said.size() > 110 ? "..." : "") + "\"); the local copy stays at version " +
            std::to_string(good) +
            " and the epochs keep landing attested against it (one version behind is allowed); once the node "
            "is honest the next pass applies version " +
            std::to_string(published) + " and the next attestation uses it",
        "nothing (the copy is kept at the last good version)", seconds_between(honest, at),
        epochs_missed(first, landed));
  }

  // A measurement (96 hex digits) no earlier case added: derived from the version it is added at.
  static std::string hex_measurement(int version) {
    const char digit = "0123456789abcdef"[version % 16];
    return std::string(94, 'c') + std::string(2, digit);
  }
};

TEST_F(AllowlistFaults, ForgedUpdateIsRefusedAndTheCopyKept) {
  lie_is_refused(
      "BELOW_THRESHOLD",
      [](Records records) {
        if (records.size() > 1)  // the page is {the applied version, the new one}: the new one is forged
          records.back() = altered(records.back(), [](allowlist::Update& u) {
            allowlist::Entry slipped;
            slipped.measurement.assign(48, 0xEE);
            slipped.label = "slipped in";
            u.add.push_back(slipped);
          });
        return records;
      },
      "allowlist forged (a measurement slipped into the new version, its signatures kept)");
}

TEST_F(AllowlistFaults, RollbackIsRefusedAndTheCopyKept) {
  lie_is_refused(
      "ROLLBACK", [](const Records&) { return Records{}; },
      "allowlist rollback (the node's page no longer holds the applied version)");
}

TEST_F(AllowlistFaults, ForkIsRefusedAndTheCopyKept) {
  lie_is_refused(
      "FORK",
      [](Records records) {
        if (!records.empty())
          records.front() = altered(records.front(), [](allowlist::Update& u) { u.memo += " (forked)"; });
        return records;
      },
      "allowlist fork (the applied version served with other bytes)");
}

}  // namespace
}  // namespace snprelay::testing
