// Issue #13 acceptance first: `snprelay start` for validator 2 with two RPC endpoints, node 0 first. Node
// 0 is SIGKILLed mid-run: the daemon fails over to node 1 and the next epoch still lands; node 0 is started
// again: once it answers, the daemon uses it again ([chain] rpc_recheck_interval, 2 s here).
//
// Issue #10 acceptance: a 4-validator snpattestd localnet on loopback keeps producing blocks with one
// node SIGKILLed (3 of 4 equal validators are > 2/3 of the power), and a bound simulated report still
// lands through the remaining nodes: every snprelay command is given all four --node URLs with the
// killed one FIRST, so each call fails over past it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/background_process.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

std::int64_t height_at(const std::string& url) {
  auto client = client_for({url});
  auto st = client->status();
  return st.ok() ? st->latest_block_height : -1;
}

TEST(Localnet, DaemonFailsOverWhenTheFirstNodeDiesAndReturnsWhenItIsBack) {
  ASSERT_TRUE(devnet_ready());
  Devnet& net = OnchainEnv::devnet();
  const auto rpc = net.rpc();
  ASSERT_EQ(rpc.size(), 4u);
  const TempDir dir("localnet-daemon");
  RelayerOptions options;
  options.validator = 2;
  options.chain_extra = "rpc_recheck_interval = \"2s\"\n";
  const RelayerSetup setup = setup_relayer(dir, {rpc[0], rpc[1]}, options);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string log_file = dir.file("daemon.log");
  const auto log = [&] { return file_text(log_file); };
  BackgroundProcess daemon({SNPRELAY_BIN, "start", "--config", setup.config}, log_file,
                           std::chrono::seconds(40));

  // The newest committed epoch above `after` (0 after a test failure at 90 s), and the endpoint the
  // daemon's last pass used.
  const auto committed_after = [&](std::uint64_t after) -> std::pair<std::uint64_t, std::string> {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline && !daemon.exited()) {
      const json s = api_json(setup.api("/v1/status"));
      for (const auto& e : s.value("epochs", json::array())) {
        if (e.value("state", "") == "committed" && e.value("epoch", 0ULL) > after)
          return {e.value("epoch", 0ULL), s.value("rpc_endpoint", "")};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ADD_FAILURE() << "no epoch above " << after << " committed within 90 s\n" << log();
    return {0, ""};
  };

  const auto [first, first_rpc] = committed_after(0);
  ASSERT_GT(first, 0u);
  EXPECT_EQ(first_rpc, rpc[0]);

  // Node 0 dies: the next epoch lands through node 1.
  ASSERT_GT(net.kill_node(0), 0);
  const auto [second, second_rpc] = committed_after(first);
  ASSERT_GT(second, first);
  EXPECT_EQ(second_rpc, rpc[1]);
  const auto scrape = curl({setup.api("/metrics")});
  const auto at = scrape.out.find("\nsnprelay_rpc_failovers_total ");
  ASSERT_NE(at, std::string::npos) << scrape.out;
  EXPECT_GE(std::stod(scrape.out.substr(at + 30)), 1.0) << scrape.out;  // each recheck of node 0 counts

  // Node 0 is back: once it has caught up, the daemon's passes use it again.
  ASSERT_GT(net.restart_node(0), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::string now_rpc;
  while (std::chrono::steady_clock::now() < deadline && now_rpc != rpc[0]) {
    ASSERT_FALSE(daemon.exited()) << log();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    now_rpc = api_json(setup.api("/v1/status")).value("rpc_endpoint", "");
  }
  EXPECT_EQ(now_rpc, rpc[0]) << log();
  const auto [third, third_rpc] = committed_after(second);
  EXPECT_GT(third, second);
  EXPECT_EQ(daemon.stop(), 0) << log();
}

TEST(Localnet, OneNodeKilledBlocksContinueAndSubmissionFailsOver) {
  ASSERT_TRUE(devnet_ready());
  Devnet& net = OnchainEnv::devnet();
  const auto rpc = net.rpc();
  ASSERT_EQ(rpc.size(), 4u);
  ASSERT_EQ(net.info().at("validators").size(), 4u);
  const json& v = net.info().at("validators").at(1);
  const std::string op = v.at("operator").get<std::string>();
  const std::string relayer = v.at("relayer").get<std::string>();
  const std::string keyring = (net.dir() / "keyring").string();
  ASSERT_EQ(snprelay({"keys", "add", "operator", "--recover", "--mnemonic-file",
                      v.at("operator_mnemonic").get<std::string>()},
                     keyring)
                .exit_code,
            0);
  ASSERT_EQ(snprelay({"keys", "add", "relayer", "--recover", "--mnemonic-file",
                      v.at("relayer_mnemonic").get<std::string>()},
                     keyring)
                .exit_code,
            0);
  std::vector<std::string> nodes;
  for (const auto& url : rpc)
    nodes.insert(nodes.end(), {"--node", url});
  auto with_nodes = [&](std::vector<std::string> args) {
    args.insert(args.end(), nodes.begin(), nodes.end());
    args.insert(args.end(), {"--timeout", "3", "--json"});
    return snprelay(std::move(args), keyring);
  };

  // Kill the first node, by PID.
  ASSERT_GT(height_at(rpc[0]), 0);
  const pid_t killed = net.kill_node(0);
  ASSERT_GT(killed, 0) << "no process of validator 0 found under snpattestd devnet start (pid " << net.pid()
                       << "): the localnet must run each validator as its own process";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(height_at(rpc[0]), -1) << "node 0 still answers";

  // Blocks keep coming on the other three.
  const std::int64_t h0 = height_at(rpc[1]);
  ASSERT_GT(h0, 0);
  std::int64_t h1 = h0;
  for (int i = 0; i < 100 && h1 < h0 + 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    h1 = height_at(rpc[2]);
  }
  EXPECT_GE(h1, h0 + 4) << "the localnet stalled with one node down";

  // Register the relayer and submit through the failover list.
  auto set = with_nodes({"tx", "set-relayer", "--from", "operator", "--operator", op, "--relayer", relayer,
                         "--poll-interval", "0.2"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  auto epoch_now = [&] {
    const json j = json_of(with_nodes({"query", "snpattest", "epoch"}));
    return j.is_object() ? j : json::object();  // before the first epoch: {}
  };
  const json first = epoch_now();
  json e = first;
  for (int i = 0; i < 300 && e.value("epoch", 0ULL) <= first.value("epoch", 0ULL); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    e = epoch_now();
  }
  ASSERT_GT(e.value("epoch", 0ULL), first.value("epoch", 0ULL)) << e.dump();
  auto bound = snprelay({"binding", "--chain-id", net.chain_id(), "--epoch",
                         std::to_string(e["epoch"].get<std::uint64_t>()), "--nonce",
                         e["nonce"].get<std::string>(), "--operator", op, "--relayer", relayer,
                         "--allowlist-version", std::to_string(e["allowlist_version"].get<std::uint64_t>())});
  ASSERT_EQ(bound.exit_code, 0) << bound.err;
  const auto dir = net.dir() / "localnet-report";
  std::filesystem::create_directories(dir);
  auto report = snprelay({"report", "get", "--simulate", "--sim-state", net.sim_state(), "--report-data",
                          bound.out.substr(0, 128), "-o", (dir / "report.bin").string(), "--certs-out",
                          (dir / "certs").string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  auto submit =
      with_nodes({"tx", "submit-attestation", "--from", "relayer", "--operator", op, "--epoch",
                  std::to_string(e["epoch"].get<std::uint64_t>()), "--report", (dir / "report.bin").string(),
                  "--vcek", (dir / "certs" / "vcek.der").string(), "--allowlist-version",
                  std::to_string(e["allowlist_version"].get<std::uint64_t>()), "--poll-interval", "0.2"});
  ASSERT_EQ(submit.exit_code, 0) << submit.out << submit.err;
  EXPECT_EQ(json_of(submit)["code"], 0);
  const json status = json_of(with_nodes({"query", "snpattest", "status", op}));
  EXPECT_EQ(status["status"], "ATTESTED") << status.dump();
  EXPECT_EQ(status["simulated"], true);
}

}  // namespace
}  // namespace snprelay::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new snprelay::testing::OnchainEnv({4, "snpdev-1", "500ms", 10, {}}));
  return RUN_ALL_TESTS();
}
