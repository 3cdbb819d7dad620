// TxSubmitter's write-ahead hook (BeforeBroadcast) and rebroadcast(), in process: a ChainClient double
// that answers the Account query (protobuf built with fake_chain.hpp's encoder), records every byte
// string handed to broadcast_tx_sync and replies with scripted CheckTx results.
#include <gtest/gtest.h>

#include <deque>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "chain/tx/sign_direct.hpp"
#include "tests/integration/chain/fake_chain.hpp"

namespace snprelay::chain::rpc {
namespace {

constexpr std::uint64_t kAccountNumber = 4;

class RecordingClient final : public ChainClient {
 public:
  std::uint64_t sequence = 7;                     // what the Account query reports
  std::deque<Result<BroadcastResult>> check_txs;  // CheckTx answers in order; none left = admitted
  std::vector<Bytes> sent;                        // every tx_raw broadcast, in order
  int account_queries = 0;

  Result<NodeStatus> status() override { return NodeStatus{"testchain-1", "0.38.26", "n", 1, "", false}; }
  Result<AbciQueryResult> abci_query(const std::string& path, const Bytes&, std::int64_t) override {
    if (path != "/cosmos.auth.v1beta1.Query/Account")
      return make_error("rpc", "TRANSPORT", "unscripted query " + path, ErrorKind::kUnavailable);
    ++account_queries;
    std::string base;
    testing::pb_bytes(base, 1, "cosmos1x");
    testing::pb_uint(base, 3, kAccountNumber);
    testing::pb_uint(base, 4, sequence);
    std::string any;
    testing::pb_bytes(any, 1, "/cosmos.auth.v1beta1.BaseAccount");
    testing::pb_bytes(any, 2, base);
    std::string reply;
    testing::pb_bytes(reply, 1, any);
    return AbciQueryResult{0, "", "", Bytes(reply.begin(), reply.end()), 5};
  }
  Result<BroadcastResult> broadcast_tx_sync(const Bytes& tx_raw) override {
    sent.push_back(tx_raw);
    if (check_txs.empty())
      return BroadcastResult{0, "", "", tx::tx_hash(tx_raw)};
    auto r = check_txs.front();
    check_txs.pop_front();
    return r;
  }
  Result<std::optional<TxResult>> tx(const std::string&) override { return std::optional<TxResult>(); }
};

keys::AccountKey test_key() {
  auto key = keys::account_key_from_mnemonic(
      SecretBytes::from_string(
          "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling"),
      SecretBytes(), "m/44'/118'/0'/0/0");
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

SubmitterOptions no_simulation() {
  SubmitterOptions o;
  o.chain_id = "testchain-1";
  o.simulate_gas = false;
  o.default_gas = 120000;
  return o;
}

const std::vector<tx::AnyMessage> kMsgs = {{"/snpattest.v1.MsgSetRelayer", Bytes{0x0a, 0x01, 0x61}}};

// The node's CheckTx when our cached sequence 7 is behind its 9.
const BroadcastResult kSequenceMismatch{
    32, "sdk", "account sequence mismatch, expected 9, got 7: incorrect account sequence", ""};

// Collects what the hook saw; optionally fails on the n-th call.
struct Journal {
  std::vector<SignedAttempt> seen;
  int fail_on_call = -1;
  BeforeBroadcast hook() {
    return [this](const SignedAttempt& a) -> Status {
      seen.push_back(a);
      if (static_cast<int>(seen.size()) - 1 == fail_on_call)
        return make_error("daemon", "JOURNAL_WRITE", "disk full while recording " + a.hash);
      return ok_status();
    };
  }
};

std::uint64_t sequence_in(const Bytes& tx_raw) {
  auto decoded = tx::decode_tx_raw(tx_raw);
  EXPECT_TRUE(decoded.ok());
  return decoded.ok() && !decoded->sequences.empty() ? decoded->sequences[0] : ~0ULL;
}

TEST(TxSubmitterHook, HookSeesExactlyTheBytesThatAreBroadcast) {
  RecordingClient c;
  TxSubmitter s(c, test_key(), no_simulation());
  Journal j;
  auto out = s.submit(kMsgs, "epoch 12", j.hook());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  ASSERT_EQ(j.seen.size(), 1u);
  ASSERT_EQ(c.sent.size(), 1u);
  EXPECT_EQ(j.seen[0].tx_raw, c.sent[0]);
  EXPECT_EQ(j.seen[0].hash, tx::tx_hash(c.sent[0]));
  EXPECT_EQ(j.seen[0].hash, out->check_tx.hash);
  EXPECT_EQ(j.seen[0].account_number, kAccountNumber);
  EXPECT_EQ(j.seen[0].sequence, 7u);
  EXPECT_EQ(sequence_in(c.sent[0]), 7u);
  EXPECT_EQ(j.seen[0].gas_limit, 120000u);
  EXPECT_EQ(j.seen[0].gas_limit, out->gas_limit);
  EXPECT_EQ(j.seen[0].attempt, 0);
  EXPECT_EQ(s.cached_sequence(), 8u);
}

TEST(TxSubmitterHook, ResignAfterCode32CallsHookAgainWithTheNewBytes) {
  RecordingClient c;
  c.check_txs.push_back(kSequenceMismatch);
  TxSubmitter s(c, test_key(), no_simulation());
  Journal j;
  auto out = s.submit(kMsgs, "", j.hook());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->check_tx.code, 0u);
  ASSERT_EQ(j.seen.size(), 2u);
  ASSERT_EQ(c.sent.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(j.seen[i].tx_raw, c.sent[i]) << i;
    EXPECT_EQ(j.seen[i].attempt, static_cast<int>(i));
    EXPECT_EQ(sequence_in(c.sent[i]), j.seen[i].sequence) << i;
  }
  EXPECT_NE(j.seen[0].tx_raw, j.seen[1].tx_raw);
  EXPECT_NE(j.seen[0].hash, j.seen[1].hash);
  EXPECT_EQ(j.seen[0].sequence, 7u);
  EXPECT_EQ(j.seen[1].sequence, 9u);
  EXPECT_EQ(out->check_tx.hash, j.seen[1].hash);
  EXPECT_EQ(s.cached_sequence(), 10u);
}

TEST(TxSubmitterHook, HookErrorStopsTheBroadcastAndKeepsTheSequence) {
  RecordingClient c;
  TxSubmitter s(c, test_key(), no_simulation());
  Journal j;
  j.fail_on_call = 0;
  auto out = s.submit(kMsgs, "", j.hook());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().component, "daemon");
  EXPECT_EQ(out.error().code, "JOURNAL_WRITE");
  EXPECT_EQ(j.seen.size(), 1u);
  EXPECT_TRUE(c.sent.empty());
  EXPECT_EQ(s.cached_sequence(), 7u);

  // The next submit without a failing hook uses the same sequence: nothing was consumed.
  Journal ok;
  auto again = s.submit(kMsgs, "", ok.hook());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(c.sent.size(), 1u);
  EXPECT_EQ(sequence_in(c.sent[0]), 7u);
}

TEST(TxSubmitterHook, HookErrorOnTheResignStopsTheSecondBroadcast) {
  RecordingClient c;
  c.check_txs.push_back(kSequenceMismatch);
  TxSubmitter s(c, test_key(), no_simulation());
  Journal j;
  j.fail_on_call = 1;
  auto out = s.submit(kMsgs, "", j.hook());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "JOURNAL_WRITE");
  ASSERT_EQ(j.seen.size(), 2u);
  ASSERT_EQ(c.sent.size(), 1u);  // only the first signature left the process
  EXPECT_EQ(c.sent[0], j.seen[0].tx_raw);
}

TEST(TxSubmitterHook, RebroadcastSendsTheSameBytesAndMarksTheSequenceStale) {
  RecordingClient c;
  TxSubmitter s(c, test_key(), no_simulation());
  Journal j;
  ASSERT_TRUE(s.submit(kMsgs, "", j.hook()).ok());
  ASSERT_EQ(c.account_queries, 1);
  const Bytes recorded = j.seen.at(0).tx_raw;

  auto again = s.rebroadcast(recorded);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(c.sent.size(), 2u);
  EXPECT_EQ(c.sent[1], recorded);
  EXPECT_EQ(again->code, 0u);
  EXPECT_EQ(again->hash, j.seen[0].hash);
  EXPECT_EQ(s.cached_sequence(), 8u);  // untouched

  // The node already holds these bytes: admitted, reported like submit() does (sdk 19).
  c.check_txs.push_back(make_error("rpc", "MEMPOOL_DUPLICATE", "tx already exists in cache"));
  auto dup = s.rebroadcast(recorded);
  ASSERT_TRUE(dup.ok()) << dup.error().to_string();
  EXPECT_EQ(dup->code, 19u);
  EXPECT_EQ(dup->codespace, "sdk");
  EXPECT_EQ(dup->hash, j.seen[0].hash);
  EXPECT_EQ(c.sent.at(2), recorded);
  EXPECT_EQ(s.cached_sequence(), 8u);

  // A transport failure is an error, not a verdict.
  c.check_txs.push_back(
      make_error("rpc", "ALL_ENDPOINTS_FAILED", "no node answered", ErrorKind::kUnavailable));
  auto down = s.rebroadcast(recorded);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "ALL_ENDPOINTS_FAILED");

  // Stale after a rebroadcast: the next submit refetches the account first.
  c.sequence = 8;
  ASSERT_TRUE(s.submit(kMsgs, "").ok());
  EXPECT_EQ(c.account_queries, 2);
}

}  // namespace
}  // namespace snprelay::chain::rpc
