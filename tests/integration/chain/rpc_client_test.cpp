// The CometBFT RPC client and TxSubmitter against SCRIPTED nodes on loopback, for the faults a real
// node cannot be made to show on demand: status/health verdicts, a CheckTx rejection that must not be
// failed over, each JSON-RPC mempool string error, a dead first endpoint, a slow reply hitting the
// per-request timeout, periodic resync and a simulation that is ahead of the cache. Broadcast and
// confirm, tx/tx_search, account not found and the code-32 resync run against a real devnet node in
// tests/integration/onchain/devnet_client_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <memory>
#include <thread>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "tests/integration/chain/fake_chain.hpp"
#include "tests/integration/chain/fake_node.hpp"

namespace snprelay::chain {
namespace {

using namespace std::chrono_literals;
using testing::FakeNode;
using testing::FakeReply;
using testing::ok_result;
using testing::rpc_error;

// Protobuf and base64 helpers for building reply values by hand come from fake_chain.hpp.
using testing::b64_encode;
using testing::pb_bytes;
using testing::pb_uint;

std::string account_value(const std::string& address, std::uint64_t number, std::uint64_t sequence) {
  std::string base;
  pb_bytes(base, 1, address);
  pb_uint(base, 3, number);
  pb_uint(base, 4, sequence);
  std::string any;
  pb_bytes(any, 1, "/cosmos.auth.v1beta1.BaseAccount");
  pb_bytes(any, 2, base);
  std::string resp;
  pb_bytes(resp, 1, any);
  return resp;
}
std::string abci_reply(int code, const std::string& log, const std::string& value) {
  return ok_result({{"response",
                     {{"code", code},
                      {"log", log},
                      {"codespace", code ? "sdk" : ""},
                      {"value", b64_encode(value)},
                      {"height", "1234"}}}});
}
std::string now_rfc3339() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
  return buf;
}

keys::AccountKey test_key() {
  auto key = keys::account_key_from_mnemonic(
      SecretBytes::from_string(
          "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling"),
      SecretBytes(), "m/44'/118'/0'/0/0");
  return std::move(*key);
}

std::shared_ptr<rpc::HttpTransport> curl() {
  return std::make_shared<rpc::CurlTransport>();
}

TEST(RpcClient, StatusAndHealth) {
  FakeNode node([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), false)};
  });
  FakeNode syncing([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), true)};
  });
  FakeNode other([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("otherchain", now_rfc3339(), false)};
  });
  rpc::CometClient client({node.url(), syncing.url(), other.url(), "http://127.0.0.1:1"}, curl(), 2s);
  auto st = client.status();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->network, "testchain-1");
  EXPECT_EQ(st->latest_block_height, 1234);
  const auto health = client.check_health("testchain-1", 60s);
  ASSERT_EQ(health.size(), 4u);
  EXPECT_TRUE(health[0].healthy);
  EXPECT_FALSE(health[1].healthy);
  EXPECT_EQ(health[1].reason, "catching up");
  EXPECT_FALSE(health[2].healthy);
  EXPECT_FALSE(health[3].reachable);
}

TEST(RpcClient, CheckTxRejectionKeepsSequenceAndIsNotFailedOver) {
  const auto key = test_key();
  const std::string addr = *keys::bech32_address(key.public_key, "cosmos");
  FakeNode first([&](const std::string& method, const nlohmann::json&) {
    if (method == "abci_query")
      return FakeReply{abci_reply(0, "", account_value(addr, 3, 5))};
    return FakeReply{
        ok_result({{"code", 13},
                   {"codespace", "sdk"},
                   {"hash", "AB"},
                   {"log", "insufficient fees; got: 1ustake required: 5ustake: insufficient fee"}})};
  });
  FakeNode second([](const std::string&, const nlohmann::json&) { return FakeReply{ok_result({})}; });
  rpc::CometClient client({first.url(), second.url()}, curl(), 2s);
  rpc::SubmitterOptions opts;
  opts.chain_id = "testchain-1";
  opts.simulate_gas = false;
  opts.fixed_fees = {{"ustake", "1"}};
  rpc::TxSubmitter submitter(client, test_key(), opts);
  auto out = submitter.submit({tx::make_msg_send(addr, addr, {{"ustake", "1"}})}, "");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->check_tx.code, 13u);
  EXPECT_EQ(submitter.cached_sequence(), 5u);
  EXPECT_TRUE(second.requests().empty());
}

TEST(RpcClient, MempoolStringErrorsAreRecognised) {
  struct Case {
    std::string message;
    std::string code;
  };
  for (const auto& c : {Case{"tx already exists in cache", "MEMPOOL_DUPLICATE"},
                        Case{"mempool is full: number of txs 5000 (max: 5000)", "MEMPOOL_FULL"},
                        Case{"Tx too large. Max size is 1048576, but got 2000000", "TX_TOO_LARGE"}}) {
    FakeNode node([&](const std::string&, const nlohmann::json&) {
      return FakeReply{rpc_error("Internal error", c.message)};
    });
    rpc::CometClient client({node.url()}, curl(), 2s);
    auto r = client.broadcast_tx_sync(Bytes{1, 2, 3});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code) << c.message;
  }
}

// A full mempool is the node's capacity, not a verdict on the tx: the same bytes go to the next endpoint,
// which takes them; with every node full the refusal is MEMPOOL_FULL (not ALL_ENDPOINTS_FAILED).
TEST(RpcClient, FullMempoolFailsOverWithTheSameBytes) {
  const std::string full = "error on broadcastTxSync: mempool is full: number of txs 5000 (max: 5000)";
  FakeNode first([&](const std::string&, const nlohmann::json&) {
    return FakeReply{rpc_error("Internal error", full)};
  });
  FakeNode second([](const std::string&, const nlohmann::json&) {
    return FakeReply{ok_result({{"code", 0}, {"codespace", ""}, {"hash", "CAFE"}, {"log", ""}})};
  });
  rpc::CometClient client({first.url(), second.url()}, curl(), 2s);
  auto r = client.broadcast_tx_sync(Bytes{1, 2, 3});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->hash, "CAFE");
  ASSERT_EQ(first.requests().size(), 1u);
  ASSERT_EQ(second.requests().size(), 1u);
  EXPECT_EQ(second.requests()[0]["params"], first.requests()[0]["params"]);
  EXPECT_EQ(client.current_endpoint(), second.url());
  EXPECT_EQ(client.failovers(), 1u);

  rpc::CometClient both({first.url(), first.url()}, curl(), 2s);
  auto refused = both.broadcast_tx_sync(Bytes{1, 2, 3});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "MEMPOOL_FULL") << refused.error().to_string();
  EXPECT_EQ(both.current_endpoint(), first.url());
  rpc::CometClient full_then_dead({first.url(), "http://127.0.0.1:1"}, curl(), 2s);
  auto still = full_then_dead.broadcast_tx_sync(Bytes{1, 2, 3});
  ASSERT_FALSE(still.ok());
  EXPECT_EQ(still.error().code, "MEMPOOL_FULL") << still.error().to_string();
}

TEST(RpcClient, DeadFirstEndpointFailsOverToSecond) {
  FakeNode node([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), false)};
  });
  rpc::CometClient client({"http://127.0.0.1:1", node.url()}, curl(), 2s);
  auto st = client.status();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(client.current_endpoint(), node.url());
  rpc::CometClient dead({"http://127.0.0.1:1"}, curl(), 2s);
  auto failed = dead.status();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "ALL_ENDPOINTS_FAILED");
}

// "[chain] rpc endpoints fail over in order and come back when healthy" (issue 13).
TEST(RpcClient, FirstEndpointIsUsedAgainOnceItIsHealthy) {
  std::atomic<bool> first_down{true};
  FakeNode first([&](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), false),
                     first_down ? std::chrono::milliseconds(1500) : std::chrono::milliseconds(0)};
  });
  FakeNode second([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), false)};
  });
  rpc::CometClient client({first.url(), second.url()}, curl(), 300ms);
  client.set_recheck_interval(200ms);
  ASSERT_TRUE(client.status().ok());
  EXPECT_EQ(client.current_endpoint(), second.url());
  EXPECT_EQ(client.failovers(), 1u);
  ASSERT_TRUE(client.status().ok());  // within the interval: the second, without trying the first
  EXPECT_EQ(client.current_endpoint(), second.url());
  std::this_thread::sleep_for(250ms);
  ASSERT_TRUE(client.status().ok());  // rechecked, still down: the second answers, no new failover
  EXPECT_EQ(client.current_endpoint(), second.url());
  EXPECT_EQ(client.failovers(), 1u);
  first_down = false;
  std::this_thread::sleep_for(250ms);
  ASSERT_TRUE(client.status().ok());
  EXPECT_EQ(client.current_endpoint(), first.url()) << "the first endpoint came back";
  EXPECT_EQ(client.failovers(), 1u);
}

TEST(RpcClient, SlowReplyHitsTimeout) {
  FakeNode slow([](const std::string&, const nlohmann::json&) {
    return FakeReply{testing::status_reply("testchain-1", now_rfc3339(), false), 1500ms};
  });
  rpc::CometClient client({slow.url()}, curl(), 300ms);
  const auto start = std::chrono::steady_clock::now();
  auto st = client.status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("TIMEOUT"), std::string::npos) << st.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
}

TEST(RpcClient, GasPriceFeeRoundsUp) {
  EXPECT_EQ(rpc::fee_for_gas("0.025ustake", 200001)->amount, "5001");
  EXPECT_EQ(rpc::fee_for_gas("1ustake", 7)->amount, "7");
  EXPECT_FALSE(rpc::fee_for_gas("ustake", 7).ok());
  EXPECT_EQ(rpc::parse_expected_sequence(
                "account sequence mismatch, expected 12, got 7: incorrect account sequence"),
            12u);
  EXPECT_FALSE(rpc::parse_expected_sequence("signature verification failed").has_value());
}

TEST(TxSubmitter, PeriodicAndAfterRejectionResync) {
  testing::FakeChain chain("testchain-1");
  const auto key = test_key();
  const std::string addr = *keys::bech32_address(key.public_key, "cosmos");
  chain.set_account(addr, {3, 0, std::nullopt, {}});
  rpc::CometClient client({chain.url()}, curl(), 2s);
  rpc::SubmitterOptions opts;
  opts.chain_id = "testchain-1";
  opts.simulate_gas = false;
  opts.resync_interval = 300ms;
  rpc::TxSubmitter submitter(client, test_key(), opts);
  auto count_account_queries = [&] {
    const auto paths = chain.abci_paths();
    return std::count(paths.begin(), paths.end(), "/cosmos.auth.v1beta1.Query/Account");
  };
  const auto msg = tx::make_msg_send(addr, addr, {{"ustake", "1"}});
  ASSERT_EQ(submitter.submit({msg}, "")->check_tx.code, 0u);
  ASSERT_EQ(submitter.submit({msg}, "")->check_tx.code, 0u);
  EXPECT_EQ(count_account_queries(), 1);  // cached between transactions
  EXPECT_EQ(submitter.cached_sequence(), 2u);
  std::this_thread::sleep_for(350ms);
  ASSERT_EQ(submitter.submit({msg}, "")->check_tx.code, 0u);
  EXPECT_EQ(count_account_queries(), 2);  // the cache expired: refetched before signing
  // An unexplained rejection marks the cache stale: the next submit refetches, even within the interval.
  chain.reject_with(13, "insufficient fees; got: 0 required: 1ustake: insufficient fee");
  ASSERT_EQ(submitter.submit({msg}, "")->check_tx.code, 13u);
  EXPECT_EQ(submitter.cached_sequence(), 3u);  // not consumed
  chain.reject_with(0, "");
  ASSERT_EQ(submitter.submit({msg}, "")->check_tx.code, 0u);
  EXPECT_EQ(count_account_queries(), 3);
  EXPECT_EQ(chain.account(addr).sequence, 4u);
}

TEST(TxSubmitter, SimulationMismatchAheadIsAdoptedBeforeSigning) {
  testing::FakeChain chain("testchain-1");
  const auto key = test_key();
  const std::string addr = *keys::bech32_address(key.public_key, "cosmos");
  chain.set_account(addr, {3, 9, 5, {}});
  chain.fail_simulation_with_sequence(true);
  rpc::CometClient client({chain.url()}, curl(), 2s);
  rpc::SubmitterOptions opts;
  opts.chain_id = "testchain-1";
  opts.default_gas = 150000;
  rpc::TxSubmitter submitter(client, test_key(), opts);
  auto out = submitter.submit({tx::make_msg_send(addr, addr, {{"ustake", "1"}})}, "");
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->check_tx.code, 0u);
  EXPECT_EQ(out->sequence_used, 9u);
  EXPECT_EQ(out->resyncs, 1);
  ASSERT_EQ(chain.broadcasts().size(), 1u);  // the stale sequence 5 was never broadcast
}

TEST(TxSubmitter, ASimulationServesTheSameShapeUntilATxRunsOutOfGasAndOnlyWhenAsked) {
  testing::FakeChain chain("testchain-1");
  const auto key = test_key();
  const std::string addr = *keys::bech32_address(key.public_key, "cosmos");
  chain.set_account(addr, {3, 0, std::nullopt, {}});
  chain.set_simulated_gas(100'000);
  rpc::CometClient client({chain.url()}, curl(), 2s);
  rpc::SubmitterOptions opts;
  opts.chain_id = "testchain-1";
  opts.gas_adjustment = 1.5;
  opts.simulation_reuse = 10min;
  opts.poll_interval = 10ms;
  rpc::TxSubmitter submitter(client, test_key(), opts);
  auto simulations = [&] {
    const auto paths = chain.abci_paths();
    return std::count(paths.begin(), paths.end(), "/cosmos.tx.v1beta1.Service/Simulate");
  };
  const auto msg = tx::make_msg_send(addr, addr, {{"ustake", "1"}});

  auto first = submitter.submit({msg}, "epoch");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_FALSE(first->simulation_reused);
  EXPECT_EQ(first->gas_limit, 150'000u);
  auto second = submitter.submit({msg}, "epoch");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_TRUE(second->simulation_reused);
  EXPECT_EQ(second->gas_limit, 150'000u);
  EXPECT_EQ(simulations(), 1);
  // Another shape (a longer memo is more bytes to pay for) is simulated on its own.
  ASSERT_FALSE(submitter.submit({msg}, "a longer memo")->simulation_reused);
  EXPECT_EQ(simulations(), 2);
  // A tx of ours found out of gas drops every estimate: the next one is simulated again.
  chain.set_simulated_gas(120'000);
  chain.deliver_out_of_gas(true);
  auto landed = submitter.wait_for(second->check_tx.hash);
  ASSERT_TRUE(landed.ok()) << landed.error().to_string();
  EXPECT_EQ(landed->code, 11u);
  auto third = submitter.submit({msg}, "epoch");
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_FALSE(third->simulation_reused);
  EXPECT_EQ(third->gas_limit, 180'000u);
  EXPECT_EQ(simulations(), 3);
  EXPECT_EQ(chain.broadcasts().size(), 4u);

  // simulation_reuse 0 (the default, one-shot commands): every transaction is simulated.
  chain.deliver_out_of_gas(false);
  opts.simulation_reuse = 0ms;
  rpc::TxSubmitter each(client, test_key(), opts);
  ASSERT_FALSE(each.submit({msg}, "epoch")->simulation_reused);
  ASSERT_FALSE(each.submit({msg}, "epoch")->simulation_reused);
  EXPECT_EQ(simulations(), 5);
}

}  // namespace
}  // namespace snprelay::chain
