// Issue #10 acceptance: a 4-validator snpattestd localnet on loopback keeps producing blocks with one
// node SIGKILLed (3 of 4 equal validators are > 2/3 of the power), and a bound simulated report still
// lands through the remaining nodes: every snprelay command is given all four --node URLs with the
// killed one FIRST, so each call fails over past it.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "tests/integration/onchain/onchain_env.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

std::int64_t height_at(const std::string& url) {
  auto client = client_for({url});
  auto st = client->status();
  return st.ok() ? st->latest_block_height : -1;
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
  ::testing::AddGlobalTestEnvironment(new snprelay::testing::OnchainEnv({4, "snpdev-1", "500ms", 10}));
  return RUN_ALL_TESTS();
}
