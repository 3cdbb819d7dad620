// The `snprelay query|tx` binary against a real devnet node (these used the in-test fake chain before
// issue #10): account and balance queries, an unknown account (exit 1), an offline-signed MsgSend
// broadcast with `tx broadcast` (exit 0) and the same bytes again (CheckTx sdk 32, exit 1), and an
// online send whose fee is below the node's minimum (sdk 13, exit 1). Account "bob" (accounts[2]).
#include <gtest/gtest.h>

#include <fstream>

#include "chain/keys/bech32.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "tests/integration/onchain/onchain_env.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

class DevnetCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    ASSERT_GE(info().at("accounts").size(), 3u);
    node_ = OnchainEnv::devnet().rpc().at(0);
  }
  static const json& info() { return OnchainEnv::devnet().info(); }
  static std::string bob() { return info()["accounts"][2]["address"]; }
  static std::string bob_mnemonic() { return info()["accounts"][2]["mnemonic"]; }
  static std::string alice() { return info()["accounts"][1]["address"]; }
  std::string node_;
};

TEST_F(DevnetCli, QueryAccountBalanceAndUnknownAccount) {
  auto account = snprelay({"query", "account", bob(), "--node", node_, "--json"});
  ASSERT_EQ(account.exit_code, 0) << account.err;
  EXPECT_EQ(json_of(account)["address"], bob());
  EXPECT_EQ(json_of(account)["type"], "/cosmos.auth.v1beta1.BaseAccount");
  auto balance = snprelay(
      {"query", "balance", bob(), "--denom", OnchainEnv::devnet().denom(), "--node", node_, "--json"});
  ASSERT_EQ(balance.exit_code, 0) << balance.err;
  EXPECT_GT(std::stoull(json_of(balance)["balances"][0]["amount"].get<std::string>()), 0u);
  auto all = snprelay({"query", "balance", bob(), "--node", node_});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find(OnchainEnv::devnet().denom() + "\n"), std::string::npos) << all.out;

  // A valid address the chain has never seen.
  auto never = chain::keys::bech32_encode("cosmos", Bytes(20, 0x42));
  ASSERT_TRUE(never.ok());
  auto missing = snprelay({"query", "account", *never, "--node", node_});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("ACCOUNT_NOT_FOUND"), std::string::npos) << missing.err;
  EXPECT_EQ(snprelay({"query", "account", "cosmos1notanaddress", "--node", node_}).exit_code, 2);
}

TEST_F(DevnetCli, OfflineSignedBroadcastThenReplayIsSequenceMismatch) {
  auto account = snprelay({"query", "account", bob(), "--node", node_, "--json"});
  ASSERT_EQ(account.exit_code, 0) << account.err;
  const json a = json_of(account);
  auto fee = chain::rpc::fee_for_gas(OnchainEnv::devnet().gas_price(), 200'000);
  ASSERT_TRUE(fee.ok());
  // `tx send --offline` output (TxRaw hex, then the hash) for `amount`, at the account's sequence.
  auto sign = [&](const std::string& amount, const std::string& file) {
    auto r =
        snprelay({"tx", "send", "--offline", "--mnemonic-file", bob_mnemonic(), "--to", alice(), "--amount",
                  amount + OnchainEnv::devnet().denom(), "--chain-id", OnchainEnv::devnet().chain_id(),
                  "--account-number", std::to_string(a["account_number"].get<std::uint64_t>()), "--sequence",
                  std::to_string(a["sequence"].get<std::uint64_t>()), "--gas", "200000", "--fees",
                  fee->amount + fee->denom});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(file) << r.out;
    return r.out.substr(r.out.find('\n') + 1, 64);
  };
  const std::string file = (OnchainEnv::devnet().dir() / "bob-send.hex").string();
  const std::string hash = sign("5", file);
  auto ok = snprelay({"tx", "broadcast", file, "--node", node_, "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(json_of(ok)["code"], 0);
  EXPECT_EQ(json_of(ok)["hash"], hash);

  // The same bytes again: CometBFT's cache has them (reported like the SDK's code 19).
  auto replay = snprelay({"tx", "broadcast", file, "--node", node_, "--json"});
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  EXPECT_EQ(json_of(replay)["code"], 19) << replay.out;
  // Other bytes at the same, now used, sequence: CheckTx sdk 32.
  const std::string stale = (OnchainEnv::devnet().dir() / "bob-stale.hex").string();
  sign("6", stale);
  auto mismatch = snprelay({"tx", "broadcast", stale, "--node", node_, "--json"});
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.out << mismatch.err;
  EXPECT_EQ(json_of(mismatch)["code"], 32) << mismatch.out;
  EXPECT_NE(mismatch.err.find("INCORRECT_ACCOUNT_SEQUENCE"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("(sdk 32)"), std::string::npos) << mismatch.err;
  EXPECT_EQ(snprelay({"tx", "broadcast", file, "--node", "http://127.0.0.1:1", "--timeout", "2"}).exit_code,
            3);
}

TEST_F(DevnetCli, OnlineSendBelowTheMinimumFeeIsCode13) {
  auto r = snprelay({"tx", "send", "--mnemonic-file", bob_mnemonic(), "--to", alice(), "--amount",
                     "1" + OnchainEnv::devnet().denom(), "--fees", "1" + OnchainEnv::devnet().denom(),
                     "--gas", "140000", "--node", node_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("code: 13"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("INSUFFICIENT_FEE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(sdk 13)"), std::string::npos) << r.err;
  auto dead =
      snprelay({"tx", "send", "--mnemonic-file", bob_mnemonic(), "--to", alice(), "--amount",
                "1" + OnchainEnv::devnet().denom(), "--node", "http://127.0.0.1:1", "--timeout", "2"});
  EXPECT_EQ(dead.exit_code, 3) << dead.err;
}

}  // namespace
}  // namespace snprelay::testing
