// Issue #10 acceptance on a real 1-validator snpattestd devnet with the simulated firmware, through the
// real snprelay binary: register the relayer (tx set-relayer), wait for an epoch, bind a simulated
// report to it (snprelay binding + report get), submit it (tx submit-attestation) -> accepted and
// `query snpattest status` says ATTESTED and simulated; the same submission again -> snpattest code 4;
// a wrong binding -> code 6; a correctly bound report with the debug policy bit -> code 2 naming
// DEBUG_POLICY. And every epoch's nonce equals SHA-256("snprelay/nonce/v1" || lp(chain_id) ||
// u64be(e) || previous block hash) recomputed from /block.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "chain/keys/bech32.hpp"
#include "chain/protocol/binding.hpp"
#include "tests/integration/onchain/onchain_env.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

class DevnetAttest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!OnchainEnv::devnet().error().empty())
      return;
    keyring_ = (OnchainEnv::devnet().dir() / "keyring").string();
    const json& v = OnchainEnv::devnet().info().at("validators").at(0);
    op_import_ = snprelay({"keys", "add", "operator", "--recover", "--mnemonic-file",
                           v.at("operator_mnemonic").get<std::string>(), "--json"},
                          keyring_);
    relayer_import_ = snprelay({"keys", "add", "relayer", "--recover", "--mnemonic-file",
                                v.at("relayer_mnemonic").get<std::string>(), "--json"},
                               keyring_);
  }

  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    ASSERT_EQ(op_import_.exit_code, 0) << op_import_.err;
    ASSERT_EQ(relayer_import_.exit_code, 0) << relayer_import_.err;
    const json& v = info().at("validators").at(0);
    operator_ = v.at("operator").get<std::string>();
    relayer_ = v.at("relayer").get<std::string>();
    node_ = OnchainEnv::devnet().rpc().at(0);
    // The first epoch opens at height epoch_blocks; wait for it (the devnet is fresh).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (cli({"query", "snpattest", "epoch", "--node", node_}).exit_code != 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no epoch opened within 60 s";
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // The imported keys are the devnet's accounts.
    ASSERT_EQ(json_of(relayer_import_).value("address", ""), relayer_);
    ASSERT_EQ(json_of(op_import_).value("address", ""), v.at("account").get<std::string>());
  }

  static const json& info() { return OnchainEnv::devnet().info(); }
  ProcessResult cli(std::vector<std::string> args) const { return snprelay(std::move(args), keyring_); }

  json query(std::vector<std::string> what) const {
    return query_snpattest(std::move(what), node_, keyring_);
  }

  // Waits for the next epoch to open (so its whole submit window is ahead) and returns it.
  json next_epoch() const {
    const json now = query({"epoch"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      json e = query({"epoch"});
      if (e.value("epoch", 0ULL) > now.value("epoch", 0ULL))
        return e;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    ADD_FAILURE() << "no new epoch within 60 s";
    return now;
  }

  std::string binding(const json& epoch, const std::string& relayer) const {
    auto r = cli({"binding", "--chain-id", OnchainEnv::devnet().chain_id(), "--epoch",
                  std::to_string(epoch.at("epoch").get<std::uint64_t>()), "--nonce",
                  epoch.at("nonce").get<std::string>(), "--operator", operator_, "--relayer", relayer,
                  "--allowlist-version", std::to_string(epoch.at("allowlist_version").get<std::uint64_t>())});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  // A simulated report carrying `report_data`; returns {report path, vcek path}.
  std::pair<std::string, std::string> report(const std::string& name, const std::string& report_data,
                                             const std::string& policy = "0x30000") const {
    const auto dir = OnchainEnv::devnet().dir() / name;
    std::filesystem::create_directories(dir);
    auto r = cli({"report", "get", "--simulate", "--sim-state", OnchainEnv::devnet().sim_state(),
                  "--sim-policy", policy, "--report-data", report_data, "-o", (dir / "report.bin").string(),
                  "--certs-out", (dir / "certs").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {(dir / "report.bin").string(), (dir / "certs" / "vcek.der").string()};
  }

  ProcessResult submit(const json& epoch, const std::pair<std::string, std::string>& files) const {
    return cli({"tx", "submit-attestation", "--from", "relayer", "--operator", operator_, "--epoch",
                std::to_string(epoch.at("epoch").get<std::uint64_t>()), "--report", files.first, "--vcek",
                files.second, "--allowlist-version",
                std::to_string(epoch.at("allowlist_version").get<std::uint64_t>()), "--node", node_,
                "--poll-interval", "0.2", "--json"});
  }

  static inline std::string keyring_;
  static inline ProcessResult op_import_;
  static inline ProcessResult relayer_import_;
  std::string operator_;
  std::string relayer_;
  std::string node_;
};

TEST_F(DevnetAttest, RegisterSubmitAcceptedThenDuplicateWrongBindingDebugPolicy) {
  // MsgSetRelayer, signed by the operator's account key; the default fee is the node's minimum price.
  auto set = cli({"tx", "set-relayer", "--from", "operator", "--operator", operator_, "--relayer", relayer_,
                  "--node", node_, "--poll-interval", "0.2", "--json"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  const json set_out = json_of(set);
  EXPECT_EQ(set_out["code"], 0);
  EXPECT_EQ(set_out["stage"], "delivered");
  EXPECT_GT(set_out["height"].get<std::int64_t>(), 0);
  EXPECT_EQ(set_out["txhash"].get<std::string>().size(), 64u);
  EXPECT_GT(set_out["gas_used"].get<std::int64_t>(), 0);
  EXPECT_EQ(query({"relayer", operator_})["relayer"], relayer_);
  // Signed by a key that is not the operator's: refused before anything is sent.
  auto wrong_signer = cli({"tx", "set-relayer", "--from", "relayer", "--operator", operator_, "--relayer",
                           relayer_, "--node", node_});
  EXPECT_EQ(wrong_signer.exit_code, 2) << wrong_signer.err;

  // An accepted, bound, simulated report.
  const json e = next_epoch();
  const std::string bound = binding(e, relayer_);
  ASSERT_EQ(bound.size(), 128u);
  auto nonce = from_hex(e.at("nonce").get<std::string>());
  ASSERT_TRUE(nonce.ok());
  auto expected =
      chain::protocol::report_data(OnchainEnv::devnet().chain_id(), e["epoch"].get<std::uint64_t>(), *nonce,
                                   operator_, relayer_, e["allowlist_version"].get<std::uint64_t>());
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(bound, to_hex(*expected));
  const auto good = report("good", bound);
  auto accepted = submit(e, good);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err << OnchainEnv::devnet().log_tail(1500);
  EXPECT_EQ(json_of(accepted)["code"], 0);

  const json status = query({"status", operator_});
  EXPECT_EQ(status["status"], "ATTESTED") << status.dump();
  EXPECT_EQ(status["simulated"], true);
  EXPECT_EQ(status["last_epoch"], e["epoch"]);
  EXPECT_EQ(status["relayer"], relayer_);
  EXPECT_EQ(status["measurement"].get<std::string>().size(), 96u);
  const json record = query({"attestation", operator_, std::to_string(e["epoch"].get<std::uint64_t>())});
  EXPECT_EQ(record["epoch"], e["epoch"]);
  EXPECT_EQ(record["simulated"], true);
  EXPECT_EQ(record["relayer"], relayer_);
  auto text = cli({"query", "snpattest", "status", operator_, "--node", node_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("status: ATTESTED\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("simulated: true\n"), std::string::npos) << text.out;

  // The same submission again: one record per (operator, epoch).
  auto duplicate = submit(e, good);
  EXPECT_EQ(duplicate.exit_code, 1) << duplicate.out << duplicate.err;
  EXPECT_EQ(json_of(duplicate)["code"], 4);
  EXPECT_EQ(json_of(duplicate)["codespace"], "snpattest");
  EXPECT_NE(duplicate.err.find("snpattest code 4"), std::string::npos) << duplicate.err;

  // A report bound to another relayer string: the chain recomputes the binding from the message.
  const json e2 = next_epoch();
  const auto misbound =
      report("misbound", binding(e2, info().at("validators").at(0).at("account").get<std::string>()));
  auto wrong = submit(e2, misbound);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
  EXPECT_EQ(json_of(wrong)["code"], 6) << wrong.out;
  EXPECT_NE(wrong.err.find("snpattest code 6"), std::string::npos) << wrong.err;

  // Correctly bound, but the guest policy has DEBUG (bit 19) set.
  const json e3 = next_epoch();
  const auto debug = report("debug", binding(e3, relayer_), "0xB0000");
  auto refused = submit(e3, debug);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_EQ(json_of(refused)["code"], 2) << refused.out;
  EXPECT_NE(json_of(refused).value("log", "").find("DEBUG_POLICY"), std::string::npos) << refused.out;
  // Still ATTESTED from epoch e: the refusals recorded nothing.
  EXPECT_EQ(query({"status", operator_})["last_epoch"], e["epoch"]);
}

TEST_F(DevnetAttest, EveryEpochNonceIsTheHashOfThePreviousBlock) {
  auto client = client_for(OnchainEnv::devnet().rpc());
  json e = query({"epoch"});
  if (e.value("epoch", 0ULL) < 3)
    e = next_epoch();
  const std::uint64_t current = e.at("epoch").get<std::uint64_t>();
  const std::uint64_t epoch_blocks = info().value("epoch_blocks", 10ULL);
  int checked = 0;
  for (std::uint64_t n = current; n + 3 > current && n >= 1; --n) {
    const json epoch = n == current ? e : query({"epoch-at", std::to_string(n)});
    ASSERT_EQ(epoch["epoch"], n) << epoch.dump();
    const std::int64_t start = epoch.at("start_height").get<std::int64_t>();
    EXPECT_EQ(static_cast<std::uint64_t>(start), n * epoch_blocks);  // e = h / epoch_blocks
    auto block = client->block(start);
    ASSERT_TRUE(block.ok()) << block.error().to_string();
    auto previous = client->block(start - 1);
    ASSERT_TRUE(previous.ok()) << previous.error().to_string();
    ASSERT_EQ(block->last_block_hash.size(), 32u);
    EXPECT_EQ(block->last_block_hash, previous->hash);
    auto nonce = chain::protocol::epoch_nonce(OnchainEnv::devnet().chain_id(), n, block->last_block_hash);
    ASSERT_TRUE(nonce.ok());
    EXPECT_EQ(epoch["nonce"], to_hex(*nonce)) << "epoch " << n;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST_F(DevnetAttest, QueriesAnswerOrSayNotFound) {
  const json params = query({"params"});
  EXPECT_EQ(params["epoch_blocks"], info().value("epoch_blocks", 10ULL));
  EXPECT_EQ(params["simulated_roots"].size(), 2u) << params.dump();  // DER ARK then ASK
  EXPECT_EQ(params["allow_debug"], false);
  const json signers = query({"signers"});
  EXPECT_EQ(signers["threshold"], info()["threshold"]);
  EXPECT_EQ(signers["signers"].size(), info()["signers"].size());
  const json allowlist = query({"allowlist"});
  EXPECT_GE(allowlist["version"].get<std::uint64_t>(), 1u);
  EXPECT_FALSE(allowlist["entries"].empty());
  EXPECT_EQ(allowlist["update_sha256"].get<std::string>().size(), 64u);
  const json epoch = query({"epoch"});
  for (const char* key :
       {"epoch", "nonce", "start_height", "deadline_height", "allowlist_version", "blocks_remaining"})
    EXPECT_TRUE(epoch.contains(key)) << key << " in " << epoch.dump();
  EXPECT_EQ(epoch.size(), 6u);

  // A well-formed operator address that is not a validator, and an epoch nobody attested.
  auto bytes = chain::keys::decode_address(relayer_, "cosmos");
  ASSERT_TRUE(bytes.ok());
  auto stranger = chain::keys::bech32_encode("cosmosvaloper", *bytes);
  ASSERT_TRUE(stranger.ok());
  auto missing = cli({"query", "snpattest", "status", *stranger, "--node", node_});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos) << missing.err;
  auto no_record = cli({"query", "snpattest", "attestation", operator_, "999999", "--node", node_});
  EXPECT_EQ(no_record.exit_code, 1) << no_record.out << no_record.err;
  auto not_valoper = cli({"query", "snpattest", "status", relayer_, "--node", node_});
  EXPECT_EQ(not_valoper.exit_code, 2) << not_valoper.err;
}

}  // namespace
}  // namespace snprelay::testing
