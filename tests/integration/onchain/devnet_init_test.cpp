// Issue #13 point 5: `snprelay init --devnet devnet.json` on the shared devnet writes a configuration
// that passes `config check`, imports the relayer key, registers the relayer on chain (or sees that it
// is already registered and sends nothing), and refuses to write over an existing home. The daemon is
// not started here (the daemon tests do that).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST(DevnetInit, WritesAWorkingHomeRegistersTheRelayerAndNeverOverwritesIt) {
  ASSERT_TRUE(devnet_ready());
  Devnet& net = OnchainEnv::devnet();
  // Validator 0 is the daemon tests' one; a 1-validator devnet has only it, and re-registering the
  // same relayer for it is harmless (init then sends nothing, or the same MsgSetRelayer).
  const std::size_t index = net.info().at("validators").size() > 1 ? 1 : 0;
  const nlohmann::json& v = net.info().at("validators").at(index);
  const std::string operator_address = v.at("operator").get<std::string>();
  const std::string relayer = v.at("relayer").get<std::string>();
  const std::string manifest = (net.dir() / "home" / "devnet.json").string();
  TempDir dir("init");
  const std::string home = dir.file("relayer");
  const std::string config = home + "/snprelay.toml";
  const std::vector<std::string> init = {
      "init",   "--devnet", manifest,      "--validator",  std::to_string(index),
      "--home", home,       "--sim-state", net.sim_state()};

  auto first = snprelay(init);
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  EXPECT_NE(first.out.find("snprelay start --config " + config), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("SNPRELAY_KEY_PASSPHRASE"), std::string::npos) << first.out;
  EXPECT_EQ(mode_of(config), 0600u);
  EXPECT_EQ(mode_of(home), 0700u);

  // The file loads and says what init was asked for.
  auto check = snprelay({"config", "check", config, "--json"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  const nlohmann::json c = json_of(check);
  EXPECT_EQ(c["enclave"]["hardware_mode"], "simulate");
  EXPECT_EQ(c["enclave"]["sev_snp"]["sim_state_dir"], net.sim_state());
  EXPECT_EQ(c["chain"]["chain_id"], net.chain_id());
  EXPECT_EQ(c["chain"]["rpc"], net.info().at("rpc"));
  EXPECT_EQ(c["chain"]["gas_price"], net.gas_price());
  EXPECT_EQ(c["relayer"]["operator"], operator_address);
  EXPECT_EQ(c["allowlist"]["threshold"], net.info().at("threshold"));
  EXPECT_EQ(c["allowlist"]["signers"].size(), net.info().at("signers").size());

  // The relayer key is in RH/keys under "relayer", for the devnet's relayer address.
  auto key = snprelay({"keys", "show", "relayer", "--address", "--keyring-dir", home + "/keys"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_EQ(key.out, relayer + "\n");

  // The chain's relayer for the operator is the devnet's relayer.
  auto on_chain = query_snpattest({"relayer", operator_address}, net.rpc().at(0), "");
  EXPECT_EQ(on_chain.value("relayer", ""), relayer) << on_chain.dump();

  // A second run into the same home is refused and leaves the file as it was.
  const std::string before = read_file(config);
  auto second = snprelay(init);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("CONFIG_EXISTS"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(config), std::string::npos) << second.err;
  EXPECT_EQ(read_file(config), before);

  // Another home for the same validator: the relayer is registered already, so nothing is sent.
  std::vector<std::string> other = init;
  other[6] = dir.file("again");
  auto again = snprelay(other);
  ASSERT_EQ(again.exit_code, 0) << again.err << again.out;
  EXPECT_NE(again.out.find("already registered"), std::string::npos) << again.out;

  // A validator the devnet does not have is named.
  std::vector<std::string> missing = init;
  missing[4] = "7";
  missing[6] = dir.file("missing");
  auto bad = snprelay(missing);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("BAD_VALIDATOR"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--validator 7"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace snprelay::testing
