// Issue 21's findings through the real binary, one regression test each (docs/RELIABILITY.md, "Hostile
// inputs" table). Every run is bounded by `timeout`, so a regression that blocks on a FIFO fails (exit
// 124) instead of hanging ctest. Runs as root here, as the packaged tools may: /dev/null's mode and /dev
// are checked after the commands ran against them.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>

#include "tests/integration/hostile/bounded_cli.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

constexpr const char* kMnemonic =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
// Two governance keys of tests/data/allowlist/allowlist-vectors.json (compressed secp256k1 points).
constexpr const char* kKeyA = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
constexpr const char* kKeyB = "02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27";

std::set<std::string> dev_entries() {
  std::set<std::string> out;
  DIR* d = ::opendir("/dev");
  if (d == nullptr)
    return out;
  for (dirent* e; (e = ::readdir(d)) != nullptr;) {
    const std::string name = e->d_name;
    if (name.find("null") != std::string::npos)
      out.insert(name);
  }
  ::closedir(d);
  return out;
}

class Issue21 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkfifo(dir_.file("fifo").c_str(), 0600), 0);
    ASSERT_EQ(::mkdir(dir_.file("dir").c_str(), 0700), 0);
    ASSERT_EQ(::symlink("/dev/null", dir_.file("link-to-null").c_str()), 0);
    write(dir_.file("signers.json"), std::string("{\"signers\":[{\"key_id\":\"a\",\"pubkey\":\"") + kKeyA +
                                         "\"},{\"key_id\":\"b\",\"pubkey\":\"" + kKeyB +
                                         "\"}],\"threshold\":2}");
    auto made = run({"allowlist", "new", "--chain-id", "c", "--version", "1", "--add",
                     std::string(96, 'a') + ":image", "-o", dir_.file("update.bin")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  ProcessResult run(std::vector<std::string> args) { return run_bounded(std::move(args), dir_.file("keys")); }
  void expect_refused(const std::vector<std::string>& args, const std::string& needle) {
    (void)expect_exit_2(args, dir_.file("keys"), needle);
  }
  TempDir dir_{"snprelay-issue21"};
};

TEST_F(Issue21, NoCommandChangesDevNullsModeOrCreatesAFileUnderDev) {
  struct stat before {};
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  const auto dev_before = dev_entries();
  const std::string u = dir_.file("update.bin");
  const std::string s = dir_.file("signers.json");
  for (const std::string& target : {std::string("/dev/null"), dir_.file("link-to-null")}) {
    expect_refused({"allowlist", "sync", "--db", target, "--signers", s, "--node", "http://127.0.0.1:1",
                    "--chain-id", "c"},
                   "character device");
    expect_refused({"allowlist", "show", "--db", target}, "character device");
    expect_refused({"allowlist", "verify-db", "--db", target, "--signers", s}, "not an existing file");
    expect_refused({"allowlist", "new", "--chain-id", "c", "--version", "1", "--add", std::string(96, 'b'),
                    "-o", target},
                   "character device");
    expect_refused({"allowlist", "combine", u, u, "-o", target}, "character device");
    expect_refused({"report", "get", "--simulate", "--sim-state", dir_.file("sim"), "-o", target},
                   "character device");
  }
  struct stat after {};
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_rdev, before.st_rdev);
  EXPECT_EQ(dev_entries(), dev_before) << "a file named like /dev/null* appeared under /dev";
}

TEST_F(Issue21, AFifoADirectoryOrASymlinkGivenAsAnOutputIsRefusedAndLeftAsItWas) {
  for (const char* name : {"fifo", "dir", "link-to-null"}) {
    expect_refused(
        {"allowlist", "combine", dir_.file("update.bin"), dir_.file("update.bin"), "-o", dir_.file(name)},
        "NOT_REGULAR");
  }
  struct stat st {};
  ASSERT_EQ(::lstat(dir_.file("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(::lstat(dir_.file("link-to-null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_F(Issue21, ShowDbOnAFifoAnswersInsteadOfHanging) {
  const ProcessResult r = run({"allowlist", "show", "--db", dir_.file("fifo")});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // 124 would be the timeout: the open blocked
  EXPECT_NE(r.err.find("FIFO"), std::string::npos) << r.err;
}

TEST_F(Issue21, AnOutputNamingOneOfTheInputsIsRefusedAndTheInputIsKept) {
  std::ifstream in(dir_.file("update.bin"), std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  expect_refused({"allowlist", "combine", dir_.file("update.bin"), dir_.file("update.bin"), "-o",
                  dir_.file("update.bin")},
                 "OUTPUT_IS_INPUT");
  expect_refused({"allowlist", "sign", dir_.file("update.bin"), "--key", "k", "-o", dir_.file("update.bin")},
                 "OUTPUT_IS_INPUT");
  std::ifstream again(dir_.file("update.bin"), std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, before);
}

TEST_F(Issue21, DuplicateJsonKeysAreRefusedNamingTheKey) {
  write(dir_.file("dup.json"), std::string("{\"signers\":[{\"key_id\":\"a\",\"pubkey\":\"") + kKeyA +
                                   "\"}],\"threshold\":1,\"threshold\":1}");
  expect_refused({"allowlist", "verify", dir_.file("update.bin"), dir_.file("dup.json"), "--signers",
                  dir_.file("dup.json")},
                 "\"threshold\" appears twice");
}

TEST_F(Issue21, OnePubkeyUnderTwoSignerIdsIsRefused) {
  write(dir_.file("twice.json"), std::string("{\"signers\":[{\"key_id\":\"a\",\"pubkey\":\"") + kKeyA +
                                     "\"},{\"key_id\":\"a2\",\"pubkey\":\"" + kKeyA +
                                     "\"}],\"threshold\":2}");
  // The signer set is read before anything else (verify-db: before the database is looked at).
  expect_refused(
      {"allowlist", "verify-db", "--db", dir_.file("none.db"), "--signers", dir_.file("twice.json")},
      "DUPLICATE_PUBKEY");
}

TEST_F(Issue21, ThresholdMayRaiseButNeverLowerTheSetsOwn) {
  expect_refused({"allowlist", "verify-db", "--db", dir_.file("none.db"), "--signers",
                  dir_.file("signers.json"), "--threshold", "1"},
                 "never lower it");
  const ProcessResult raised = run({"allowlist", "verify-db", "--db", dir_.file("none.db"), "--signers",
                                    dir_.file("signers.json"), "--threshold", "2"});
  EXPECT_EQ(raised.err.find("--threshold"), std::string::npos) << raised.err;
}

TEST_F(Issue21, AMnemonicInAWorldReadableFileIsRefusedLikeABearerToken) {
  write(dir_.file("mnemonic"), std::string(kMnemonic) + "\n");
  ASSERT_EQ(::chmod(dir_.file("mnemonic").c_str(), 0644), 0);
  expect_refused({"tx", "send", "--offline", "--mnemonic-file", dir_.file("mnemonic"), "--to",
                  "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5", "--amount", "1ustake", "--chain-id", "t",
                  "--fees", "1ustake", "--account-number", "1", "--sequence", "0"},
                 "chmod 600 it");
}

TEST_F(Issue21, ANonLoopbackListenWithoutABearerTokenIsRefusedUnlessMeant) {
  const std::string base =
      "[chain]\nchain_id = \"c\"\nrpc = [\"http://127.0.0.1:1\"]\n\n[relayer]\noperator = "
      "\"cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8\"\n\n[api]\nlisten = \"0.0.0.0:8080\"\n";
  write(dir_.file("open.toml"), base);
  expect_refused({"config", "check", dir_.file("open.toml")}, "api.listen");
  write(dir_.file("meant.toml"), base + "insecure_listen = true\n");
  const ProcessResult meant = run({"config", "check", dir_.file("meant.toml")});
  EXPECT_EQ(meant.err.find("api.listen"), std::string::npos) << meant.err;
}

TEST_F(Issue21, ANegativeEpochIsRefusedNotWrappedTo2To64Minus1) {
  const ProcessResult r =
      run({"query", "snpattest", "attestation", "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8", "-1",
           "--node", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.find("18446744073709551615"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace snprelay::testing
