// The real `snprelay` binary: `keys` against a private key directory, and the one online `tx send`
// path that needs a fault a real node does not show on demand — an Account query that lags CheckTx, so
// the first broadcast gets code 32 and the resync path runs — against the stateful fake chain
// (fake_chain.hpp). Queries, broadcast, replay (sdk 19/32) and insufficient fees (sdk 13) run against a
// real devnet node in tests/integration/onchain/devnet_cli_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "tests/integration/chain/fake_chain.hpp"
#include "tests/integration/run_process.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::chain {
namespace {

using nlohmann::json;
using testing::FakeChain;
using testing::run_process;

constexpr const char* kMnemonic =
    "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling";
constexpr const char* kAddress = "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5";
constexpr const char* kPubkey = "02baa4ef93f2ce84592a49b1d729c074eab640112522a7a89f7d03ebab21ded7b6";
constexpr const char* kOther = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";
constexpr const char* kPassphrase = "cli test passphrase";
constexpr const char* kDeadNode = "http://127.0.0.1:1";

class ChainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    mnemonic_file_ = (dir_ / "mnemonic.txt").string();
    std::ofstream(mnemonic_file_) << kMnemonic << "\n";
    ASSERT_EQ(::chmod(mnemonic_file_.c_str(), 0600), 0);  // secrets must be private (issue 21)
  }
  testing::ProcessResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), SNPRELAY_BIN);
    return run_process(
        args, {{"SNPRELAY_KEY_PASSPHRASE", kPassphrase}, {"SNPRELAY_KEYRING_DIR", (dir_ / "keys").string()}});
  }
  static json parse(const testing::ProcessResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  static keys::AccountKey key() {
    return std::move(*keys::account_key_from_mnemonic(SecretBytes::from_string(kMnemonic), SecretBytes(),
                                                      "m/44'/118'/0'/0/0"));
  }
  // A MsgSend signed offline for the fake chain's account state.
  static tx::SignedTx signed_send(std::uint64_t account_number, std::uint64_t sequence) {
    tx::TxSpec spec;
    spec.messages.push_back(tx::make_msg_send(kAddress, kOther, {{"ustake", "7"}}));
    spec.fee.amount.push_back({"ustake", "500"});
    spec.fee.gas_limit = 200000;
    spec.chain_id = "testchain-1";
    spec.account_number = account_number;
    spec.sequence = sequence;
    return std::move(*tx::sign_tx(spec, key()));
  }

  testing::TempDir tmp_{"snprelay-chaincli"};
  std::filesystem::path dir_ = tmp_.path();
  std::string mnemonic_file_;
};

TEST_F(ChainCli, KeysLifecycleThroughTheBinary) {
  auto add = run({"keys", "add", "relayer", "--recover", "--mnemonic-file", mnemonic_file_, "--json"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(parse(add)["address"], kAddress);
  EXPECT_EQ(add.out.find("patrol"), std::string::npos);  // the mnemonic is never echoed on recover
  EXPECT_EQ(add.err.find("patrol"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "keys" / "relayer.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto address = run({"keys", "show", "relayer", "--address"});
  ASSERT_EQ(address.exit_code, 0) << address.err;
  EXPECT_EQ(address.out, std::string(kAddress) + "\n");
  auto address_json = run({"keys", "show", "relayer", "--address", "--json"});
  ASSERT_EQ(address_json.exit_code, 0);
  EXPECT_EQ(parse(address_json)["address"], kAddress);
  EXPECT_FALSE(parse(address_json).contains("pubkey"));
  auto pubkey = run({"keys", "show", "relayer", "--pubkey", "--json"});
  ASSERT_EQ(pubkey.exit_code, 0);
  EXPECT_EQ(parse(pubkey)["pubkey"], kPubkey);
  auto full = run({"keys", "show", "relayer", "--json"});
  EXPECT_EQ(parse(full)["hd_path"], "m/44'/118'/0'/0/0");

  auto again = run({"keys", "add", "relayer", "--recover", "--mnemonic-file", mnemonic_file_});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("KEY_EXISTS"), std::string::npos) << again.err;

  auto list = run({"keys", "list"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out, "relayer " + std::string(kAddress) + "\n");

  // A wrong passphrase is refused (exit 2) and not repeated back.
  auto wrong =
      run_process({SNPRELAY_BIN, "tx", "send", "--offline", "--from", "relayer", "--to", kOther, "--amount",
                   "1ustake", "--chain-id", "c", "--account-number", "1", "--sequence", "0"},
                  {{"SNPRELAY_KEY_PASSPHRASE", "not-the-passphrase"},
                   {"SNPRELAY_KEYRING_DIR", (dir_ / "keys").string()}});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("WRONG_PASSPHRASE"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("not-the-passphrase"), std::string::npos);

  auto derive = run({"keys", "derive", "--mnemonic-file", mnemonic_file_, "--json"});
  ASSERT_EQ(derive.exit_code, 0) << derive.err;
  EXPECT_EQ(parse(derive)["address"], kAddress);
  EXPECT_EQ(parse(derive)["pubkey"], kPubkey);
  EXPECT_EQ(parse(derive)["valoper"], "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8");

  auto del = run({"keys", "delete", "relayer"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(run({"keys", "show", "relayer"}).exit_code, 2);
  auto empty = run({"keys", "list", "--json"});
  ASSERT_EQ(empty.exit_code, 0);
  EXPECT_EQ(parse(empty), json::array());
  // derive stored nothing
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "keys"));
}

TEST_F(ChainCli, OnlineSendResyncsOnCode32ThenConfirms) {
  FakeChain chain("testchain-1");
  // The node's Account query lags: it says 5, CheckTx expects 9.
  chain.set_account(kAddress, {3, 9, 5, {{"ustake", "100000"}}});
  chain.set_confirm_after_polls(2);
  auto r = run({"tx",
                "send",
                "--mnemonic-file",
                mnemonic_file_,
                "--to",
                kOther,
                "--amount",
                "10ustake",
                "--gas-prices",
                "0.025ustake",
                "--node",
                kDeadNode,
                "--node",
                chain.url(),
                "--json",
                "--poll-interval",
                "0.05",
                "--confirm-timeout",
                "10",
                "--timeout",
                "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json out = parse(r);
  EXPECT_EQ(out["code"], 0);
  EXPECT_EQ(out["tx_code"], 0);
  EXPECT_EQ(out["height"], 1235);
  EXPECT_EQ(out["sequence"], 9);
  EXPECT_EQ(out["resyncs"], 1);
  EXPECT_EQ(out["gas_limit"], 140000);  // simulated 100000 x 1.4
  const auto b = chain.broadcasts();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].sequence, 5u);
  EXPECT_EQ(b[0].code, 32u);
  EXPECT_EQ(b[1].sequence, 9u);
  EXPECT_EQ(b[1].code, 0u);
  EXPECT_EQ(out["hash"], b[1].hash);
  EXPECT_EQ(chain.account(kAddress).sequence, 10u);
}

TEST_F(ChainCli, BindingPrintsTheProtocolVector) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/cosmos/snpattest-hash-vectors.json");
  const json v = json::parse(in)["report_data"];
  const std::vector<std::string> args = {"binding",
                                         "--chain-id",
                                         v["chain_id"].get<std::string>(),
                                         "--epoch",
                                         std::to_string(v["epoch"].get<std::uint64_t>()),
                                         "--nonce",
                                         v["nonce"].get<std::string>(),
                                         "--operator",
                                         v["operator"].get<std::string>(),
                                         "--relayer",
                                         v["relayer"].get<std::string>(),
                                         "--allowlist-version",
                                         std::to_string(v["allowlist_version"].get<std::uint64_t>())};
  auto text = run(args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, v["expected"].get<std::string>() + "\n");
  auto with_json = args;
  with_json.push_back("--json");
  EXPECT_EQ(parse(run(with_json))["report_data"], v["expected"]);
  auto short_nonce = args;
  short_nonce[6] = "00ff";
  EXPECT_EQ(run(short_nonce).exit_code, 2);
}

}  // namespace
}  // namespace snprelay::chain
