// Sync from a scripted chain: in order, paged, resumable; gaps, rollbacks, forks, wrong chain, expired
// and foreign signer sets refused with a named alarm and the copy kept. Also the production source
// over a scripted ChainClient (real protobuf bytes, no network).
#include "allowlist/sync.hpp"

#include <gtest/gtest.h>

#include "chain/rpc/types.hpp"
#include "tests/unit/allowlist/fixtures.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

struct Fixture {
  snprelay::testing::TempDir dir;
  Store store = Store::open(dir.file("a.db"), kChainId, gov_set()).value();
  ScriptedSource source;
};

TEST(AllowlistSync, AppliesEveryPageInOrderThenIsIdle) {
  Fixture f;
  f.source.records = chain_of(25);
  f.source.chain_signers = gov_set();
  auto r = sync(f.store, f.source, SyncOptions{7, 1000});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->alarm.has_value()) << r->alarm->message;
  EXPECT_EQ(r->applied, 25u);
  EXPECT_EQ(r->to_version, 25u);
  EXPECT_FALSE(r->chain_signers_differ);
  // Incremental: the next sync asks from the tip and applies only what is new.
  auto again = sync(f.store, f.source);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied, 0u);
  EXPECT_FALSE(again->alarm.has_value());
  auto more = chain_of(27);
  f.source.records = more;
  auto next = sync(f.store, f.source);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->applied, 2u);
  EXPECT_EQ(f.store.tip().version, 27u);
}

TEST(AllowlistSync, OutageKeepsWhatWasAppliedAndResumes) {
  Fixture f;
  f.source.records = chain_of(10);
  f.source.fail_after_calls = 2;  // two pages of 3, then the node is gone
  auto r = sync(f.store, f.source, SyncOptions{3, 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  const auto partial = f.store.tip().version;
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, 10u);
  f.source.fail_after_calls = -1;
  auto resumed = sync(f.store, f.source, SyncOptions{3, 1000});
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(f.store.tip().version, 10u);
  EXPECT_EQ(resumed->applied, 10u - partial);
}

TEST(AllowlistSync, RefusalsRaiseNamedAlarmsAndKeepTheCopy) {
  const auto good = chain_of(4);
  struct Case {
    const char* name;
    std::uint64_t preload;  // versions applied before the sync
    std::vector<UpdateRecord> served;
    const char* code;
    std::uint64_t version;
  };
  auto with = [&](std::vector<UpdateRecord> rs, std::size_t i, UpdateRecord r) {
    rs[i] = std::move(r);
    return rs;
  };
  Update other3 = update(3, good[1].update_bytes, {entry(0x77, "fork")});
  Update wrong_chain = update(3, good[1].update_bytes);
  wrong_chain.chain_id = "snp-other-1";
  Update expired = update(3, good[1].update_bytes);
  expired.valid_until_height = 5;
  const std::vector<UpdateRecord> head2(good.begin(), good.begin() + 2);
  auto gap = good;
  gap.erase(gap.begin() + 2);
  const Case cases[] = {
      {"fork at an applied version", 3, with(good, 2, record(other3, {0, 1}, 30)), "FORK", 3},
      {"rollback: the chain lost our tip", 3, head2, "ROLLBACK", 3},
      {"gap in the served pages", 2, gap, "GAP", 4},
      {"wrong chain", 2, with(good, 2, record(wrong_chain, {0, 1}, 30)), "WRONG_CHAIN", 3},
      {"expired when applied", 2, with(good, 2, record(expired, {0, 1}, 30)), "EXPIRED", 3},
      {"one signature", 2, with(good, 2, record(update(3, good[1].update_bytes), {1}, 30)), "BELOW_THRESHOLD",
       3},
  };
  for (const auto& c : cases) {
    Fixture f;
    for (std::uint64_t i = 0; i < c.preload; ++i)
      ASSERT_TRUE(f.store.apply(good[i]).ok());
    const auto tip_before = f.store.tip();
    f.source.records = c.served;
    auto r = sync(f.store, f.source);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().to_string();
    ASSERT_TRUE(r->alarm.has_value()) << c.name;
    EXPECT_EQ(r->alarm->code, c.code) << c.name << ": " << r->alarm->message;
    EXPECT_EQ(r->alarm->version, c.version) << c.name;
    EXPECT_EQ(f.store.tip().version, tip_before.version) << c.name;
    EXPECT_EQ(f.store.tip().hash, tip_before.hash) << c.name;
    if (std::string(c.code) == "FORK") {
      EXPECT_EQ(r->alarm->stored_hash, update_hash(good[2].update_bytes));
      EXPECT_NE(r->alarm->served_hash, r->alarm->stored_hash);
      auto kept = f.store.record(3);
      EXPECT_EQ(**kept, good[2]);
    }
  }
}

TEST(AllowlistSync, ForeignSignerSetIsNamed) {
  Fixture f;
  // The chain rotated to keys the relayer never pinned: gov-0 plus two strangers with the same ids.
  SignerSet rotated{{gov_key(0), {"gov-1", *from_hex("02" + std::string(62, 'a'))}, gov_key(2)}, 2};
  rotated.signers[1].pubkey = gov_key(2).pubkey;  // a real point, but not gov-1's key
  f.source.chain_signers = rotated;
  const Update u = update(1, {});
  UpdateRecord r = record(u, {2});
  Signature s = sign(r.update_bytes, 2);
  s.key_id = "gov-1";  // signed by the key the chain now calls gov-1
  r.signatures.push_back(s);
  f.source.records = {r};
  auto out = sync(f.store, f.source);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->chain_signers_differ);
  ASSERT_TRUE(out->alarm.has_value());
  EXPECT_EQ(out->alarm->code, "SIGNER_SET_MISMATCH");
  EXPECT_NE(out->alarm->message.find("1 of 2 required signatures"), std::string::npos) << out->alarm->message;
  EXPECT_EQ(f.store.tip().version, 0u);
}

// A ChainClient that answers abci_query from a ScriptedSource through the real protobuf codecs.
class ScriptedClient final : public chain::rpc::ChainClient {
 public:
  ScriptedSource* source = nullptr;
  std::vector<std::string> paths;
  std::uint32_t code = 0;
  Result<chain::rpc::NodeStatus> status() override { return chain::rpc::NodeStatus{}; }
  Result<chain::rpc::AbciQueryResult> abci_query(const std::string& path, const Bytes& data,
                                                 std::int64_t) override {
    paths.push_back(path);
    chain::rpc::AbciQueryResult r;
    r.code = code;
    if (code != 0) {
      r.codespace = "sdk";
      r.log = "scripted failure";
      return r;
    }
    if (path == kSignersQueryPath) {
      r.value = encode_signers_response(*source->chain_signers);
      return r;
    }
    // QueryAllowlistUpdatesRequest: field 1 from_version, field 2 limit, each a one-byte varint here.
    std::uint64_t from = data.size() >= 2 ? data[1] : 0;
    std::uint32_t limit = data.size() >= 4 ? data[3] : 0;
    r.value = encode_updates_response(*source->updates(from, limit));
    return r;
  }
  Result<chain::rpc::BroadcastResult> broadcast_tx_sync(const Bytes&) override {
    return make_error("test", "UNUSED", "");
  }
  Result<std::optional<chain::rpc::TxResult>> tx(const std::string&) override {
    return make_error("test", "UNUSED", "");
  }
};

TEST(AllowlistChainSource, QueriesTheSnpattestPathsWithRealProtobuf) {
  Fixture f;
  f.source.records = chain_of(12);
  f.source.chain_signers = gov_set();
  ScriptedClient client;
  client.source = &f.source;
  ChainUpdateSource chain(client);
  auto r = sync(f.store, chain, SyncOptions{5, 100});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->alarm.has_value());
  EXPECT_EQ(f.store.tip().version, 12u);
  ASSERT_FALSE(client.paths.empty());
  EXPECT_EQ(client.paths.front(), "/snpattest.v1.Query/AllowlistSigners");
  EXPECT_EQ(client.paths.back(), "/snpattest.v1.Query/AllowlistUpdates");
  client.code = 18;
  auto failed = chain.updates(1, 10);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "QUERY_FAILED");
  EXPECT_NE(failed.error().message.find("sdk 18"), std::string::npos);
}

}  // namespace
}  // namespace snprelay::allowlist
