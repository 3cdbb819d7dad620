// Issue #12 acceptance, end to end on a real snpattestd devnet through the real snprelay binary: an
// operator attests with the simulated firmware (ATTESTED); governance builds an update from the chain
// (`allowlist new --from-chain`) that adds a new measurement and revokes the simulated one; one
// signature only -> the chain refuses it (snpattest code 7) and the CLI says "1 of 2 required
// signatures"; two of the three devnet signers sign, `combine` + `submit` -> applied on chain
// (version 2); `allowlist sync` brings a SQLite copy to it (pinned set from devnet.json, then from a
// config file), `verify-db` passes, and the operator whose measurement was revoked is REVOKED.
// Revoking the simulated measurement would break every later simulated submission on the shared
// devnet, so this test starts its own (chain id snpdev-al).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/onchain/onchain_env.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

class DevnetAllowlist : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = std::make_unique<Devnet>(SNPATTESTD_BIN, SNPRELAY_BIN,
                                    DevnetOptions{1, "snpdev-al", "500ms", 10, {}});
    ASSERT_TRUE(net_->error().empty()) << net_->error();
    keyring_ = (net_->dir() / "keyring").string();
    node_ = net_->rpc().at(0);
    const json& v = info().at("validators").at(0);
    operator_ = v.at("operator").get<std::string>();
    relayer_ = v.at("relayer").get<std::string>();
    import("operator", v.at("operator_mnemonic").get<std::string>());
    import("relayer", v.at("relayer_mnemonic").get<std::string>());
    for (const auto& s : info().at("signers"))
      import(s.at("key_id").get<std::string>(), s.at("mnemonic").get<std::string>());
  }

  const json& info() const { return net_->info(); }
  std::string file(const std::string& name) const { return (net_->dir() / name).string(); }
  ProcessResult cli(std::vector<std::string> args) const { return snprelay(std::move(args), keyring_); }

  void import(const std::string& name, const std::string& mnemonic) const {
    auto r = cli({"keys", "add", name, "--recover", "--mnemonic-file", mnemonic});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }

  json query(std::vector<std::string> what) const {
    return query_snpattest(std::move(what), node_, keyring_);
  }

  // Registers the relayer and lands one simulated attestation: the operator is ATTESTED. Returns the
  // report file.
  std::string attest() const {
    return attest_by_hand(*net_, node_, keyring_, operator_, relayer_, file("attest"));
  }

  std::unique_ptr<Devnet> net_;
  std::string keyring_;
  std::string node_;
  std::string operator_;
  std::string relayer_;
};

TEST_F(DevnetAllowlist, TwoOfThreeSignRevokeSimulatedSyncVerifyDbOperatorRevoked) {
  const std::string report = attest();
  ASSERT_EQ(query({"status", operator_})["status"], "ATTESTED");

  // The measurement the operator attested with is the one the devnet genesis allowed.
  auto measured = cli({"allowlist", "measure", report, "--label", "sim", "--json"});
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  const std::string simulated = json_of(measured)["measurement"];
  ASSERT_EQ(simulated.size(), 96u);
  EXPECT_EQ(json_of(measured)["add"], simulated + ":sim");
  const json before = query({"allowlist"});
  ASSERT_EQ(before["version"], 1);
  ASSERT_EQ(before["entries"].size(), 1u);
  EXPECT_EQ(before["entries"][0]["measurement"], simulated);

  // An update built from the chain: version 2 after the genesis update.
  const std::string added(96, 'a');
  auto made =
      cli({"allowlist", "new", "--from-chain", "--node", node_, "--add", added + ":image v2", "--revoke",
           simulated, "--memo", "rotate the guest image", "-o", file("update.bin"), "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const json update = json_of(made);
  EXPECT_EQ(update["version"], 2);
  EXPECT_EQ(update["chain_id"], net_->chain_id());
  EXPECT_EQ(update["prev_hash"], before["update_sha256"]);

  // Two of the three devnet signers sign; each sees what it signs, in words, first.
  const json signers = info().at("signers");
  for (int i = 0; i < 2; ++i) {
    const std::string id = signers.at(i).at("key_id");
    auto signed_ = cli({"allowlist", "sign", file("update.bin"), "--key", id, "-o", file(id + ".sig.json")});
    ASSERT_EQ(signed_.exit_code, 0) << signed_.err;
    EXPECT_NE(signed_.err.find("version 2 for chain \"" + net_->chain_id() + "\""), std::string::npos)
        << signed_.err;
    EXPECT_NE(signed_.err.find("REVOKE " + simulated), std::string::npos) << signed_.err;
    EXPECT_NE(signed_.err.find("ADD    " + added + "  \"image v2\""), std::string::npos) << signed_.err;
    EXPECT_NE(signed_.err.find("valid until: no deadline"), std::string::npos) << signed_.err;
  }
  const std::string sig1 = file(signers.at(0).at("key_id").get<std::string>() + ".sig.json");
  const std::string sig2 = file(signers.at(1).at("key_id").get<std::string>() + ".sig.json");
  const std::string manifest = (net_->dir() / "home" / "devnet.json").string();

  // Locally: one signature is below the devnet's threshold, two meet it.
  auto one_local = cli({"allowlist", "verify", file("update.bin"), sig1, "--signers", manifest});
  EXPECT_EQ(one_local.exit_code, 1) << one_local.out << one_local.err;
  EXPECT_NE(one_local.err.find("1 of 2 required signatures"), std::string::npos) << one_local.err;
  auto two_local =
      cli({"allowlist", "verify", file("update.bin"), sig1, sig2, "--signers", manifest, "--json"});
  EXPECT_EQ(two_local.exit_code, 0) << two_local.err;
  EXPECT_EQ(json_of(two_local)["signer_ids"].size(), 2u);

  // One signature only: the chain refuses (code 7) and the CLI says why.
  ASSERT_EQ(cli({"allowlist", "combine", file("update.bin"), sig1, "-o", file("one.json")}).exit_code, 0);
  auto one = cli({"allowlist", "submit", file("one.json"), "--from", "relayer", "--node", node_,
                  "--poll-interval", "0.2", "--json"});
  EXPECT_EQ(one.exit_code, 1) << one.out << one.err;
  EXPECT_EQ(json_of(one)["code"], 7) << one.out;
  EXPECT_EQ(json_of(one)["codespace"], "snpattest") << one.out;
  EXPECT_NE(one.err.find("1 of 2 required signatures"), std::string::npos) << one.err;
  EXPECT_EQ(query({"allowlist"})["version"], 1);

  // Two signatures: applied.
  auto combined = cli({"allowlist", "combine", file("update.bin"), sig1, sig2, "-o", file("msg.json")});
  ASSERT_EQ(combined.exit_code, 0) << combined.err;
  auto applied = cli({"allowlist", "submit", file("msg.json"), "--from", "relayer", "--node", node_,
                      "--poll-interval", "0.2", "--json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err << net_->log_tail(1500);
  EXPECT_EQ(json_of(applied)["code"], 0);
  const json after = query({"allowlist"});
  EXPECT_EQ(after["version"], 2);
  EXPECT_EQ(after["update_sha256"], update["update_sha256"]);
  ASSERT_EQ(after["entries"].size(), 1u);
  EXPECT_EQ(after["entries"][0]["measurement"], added);

  auto on_chain = cli({"allowlist", "show", "--node", node_, "--json"});
  ASSERT_EQ(on_chain.exit_code, 0) << on_chain.err;
  EXPECT_EQ(json_of(on_chain)["version"], 2);
  auto on_chain_text = cli({"allowlist", "show", "--node", node_});
  ASSERT_EQ(on_chain_text.exit_code, 0) << on_chain_text.err;
  EXPECT_NE(on_chain_text.out.find("REVOKE " + simulated), std::string::npos) << on_chain_text.out;

  // The operator attested with the revoked measurement: REVOKED, immediately.
  const json status = query({"status", operator_});
  EXPECT_EQ(status["status"], "REVOKED") << status.dump();

  // The relayer's SQLite copy, pinned to the devnet's signer set.
  const std::string db = file("allowlist.db");
  auto synced = cli({"allowlist", "sync", "--node", node_, "--db", db, "--signers", manifest, "--json"});
  ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
  EXPECT_EQ(json_of(synced)["to_version"], 2) << synced.out;
  EXPECT_EQ(json_of(synced)["applied"], 2) << synced.out;
  EXPECT_EQ(json_of(synced)["chain_signers_differ"], false) << synced.out;
  auto again = cli({"allowlist", "sync", "--node", node_, "--db", db, "--signers", manifest, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json_of(again)["applied"], 0);
  auto shown = cli({"allowlist", "show", "--db", db, "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json_of(shown)["version"], 2);
  EXPECT_EQ(json_of(shown)["update_sha256"], after["update_sha256"]);
  ASSERT_EQ(json_of(shown)["entries"].size(), 1u);
  EXPECT_EQ(json_of(shown)["entries"][0]["measurement"], added);
  EXPECT_EQ(json_of(shown)["revoked"][0], simulated);
  auto verified = cli({"allowlist", "verify-db", "--db", db, "--signers", manifest, "--json"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(json_of(verified)["ok"], true) << verified.out;
  EXPECT_EQ(json_of(verified)["versions_checked"], 2) << verified.out;

  // The same with the pinned set from a configuration file ([allowlist.signers] + threshold).
  std::string toml = "[chain]\nchain_id = \"" + net_->chain_id() + "\"\nrpc = [\"" + node_ +
                     "\"]\n[allowlist]\nthreshold = 2\ndb_path = \"" + file("config.db") +
                     "\"\n[allowlist.signers]\n";
  for (const auto& s : signers)
    toml += s.at("key_id").get<std::string>() + " = \"" + s.at("pubkey").get<std::string>() + "\"\n";
  std::ofstream(file("relayer.toml")) << toml;
  auto by_config = cli({"allowlist", "sync", "--config", file("relayer.toml")});
  ASSERT_EQ(by_config.exit_code, 0) << by_config.out << by_config.err;
  EXPECT_NE(by_config.out.find("-> 2"), std::string::npos) << by_config.out;
  auto vdb_config = cli({"allowlist", "verify-db", "--config", file("relayer.toml")});
  EXPECT_EQ(vdb_config.exit_code, 0) << vdb_config.out << vdb_config.err;

  // The chain now holds version 2: the next update builds on it.
  auto next = cli({"allowlist", "new", "--from-chain", "--node", node_, "--add", std::string(96, 'b'), "-o",
                   file("update3.bin"), "--json"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(json_of(next)["version"], 3);
  EXPECT_EQ(json_of(next)["prev_hash"], after["update_sha256"]);
}

}  // namespace
}  // namespace snprelay::testing
