// The chain/ client against a real devnet node (what the fake chain used to stand in for): broadcast and
// confirm, tx_search, CheckTx sequence mismatch (sdk 32) with the expected sequence in the log,
// insufficient fee (sdk 13), a TxSubmitter that recovers from another writer's sequence by itself, the
// CLI's default fee from the node's minimum gas price, and --node failover past a dead endpoint.
#include <gtest/gtest.h>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/secret_input.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "tests/integration/onchain/onchain_env.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;
namespace rpc = chain::rpc;

class DevnetClient : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    const json& accounts = OnchainEnv::devnet().info().at("accounts");
    ASSERT_GE(accounts.size(), 2u);
    client_ = client_for(OnchainEnv::devnet().rpc());
  }
  static chain::keys::AccountKey key_of(int index) {
    const json& a = OnchainEnv::devnet().info().at("accounts").at(index);
    auto mnemonic = chain::keys::read_secret_file(a.at("mnemonic").get<std::string>());
    EXPECT_TRUE(mnemonic.ok());
    auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), "m/44'/118'/0'/0/0");
    EXPECT_TRUE(key.ok());
    return std::move(*key);
  }
  static std::string address_of(int index) {
    return OnchainEnv::devnet().info().at("accounts").at(index).at("address").get<std::string>();
  }
  // A MsgSend of 1 base unit from account `index`, signed offline for (account_number, sequence).
  chain::tx::SignedTx send(int index, std::uint64_t sequence, const std::string& fee_amount,
                           std::uint64_t gas = 200'000) {
    auto account = rpc::query_account(*client_, address_of(index));
    EXPECT_TRUE(account.ok()) << account.error().to_string();
    chain::tx::TxSpec spec;
    spec.messages.push_back(chain::tx::make_msg_send(address_of(index), address_of(1 - index),
                                                     {{OnchainEnv::devnet().denom(), "1"}}));
    spec.fee.amount.push_back({OnchainEnv::devnet().denom(), fee_amount});
    spec.fee.gas_limit = gas;
    spec.chain_id = OnchainEnv::devnet().chain_id();
    spec.account_number = account->account_number;
    spec.sequence = sequence;
    auto signed_tx = chain::tx::sign_tx(spec, key_of(index));
    EXPECT_TRUE(signed_tx.ok());
    return std::move(*signed_tx);
  }
  std::uint64_t sequence_of(int index) {
    auto account = rpc::query_account(*client_, address_of(index));
    EXPECT_TRUE(account.ok()) << account.error().to_string();
    return account.ok() ? account->sequence : 0;
  }
  rpc::SubmitterOptions options() const {
    rpc::SubmitterOptions o;
    o.chain_id = OnchainEnv::devnet().chain_id();
    o.gas_price = OnchainEnv::devnet().gas_price();
    o.poll_interval = std::chrono::milliseconds(200);
    o.confirm_timeout = std::chrono::seconds(20);
    return o;
  }

  std::unique_ptr<rpc::CometClient> client_;
};

TEST_F(DevnetClient, BroadcastConfirmAndTxSearch) {
  auto before = rpc::query_balance(*client_, address_of(1), OnchainEnv::devnet().denom());
  ASSERT_TRUE(before.ok()) << before.error().to_string();
  auto fee = rpc::fee_for_gas(OnchainEnv::devnet().gas_price(), 200'000);
  ASSERT_TRUE(fee.ok());
  const auto tx = send(0, sequence_of(0), fee->amount);
  auto check = client_->broadcast_tx_sync(tx.tx_raw);
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  ASSERT_EQ(check->code, 0u) << check->log;
  EXPECT_EQ(check->hash, tx.hash);
  rpc::TxSubmitter waiter(*client_, key_of(0), options());
  auto included = waiter.wait_for(tx.hash);
  ASSERT_TRUE(included.ok()) << included.error().to_string();
  EXPECT_EQ(included->code, 0u) << included->log;
  EXPECT_GT(included->height, 0);
  EXPECT_GT(included->gas_used, 0);

  auto found = client_->tx_search("tx.height=" + std::to_string(included->height));
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  ASSERT_GE(found->total_count, 1);
  bool seen = false;
  for (const auto& t : found->txs)
    seen = seen || t.hash == tx.hash;
  EXPECT_TRUE(seen);
  auto by_sender = client_->tx_search("message.sender='" + address_of(0) + "'", 1, 100, true);
  ASSERT_TRUE(by_sender.ok()) << by_sender.error().to_string();
  ASSERT_FALSE(by_sender->txs.empty());
  EXPECT_EQ(by_sender->txs.front().hash, tx.hash);  // newest first

  auto after = rpc::query_balance(*client_, address_of(1), OnchainEnv::devnet().denom());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(std::stoull(after->amount), std::stoull(before->amount) + 1);
}

TEST_F(DevnetClient, SequenceMismatchIsCode32WithTheExpectedSequence) {
  const std::uint64_t current = sequence_of(0);
  auto fee = rpc::fee_for_gas(OnchainEnv::devnet().gas_price(), 200'000);
  ASSERT_TRUE(fee.ok());
  auto check = client_->broadcast_tx_sync(send(0, current + 7, fee->amount).tx_raw);
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_EQ(check->code, 32u) << check->log;
  EXPECT_EQ(check->codespace, "sdk");
  EXPECT_EQ(rpc::parse_expected_sequence(check->log), current) << check->log;
}

TEST_F(DevnetClient, InsufficientFeeIsCode13) {
  auto check = client_->broadcast_tx_sync(send(0, sequence_of(0), "1").tx_raw);
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_EQ(check->code, 13u) << check->log;
  EXPECT_EQ(check->codespace, "sdk");
  EXPECT_NE(check->log.find("insufficient fee"), std::string::npos) << check->log;
}

TEST_F(DevnetClient, SubmitterRecoversFromAnotherWritersSequence) {
  rpc::TxSubmitter a(*client_, key_of(1), options());
  rpc::TxSubmitter b(*client_, key_of(1), options());
  ASSERT_TRUE(b.resync().ok());  // b caches the sequence a is about to use
  const auto msg =
      chain::tx::make_msg_send(address_of(1), address_of(0), {{OnchainEnv::devnet().denom(), "2"}});
  auto first = a.submit({msg}, "writer a");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->check_tx.code, 0u) << first->check_tx.log;
  auto second = b.submit({msg}, "writer b");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->check_tx.code, 0u) << second->check_tx.log;
  EXPECT_GE(second->resyncs, 1);
  EXPECT_EQ(second->sequence_used, first->sequence_used + 1);
  auto included = b.wait_for(second->check_tx.hash);
  ASSERT_TRUE(included.ok()) << included.error().to_string();
  EXPECT_EQ(included->code, 0u) << included->log;
}

TEST_F(DevnetClient, AccountUnknownTxAndTxSearchPaging) {
  auto account = rpc::query_account(*client_, address_of(1));
  ASSERT_TRUE(account.ok()) << account.error().to_string();
  EXPECT_EQ(account->address, address_of(1));
  EXPECT_EQ(account->type_url, "/cosmos.auth.v1beta1.BaseAccount");
  EXPECT_EQ(account->public_key.size(), 33u);  // it has signed (previous test)
  auto never = chain::keys::bech32_encode("cosmos", Bytes(20, 0x24));
  ASSERT_TRUE(never.ok());
  auto missing = rpc::query_account(*client_, *never);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ACCOUNT_NOT_FOUND");

  auto unknown = client_->tx(std::string(64, '0'));
  ASSERT_TRUE(unknown.ok()) << unknown.error().to_string();
  EXPECT_FALSE(unknown->has_value());

  // accounts[1] sent two transactions in the previous test: one per page, oldest first.
  const std::string query = "message.sender='" + address_of(1) + "'";
  auto page1 = client_->tx_search(query, 1, 1);
  auto page2 = client_->tx_search(query, 2, 1);
  ASSERT_TRUE(page1.ok() && page2.ok());
  EXPECT_GE(page1->total_count, 2);
  ASSERT_EQ(page1->txs.size(), 1u);
  ASSERT_EQ(page2->txs.size(), 1u);
  EXPECT_NE(page1->txs[0].hash, page2->txs[0].hash);
  EXPECT_LE(page1->txs[0].height, page2->txs[0].height);
  auto bad = client_->tx_search("", 1, 30);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_QUERY");
}

TEST_F(DevnetClient, CliSendPaysTheNodesMinimumGasPriceAndFailsOver) {
  const json& a = OnchainEnv::devnet().info().at("accounts").at(0);
  // No --fees / --gas-prices: the fee comes from the node's own minimum gas price (else code 13).
  auto r =
      snprelay({"tx", "send", "--mnemonic-file", a.at("mnemonic").get<std::string>(), "--to", address_of(1),
                "--amount", "3" + OnchainEnv::devnet().denom(), "--node", "http://127.0.0.1:1", "--node",
                OnchainEnv::devnet().rpc().at(0), "--timeout", "2", "--poll-interval", "0.2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json_of(r)["tx_code"], 0);
  EXPECT_GT(json_of(r)["height"].get<std::int64_t>(), 0);
  auto q = snprelay({"query", "account", address_of(0), "--node", "http://127.0.0.1:1", "--node",
                     OnchainEnv::devnet().rpc().at(0), "--timeout", "2", "--json"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(json_of(q)["address"], address_of(0));
}

}  // namespace
}  // namespace snprelay::testing
