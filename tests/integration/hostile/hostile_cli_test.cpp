// Hostile and careless inputs through the real binary (issue 11 point 4): each case gets a clear
// error naming what was wrong, exit 2, and never an abort (134) or a hang. Every run is bounded by
// `timeout`, so a regression that blocks on a FIFO fails (exit 124) instead of hanging ctest.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/hostile/bounded_cli.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

constexpr const char* kMnemonic =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
constexpr const char* kTo = "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5";

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(dir_.file("dir").c_str(), 0700), 0);
    ASSERT_EQ(::mkfifo(dir_.file("fifo").c_str(), 0600), 0);
    std::ofstream(dir_.file("mnemonic")) << kMnemonic << "\n";
    ASSERT_EQ(::chmod(dir_.file("mnemonic").c_str(), 0600), 0);  // secrets must be private (issue 21)
    std::ofstream(dir_.file("short.bin"), std::ios::binary) << std::string(1000, '\0');
  }
  ProcessResult run(std::vector<std::string> args) { return run_bounded(std::move(args), dir_.file("keys")); }
  // Exit 2, a message on standard error containing `needle`, nothing claiming success.
  void expect_input_error(const std::vector<std::string>& args, const std::string& needle) {
    const ProcessResult r = expect_exit_2(args, dir_.file("keys"), needle);
    EXPECT_EQ(r.err.find("valid"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("ACCEPTED"), std::string::npos) << r.out;
  }
  std::vector<std::string> offline_send(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "tx",     "send",   "--offline", "--mnemonic-file", dir_.file("mnemonic"),
        "--to",   kTo,      "--amount",  "1000ustake",      "--chain-id",
        "test-1", "--fees", "500ustake"};
    bool has_an = false, has_seq = false;
    for (const auto& e : extra) {
      has_an = has_an || e == "--account-number";
      has_seq = has_seq || e == "--sequence";
    }
    if (!has_an)
      args.insert(args.end(), {"--account-number", "1"});
    if (!has_seq)
      args.insert(args.end(), {"--sequence", "0"});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  TempDir dir_;
};

TEST_F(Hostile, VerifyReportDirectory) {
  expect_input_error({"verify", "--report", dir_.file("dir"), "--vcek", dir_.file("dir")}, "directory");
}
TEST_F(Hostile, ReportShowDirectory) {
  expect_input_error({"report", "show", dir_.file("dir")}, "directory");
}
TEST_F(Hostile, TpmUnsealInDirectory) {
  expect_input_error({"tpm", "unseal", "--in", dir_.file("dir"), "--out", dir_.file("o"), "--tcti",
                      "swtpm:host=127.0.0.1,port=1"},
                     "directory");
}
TEST_F(Hostile, TxBroadcastDirectory) {
  expect_input_error({"tx", "broadcast", dir_.file("dir"), "--node", "http://127.0.0.1:1"}, "directory");
}
TEST_F(Hostile, ConfigCheckDirectory) {
  expect_input_error({"config", "check", dir_.file("dir")}, "directory");
}
TEST_F(Hostile, ConfigFlagDirectory) {
  expect_input_error({"report", "get", "--config", dir_.file("dir"), "-o", dir_.file("r.bin")}, "directory");
}
TEST_F(Hostile, ReportShowFifoDoesNotHang) {
  expect_input_error({"report", "show", dir_.file("fifo")}, "FIFO");
}
TEST_F(Hostile, ConfigCheckFifoDoesNotHang) {
  expect_input_error({"config", "check", dir_.file("fifo")}, "FIFO");
}
TEST_F(Hostile, VerifyDevZero) {
  expect_input_error({"verify", "--report", "/dev/zero", "--vcek", "/dev/zero"}, "device");
}
TEST_F(Hostile, ReportShowDevZero) {
  expect_input_error({"report", "show", "/dev/zero"}, "device");
}
TEST_F(Hostile, VerifyWrongSizeReport) {
  expect_input_error({"verify", "--report", dir_.file("short.bin"), "--vcek", dir_.file("short.bin")},
                     "1184");
}
TEST_F(Hostile, TpmQuoteWrongSizeReport) {
  expect_input_error({"tpm", "quote", "--report", dir_.file("short.bin"), "--out", dir_.file("q"), "--tcti",
                      "swtpm:host=127.0.0.1,port=1"},
                     "1184");
}
TEST_F(Hostile, TpmVerifyQuoteWrongSizeReport) {
  std::ofstream(dir_.file("q")) << "x";
  std::ofstream(dir_.file("ak.pem")) << "x";
  const ProcessResult r = run({"tpm", "verify-quote", "--quote", dir_.file("q"), "--report",
                               dir_.file("short.bin"), "--ak-pub", dir_.file("ak.pem")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}
TEST_F(Hostile, GasMinusOne) {
  expect_input_error(offline_send({"--gas", "-1"}), "--gas");
}
TEST_F(Hostile, SequenceMinusOne) {
  expect_input_error(offline_send({"--sequence", "-1"}), "--sequence");
}
TEST_F(Hostile, AccountNumberMinusOne) {
  expect_input_error(offline_send({"--account-number", "-1"}), "--account-number");
}
TEST_F(Hostile, TimeoutHeightMinusOne) {
  expect_input_error(offline_send({"--timeout-height", "-1"}), "--timeout-height");
}
TEST_F(Hostile, TimeoutHeightTwoToThe64) {
  expect_input_error(offline_send({"--timeout-height", "18446744073709551616"}), "--timeout-height");
}
TEST_F(Hostile, SimPolicyNotHex) {
  expect_input_error({"report", "get", "--simulate", "--sim-state", dir_.file("sim"), "--sim-policy", "0xZZ",
                      "-o", dir_.file("r.bin")},
                     "--sim-policy");
}
TEST_F(Hostile, EmptyNonce) {
  expect_input_error({"report", "get", "--simulate", "--sim-state", dir_.file("sim"), "--nonce", "", "-o",
                      dir_.file("r.bin")},
                     "--nonce");
}
TEST_F(Hostile, AtOffsetOutOfRange) {
  expect_input_error({"verify", "--report", dir_.file("dir"), "--vcek", dir_.file("dir"), "--at",
                      "2026-01-01T00:00:00+25:99"},
                     "");
}
TEST_F(Hostile, AtThirtyFirstFebruary) {
  // A real report so that only --at can be wrong.
  ASSERT_EQ(run({"report", "get", "--simulate", "--sim-state", dir_.file("sim"), "-o", dir_.file("r.bin"),
                 "--certs-out", dir_.file("certs")})
                .exit_code,
            0);
  expect_input_error({"verify", "--report", dir_.file("r.bin"), "--vcek", dir_.file("certs/vcek.der"), "--at",
                      "2026-02-31T00:00:00Z"},
                     "--at");
}
TEST_F(Hostile, KeysAddMnemonicFileWithoutRecover) {
  expect_input_error({"keys", "add", "k", "--mnemonic-file", dir_.file("mnemonic")}, "--recover");
}
TEST_F(Hostile, KeysAddNewKeyWithoutTerminalNeedsMnemonicOut) {
  expect_input_error({"keys", "add", "k", "--passphrase-file", dir_.file("mnemonic")}, "--mnemonic-out");
}
TEST_F(Hostile, KeysAddMnemonicOutIs0600AndNotLogged) {
  const ProcessResult r = run({"keys", "add", "k", "--passphrase-file", dir_.file("mnemonic"),
                               "--mnemonic-out", dir_.file("new-mnemonic"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(dir_.file("new-mnemonic").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(dir_.file("new-mnemonic"));
  std::string first;
  in >> first;
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(r.err.find(first + " "), std::string::npos) << "the mnemonic reached standard error";
  EXPECT_EQ(r.out.find(first + " "), std::string::npos);
}
TEST_F(Hostile, KeysAddMnemonicOutNeverOverwritesAFile) {
  { std::ofstream(dir_.file("existing")) << "keep me\n"; }
  const ProcessResult r = run({"keys", "add", "k2", "--passphrase-file", dir_.file("mnemonic"),
                               "--mnemonic-out", dir_.file("existing")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--mnemonic-out"), std::string::npos) << r.err;
  std::ifstream in(dir_.file("existing"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "keep me");
}
TEST_F(Hostile, TxSendOfflineJsonIsJson) {
  const ProcessResult r = run(offline_send({"--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.contains("tx_raw"));
}
TEST_F(Hostile, MemoOver256BytesOrNotUtf8) {
  expect_input_error(offline_send({"--memo", std::string(257, 'm')}), "memo");
  expect_input_error(offline_send({"--memo", "\xff\xfe"}), "UTF-8");
}
TEST_F(Hostile, FeeGranterOffline) {
  expect_input_error(offline_send({"--fee-granter", kTo}), "--fee-granter");
}
TEST_F(Hostile, KeysShowAddressAndPubkey) {
  expect_input_error({"keys", "show", "k", "--address", "--pubkey"}, "--address");
}
TEST_F(Hostile, JsonErrorsAreJsonOnStdout) {
  const ProcessResult r = run({"report", "show", dir_.file("dir"), "--json"});
  EXPECT_EQ(r.exit_code, 2);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["kind"], "input");
  EXPECT_EQ(j["error"]["code"], "NOT_REGULAR");
}
TEST_F(Hostile, UnknownFlagWithJsonIsJson) {
  const ProcessResult r = run({"verify", "--no-such-flag", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["kind"], "input");
}
TEST_F(Hostile, BareCommandPrintsHelp) {
  const ProcessResult r = run({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Subcommands"), std::string::npos);
}
TEST_F(Hostile, HelpAndVersion) {
  const ProcessResult help = run({"help", "verify"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--report"), std::string::npos);
  const ProcessResult version = run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("snprelay "), std::string::npos);
}

}  // namespace
}  // namespace snprelay::testing
