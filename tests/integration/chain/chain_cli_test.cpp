// The real `snprelay` binary end to end: `keys` against a private key directory, and `query` / `tx`
// against the stateful fake chain on loopback (tests/integration/chain/fake_chain.hpp). Checks exit
// codes (0 ok, 1 rejected by the chain, 2 input error, 3 runtime failure), JSON output, addresses
// against the vectors, the code-32 resync in online `tx send`, and that secrets stay out of output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "tests/integration/chain/fake_chain.hpp"
#include "tests/integration/run_process.hpp"

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
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("snprelay-chaincli-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    mnemonic_file_ = (dir_ / "mnemonic.txt").string();
    std::ofstream(mnemonic_file_) << kMnemonic << "\n";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
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

  std::filesystem::path dir_;
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

TEST_F(ChainCli, QueryAccountAndBalance) {
  FakeChain chain("testchain-1");
  chain.set_account(kAddress, {7, 5, std::nullopt, {{"ustake", "1000"}, {"uatom", "3"}}});
  auto account = run({"query", "account", kAddress, "--node", chain.url(), "--json"});
  ASSERT_EQ(account.exit_code, 0) << account.err;
  EXPECT_EQ(parse(account)["account_number"], 7);
  EXPECT_EQ(parse(account)["sequence"], 5);
  EXPECT_EQ(parse(account)["type"], "/cosmos.auth.v1beta1.BaseAccount");
  auto text = run({"query", "account", kAddress, "--node", chain.url()});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("sequence: 5"), std::string::npos) << text.out;

  auto missing = run({"query", "account", kOther, "--node", chain.url()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("ACCOUNT_NOT_FOUND"), std::string::npos) << missing.err;
  EXPECT_EQ(run({"query", "account", "cosmos1notanaddress", "--node", chain.url()}).exit_code, 2);
  EXPECT_EQ(run({"query", "account", kAddress, "--node", "ftp://x"}).exit_code, 2);
  auto dead = run({"query", "account", kAddress, "--node", kDeadNode, "--timeout", "2"});
  EXPECT_EQ(dead.exit_code, 3);
  EXPECT_NE(dead.err.find("ALL_ENDPOINTS_FAILED"), std::string::npos) << dead.err;
  // --node repeated: the dead first endpoint fails over to the second.
  auto failover = run({"query", "account", kAddress, "--node", kDeadNode, "--node", chain.url(), "--json"});
  ASSERT_EQ(failover.exit_code, 0) << failover.err;
  EXPECT_EQ(parse(failover)["account_number"], 7);

  auto one = run({"query", "balance", kAddress, "--denom", "ustake", "--node", chain.url(), "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(parse(one)["balances"], json::parse(R"([{"denom":"ustake","amount":"1000"}])"));
  auto zero = run({"query", "balance", kAddress, "--denom", "ufoo", "--node", chain.url()});
  ASSERT_EQ(zero.exit_code, 0);
  EXPECT_EQ(zero.out, "0ufoo\n");
  auto all = run({"query", "balance", kAddress, "--node", chain.url()});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "3uatom\n1000ustake\n");
  const auto paths = chain.abci_paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/cosmos.bank.v1beta1.Query/AllBalances"), paths.end());
}

TEST_F(ChainCli, TxBroadcastHexAndBinaryThenRejection) {
  FakeChain chain("testchain-1");
  chain.set_account(kAddress, {3, 0, std::nullopt, {}});
  const auto first = signed_send(3, 0);
  const std::string hex_file = (dir_ / "tx.hex").string();
  std::ofstream(hex_file) << to_hex(first.tx_raw) << "\n"
                          << first.hash << "\n";  // `tx send --offline` output
  auto ok = run({"tx", "broadcast", hex_file, "--node", chain.url(), "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(parse(ok)["code"], 0);
  EXPECT_EQ(parse(ok)["hash"], first.hash);

  const auto second = signed_send(3, 1);
  const std::string bin_file = (dir_ / "tx.bin").string();
  std::ofstream(bin_file, std::ios::binary)
      .write(reinterpret_cast<const char*>(second.tx_raw.data()),
             static_cast<std::streamsize>(second.tx_raw.size()));
  auto text = run({"tx", "broadcast", bin_file, "--node", chain.url()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("hash: " + second.hash), std::string::npos) << text.out;

  // The same bytes again: the chain's sequence has moved on -> CheckTx code 32, exit 1, mapped error.
  auto replay = run({"tx", "broadcast", bin_file, "--node", chain.url(), "--json"});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_EQ(parse(replay)["code"], 32);
  EXPECT_NE(replay.err.find("INCORRECT_ACCOUNT_SEQUENCE"), std::string::npos) << replay.err;
  EXPECT_NE(replay.err.find("(sdk 32)"), std::string::npos) << replay.err;

  const std::string garbage = (dir_ / "garbage").string();
  std::ofstream(garbage) << "not a transaction\n";
  EXPECT_EQ(run({"tx", "broadcast", garbage, "--node", chain.url()}).exit_code, 2);
  EXPECT_EQ(run({"tx", "broadcast", (dir_ / "absent").string(), "--node", chain.url()}).exit_code, 2);
  EXPECT_EQ(run({"tx", "broadcast", hex_file, "--node", kDeadNode, "--timeout", "2"}).exit_code, 3);
  ASSERT_EQ(chain.broadcasts().size(), 3u);  // nothing else reached the node
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

TEST_F(ChainCli, OnlineSendCheckTxRejectionExitsOne) {
  FakeChain chain("testchain-1");
  chain.set_account(kAddress, {3, 0, std::nullopt, {}});
  chain.reject_with(13, "insufficient fees; got: 1ustake required: 3500ustake: insufficient fee");
  auto r = run({"tx", "send", "--mnemonic-file", mnemonic_file_, "--to", kOther, "--amount", "10ustake",
                "--fees", "1ustake", "--gas", "140000", "--node", chain.url()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("code: 13"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("INSUFFICIENT_FEE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(sdk 13)"), std::string::npos) << r.err;
  ASSERT_EQ(chain.broadcasts().size(), 1u);  // a rejection other than 32 is not retried
  EXPECT_EQ(chain.broadcasts()[0].gas_limit, 140000u);
  // Online and offline flags do not mix.
  EXPECT_EQ(run({"tx", "send", "--mnemonic-file", mnemonic_file_, "--to", kOther, "--amount", "1ustake",
                 "--node", chain.url(), "--sequence", "4"})
                .exit_code,
            2);
  auto dead = run({"tx", "send", "--mnemonic-file", mnemonic_file_, "--to", kOther, "--amount", "1ustake",
                   "--node", kDeadNode, "--timeout", "2"});
  EXPECT_EQ(dead.exit_code, 3) << dead.err;
}

TEST_F(ChainCli, CurrentEpochQueryPathAndDecode) {
  FakeChain chain("testchain-1");
  chain.set_epoch({42, std::string(32, '\x5a'), 25200, 25800, 3, 120});
  rpc::CometClient client({chain.url()}, std::make_shared<rpc::CurlTransport>(), std::chrono::seconds(2));
  auto epoch = rpc::query_current_epoch(client);
  ASSERT_TRUE(epoch.ok()) << epoch.error().to_string();
  EXPECT_EQ(epoch->epoch, 42u);
  EXPECT_EQ(epoch->nonce, Bytes(32, 0x5a));
  EXPECT_EQ(epoch->start_height, 25200);
  EXPECT_EQ(epoch->deadline_height, 25800);
  EXPECT_EQ(epoch->allowlist_version, 3u);
  EXPECT_EQ(epoch->blocks_remaining, 120);
  const auto requests = chain.node().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["method"], "abci_query");
  EXPECT_EQ(requests[0]["params"]["path"], "/snpattest.v1.Query/CurrentEpoch");
  EXPECT_EQ(requests[0]["params"]["data"], "");  // QueryCurrentEpochRequest{} serializes to nothing
  EXPECT_EQ(requests[0]["params"]["prove"], false);

  auto cli = run({"query", "current-epoch", "--node", chain.url(), "--json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(parse(cli)["epoch"], 42);
  EXPECT_EQ(parse(cli)["nonce"], to_hex(Bytes(32, 0x5a)));
}

}  // namespace
}  // namespace snprelay::chain
