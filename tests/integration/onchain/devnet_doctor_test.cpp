// Issue #13 point 4: `snprelay doctor` and `snprelay status` as processes against the shared devnet,
// with a relayer registered by setup_relayer (simulate mode, KDS down, the firmware supplying the VCEK).
// doctor: every check has a line, the simulated firmware is a warning, a wrong chain id and a relayer
// key the chain does not know are failures (exit 1). status without a daemon: the journal's view, or
// exit 3 when there is no journal either. No daemon is started (devnet_daemon_test covers the API).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "relayer/daemon/journal.hpp"
#include "tests/integration/background_process.hpp"
#include "tests/integration/loopback_http.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

// The last three are start's own startup checks (issue 21: doctor fails wherever start would).
const char* const kChecks[] = {"evidence",  "kds", "chain",  "relayer", "key", "tpm",
                               "allowlist", "tcb", "daemon", "journal", "api"};

class DevnetDoctor : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    setup_ = setup_relayer(dir_, OnchainEnv::devnet().rpc());
    ASSERT_FALSE(HasFailure());
  }

  // The doctor's JSON as check -> {level, detail}, in order; fails the test on a non-array answer.
  std::vector<std::pair<std::string, json>> doctor(const std::string& config, int expected_exit) const {
    auto r = snprelay({"doctor", "--config", config, "--json"}, setup_.keyring);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    const json j = json_of(r);
    EXPECT_TRUE(j.is_array()) << r.out;
    std::vector<std::pair<std::string, json>> out;
    for (const auto& c : j.is_array() ? j : json::array())
      out.emplace_back(c.value("check", ""), c);
    return out;
  }

  // A copy of the configuration with `from` replaced by `to` (once).
  std::string edited_config(const std::string& name, const std::string& from, const std::string& to) {
    std::ifstream in(setup_.config);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
      s.replace(at, from.size(), to);
    std::string path = dir_.file(name);
    std::ofstream(path) << s;
    return path;
  }

  // The `field` ("level" or "detail") of check `name`; "missing" when there is no such check.
  static std::string field_of(const std::vector<std::pair<std::string, json>>& checks,
                              const std::string& name, const char* field) {
    for (const auto& [n, c] : checks)
      if (n == name)
        return c.value(field, "");
    return "missing";
  }
  static std::string level_of(const std::vector<std::pair<std::string, json>>& checks,
                              const std::string& name) {
    return field_of(checks, name, "level");
  }
  static std::string detail_of(const std::vector<std::pair<std::string, json>>& checks,
                               const std::string& name) {
    return field_of(checks, name, "detail");
  }

  testing::TempDir dir_{"doctor"};
  RelayerSetup setup_;
};

TEST_F(DevnetDoctor, RegisteredRelayerPassesWithTheSimulationAsAWarning) {
  auto checks = doctor(setup_.config, 0);
  ASSERT_EQ(checks.size(), std::size(kChecks));
  for (std::size_t i = 0; i < checks.size(); ++i)
    EXPECT_EQ(checks[i].first, kChecks[i]);
  EXPECT_EQ(level_of(checks, "evidence"), "warn");
  EXPECT_NE(detail_of(checks, "evidence").find("simulated"), std::string::npos);
  EXPECT_EQ(level_of(checks, "kds"), "warn") << detail_of(checks, "kds");  // KDS down, VCEK from the firmware
  EXPECT_EQ(level_of(checks, "chain"), "ok") << detail_of(checks, "chain");
  EXPECT_NE(detail_of(checks, "chain").find(OnchainEnv::devnet().chain_id()), std::string::npos);
  EXPECT_EQ(level_of(checks, "relayer"), "ok") << detail_of(checks, "relayer");
  EXPECT_NE(detail_of(checks, "relayer").find(setup_.relayer), std::string::npos);
  EXPECT_EQ(level_of(checks, "key"), "ok") << detail_of(checks, "key");
  EXPECT_EQ(level_of(checks, "tpm"), "ok") << detail_of(checks, "tpm");
  // No local allowlist copy yet: a warning, and the TCB cannot be compared with the chain's minimum.
  EXPECT_EQ(level_of(checks, "allowlist"), "warn") << detail_of(checks, "allowlist");
  EXPECT_NE(detail_of(checks, "allowlist").find("signer set pinned = chain's"), std::string::npos);
  EXPECT_EQ(level_of(checks, "tcb"), "warn") << detail_of(checks, "tcb");
  EXPECT_EQ(level_of(checks, "daemon"), "ok") << detail_of(checks, "daemon");
  EXPECT_NE(detail_of(checks, "daemon").find("not running"), std::string::npos)
      << detail_of(checks, "daemon");
  EXPECT_EQ(level_of(checks, "journal"), "ok") << detail_of(checks, "journal");
  EXPECT_EQ(level_of(checks, "api"), "ok") << detail_of(checks, "api");

  // With the copy synced, the allowlist is current and the report's TCB meets the chain's minimum.
  auto sync = snprelay({"allowlist", "sync", "--config", setup_.config}, setup_.keyring);
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  checks = doctor(setup_.config, 0);
  EXPECT_EQ(level_of(checks, "allowlist"), "ok") << detail_of(checks, "allowlist");
  EXPECT_EQ(level_of(checks, "tcb"), "ok") << detail_of(checks, "tcb");

  // The text form: one "level  check  detail" line per check, in order.
  auto text = snprelay({"doctor", "--config", setup_.config}, setup_.keyring);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  std::istringstream lines(text.out);
  std::string line;
  for (const char* name : kChecks) {
    ASSERT_TRUE(std::getline(lines, line)) << text.out;
    EXPECT_NE(line.find(std::string("  ") + name + " "), std::string::npos) << line;
  }
}

TEST_F(DevnetDoctor, WrongChainIdFailsNamingBothIds) {
  const std::string& real = OnchainEnv::devnet().chain_id();
  const std::string config =
      edited_config("wrong-chain.toml", "chain_id = \"" + real + "\"", "chain_id = \"not-" + real + "\"");
  const auto checks = doctor(config, 1);
  EXPECT_EQ(level_of(checks, "chain"), "fail");
  EXPECT_NE(detail_of(checks, "chain").find("\"" + real + "\""), std::string::npos)
      << detail_of(checks, "chain");
  EXPECT_NE(detail_of(checks, "chain").find("\"not-" + real + "\""), std::string::npos);
  // What needs the chain is skipped, and never ok.
  EXPECT_EQ(level_of(checks, "relayer"), "fail");
  EXPECT_NE(detail_of(checks, "relayer").find("skipped"), std::string::npos);
  EXPECT_NE(level_of(checks, "allowlist"), "ok");
}

TEST_F(DevnetDoctor, KeyTheChainDoesNotKnowAsRelayerFails) {
  auto add =
      snprelay({"keys", "add", "fresh", "--mnemonic-out", dir_.file("fresh.mnemonic")}, setup_.keyring);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string config = edited_config("fresh.toml", "name = \"relayer\"", "name = \"fresh\"");
  const auto checks = doctor(config, 1);
  EXPECT_EQ(level_of(checks, "relayer"), "fail");
  const std::string detail = detail_of(checks, "relayer");
  EXPECT_NE(detail.find(setup_.relayer), std::string::npos) << detail;  // what the chain has
  EXPECT_NE(detail.find("snprelay tx set-relayer"), std::string::npos) << detail;
  EXPECT_EQ(level_of(checks, "key"), "ok") << detail_of(checks, "key");
}

TEST_F(DevnetDoctor, KdsThatAnswersIsReachableAndAMissingPassphraseFailsWithoutAPrompt) {
  // Any HTTP answer shows the KDS is there (the bare base URL is not a resource: 404).
  LoopbackHttp kds({{404, "not found", {}}});
  const std::string config = edited_config("kds.toml", "http://127.0.0.1:9/vcek/v1", kds.base() + "/vcek/v1");
  auto checks = doctor(config, 0);
  EXPECT_EQ(level_of(checks, "kds"), "ok") << detail_of(checks, "kds");
  EXPECT_NE(detail_of(checks, "kds").find("reachable"), std::string::npos);
  EXPECT_GE(kds.count(), 1u);  // one GET

  // No SNPRELAY_KEY_PASSPHRASE and no terminal: the key check fails naming the variable (exit 1).
  auto r = run_process(
      {"/usr/bin/env", "-u", "SNPRELAY_KEY_PASSPHRASE", SNPRELAY_BIN, "doctor", "--config", config},
      {{"SNPRELAY_KEYRING_DIR", setup_.keyring}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string key_line;
  for (std::istringstream lines(r.out); std::getline(lines, key_line);)
    if (key_line.find("  key ") != std::string::npos)
      break;
  EXPECT_EQ(key_line.rfind("fail", 0), 0u) << r.out;
  EXPECT_NE(key_line.find("SNPRELAY_KEY_PASSPHRASE"), std::string::npos) << r.out;
}

TEST_F(DevnetDoctor, StatusWithoutDaemonReadsTheJournalOrExitsThree) {
  // No daemon, no journal: neither view is there.
  auto none = snprelay({"status", "--config", setup_.config}, setup_.keyring);
  EXPECT_EQ(none.exit_code, 3) << none.out << none.err;
  EXPECT_NE(none.err.find("/v1/status"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("journal"), std::string::npos) << none.err;

  // An empty journal: the daemon's view from it, no epochs yet.
  ASSERT_TRUE(daemon::Journal::open(dir_.file("journal.db")).ok());
  auto empty = snprelay({"status", "--config", setup_.config}, setup_.keyring);
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("daemon not running (from the journal"), std::string::npos) << empty.out;
  EXPECT_NE(empty.out.find("no epochs yet"), std::string::npos) << empty.out;
  EXPECT_NE(empty.out.find(setup_.operator_address), std::string::npos) << empty.out;

  // A committed row shows with its height and hash, and in the counts.
  {
    auto j = daemon::Journal::open(dir_.file("journal.db"));
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE(j->prepare(setup_.operator_address, 7, 100).ok());
    ASSERT_TRUE(j->mark_committed(setup_.operator_address, 7, 42, 101).ok());
  }
  auto one = snprelay({"status", "--config", setup_.config, "--json"}, setup_.keyring);
  EXPECT_EQ(one.exit_code, 0) << one.err;
  const json v = json_of(one);
  ASSERT_TRUE(v.contains("epochs")) << one.out;
  ASSERT_EQ(v["epochs"].size(), 1u) << one.out;
  EXPECT_EQ(v["epochs"][0].value("epoch", 0), 7);
  EXPECT_EQ(v["epochs"][0].value("state", ""), "committed");
  EXPECT_EQ(v["epochs"][0].value("height", 0), 42);
  EXPECT_EQ(v["counts"].value("committed", 0), 1);
}

TEST_F(DevnetDoctor, StatusAsksTheRunningDaemonsApiFirst) {
  BackgroundProcess daemon({SNPRELAY_BIN, "start", "--config", setup_.config}, dir_.file("daemon.log"),
                           std::chrono::seconds(40));  // SIGTERM lets a pass in progress finish
  json view;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline && !daemon.exited()) {
    auto r = snprelay({"status", "--config", setup_.config, "--json"}, setup_.keyring);
    view = json_of(r);
    if (r.exit_code == 0 && view.value("source", "").starts_with("api "))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(view.is_object());
  EXPECT_EQ(view.value("source", ""), "api " + setup_.api("/v1/status")) << view.dump();
  EXPECT_EQ(view.value("operator", ""), setup_.operator_address);
  EXPECT_EQ(view.value("relayer", ""), setup_.relayer);
  EXPECT_TRUE(view.contains("counts")) << view.dump();  // the journal, read beside the running daemon
  EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace snprelay::testing
