// Issue #13: the daemon's epoch runner (relayer/daemon/epoch_runner.hpp) in-process against the real
// devnet: registered relayer, simulated firmware, a private allowlist copy synced from the chain and a
// journal in a temp dir. Two epochs in a row are attested, each exactly once: the chain holds one
// attestation per epoch, the journal one committed row, and a second pass in the same epoch does
// nothing.
#include <gtest/gtest.h>

#include <thread>

#include "allowlist/sync.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/keys/secret_input.hpp"
#include "chain/rpc/queries.hpp"
#include "relayer/app/allowlist_files.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/verification.hpp"
#include "relayer/daemon/epoch_runner.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using daemon::EpochOutcome;
using nlohmann::json;

std::int64_t now_unix() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

class DevnetEpochRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    Devnet& net = OnchainEnv::devnet();
    const json& v = net.info().at("validators").at(0);
    operator_ = v.at("operator").get<std::string>();
    keyring_ = (net.dir() / "runner-keyring").string();
    node_ = net.rpc().at(0);
    // The operator registers the devnet's relayer account (idempotent: the same binding again).
    ASSERT_EQ(snprelay({"keys", "add", "operator", "--recover", "--mnemonic-file",
                        v.at("operator_mnemonic").get<std::string>()},
                       keyring_)
                  .exit_code,
              0);
    auto set = snprelay({"tx", "set-relayer", "--from", "operator", "--operator", operator_, "--relayer",
                         v.at("relayer").get<std::string>(), "--node", node_, "--poll-interval", "0.2"},
                        keyring_);
    ASSERT_EQ(set.exit_code, 0) << set.err;

    client_ = client_for(net.rpc());
    auto mnemonic = chain::keys::read_secret_file(v.at("relayer_mnemonic").get<std::string>());
    ASSERT_TRUE(mnemonic.ok());
    auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), "m/44'/118'/0'/0/0");
    ASSERT_TRUE(key.ok());
    chain::rpc::SubmitterOptions o;
    o.chain_id = net.chain_id();
    o.gas_price = net.gas_price();
    o.poll_interval = std::chrono::milliseconds(200);
    o.confirm_timeout = std::chrono::seconds(20);
    submitter_ = std::make_unique<chain::rpc::TxSubmitter>(*client_, std::move(*key), o);

    auto signers = app::signer_set_from_file((net.dir() / "home" / "devnet.json").string(), std::nullopt);
    ASSERT_TRUE(signers.ok()) << signers.error().to_string();
    auto store = allowlist::Store::open(dir_.file("allowlist.db"), net.chain_id(), *signers);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    store_ = std::make_unique<allowlist::Store>(std::move(*store));
    updates_ = std::make_unique<allowlist::ChainUpdateSource>(*client_);

    app::SimRequest sim;
    sim.state = net.sim_state();
    auto source = app::open_simulated_source(sim);
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    evidence_ = std::move(source->source);
    app::KdsRequest kr;
    kr.base_url = "http://127.0.0.1:9/vcek/v1";  // never asked: the simulated report carries its VCEK
    kr.cache_dir = dir_.file("kds-cache");
    auto kds = app::make_kds_client(kr);
    ASSERT_TRUE(kds.ok()) << kds.error().to_string();
    kds_ = std::move(*kds);

    auto journal = daemon::Journal::open(dir_.file("journal.db"));
    ASSERT_TRUE(journal.ok()) << journal.error().to_string();
    journal_ = std::make_unique<daemon::Journal>(std::move(*journal));

    daemon::EpochSetup setup;
    setup.chain_id = net.chain_id();
    setup.operator_address = operator_;
    setup.hardware_mode = config::HardwareMode::kSimulate;
    daemon::EpochParts parts{client_.get(),   submitter_.get(), store_.get(),   updates_.get(),
                             evidence_.get(), kds_.get(),       journal_.get(), &now_unix};
    runner_ = std::make_unique<daemon::EpochRunner>(setup, parts);
  }

  std::uint64_t next_epoch() { return wait_for_new_epoch(*client_); }

  json attestation(std::uint64_t epoch) const {
    return query_snpattest({"attestation", operator_, std::to_string(epoch)}, node_, keyring_);
  }

  testing::TempDir dir_{"runner"};
  std::string operator_;
  std::string keyring_;
  std::string node_;
  std::unique_ptr<chain::rpc::CometClient> client_;
  std::unique_ptr<chain::rpc::TxSubmitter> submitter_;
  std::unique_ptr<allowlist::Store> store_;
  std::unique_ptr<allowlist::ChainUpdateSource> updates_;
  std::unique_ptr<attest::EvidenceSource> evidence_;
  std::unique_ptr<attest::KdsClient> kds_;
  std::unique_ptr<daemon::Journal> journal_;
  std::unique_ptr<daemon::EpochRunner> runner_;
};

TEST_F(DevnetEpochRunner, TwoEpochsInARowEachAttestedExactlyOnce) {
  for (int round = 0; round < 2; ++round) {
    const std::uint64_t epoch = next_epoch();
    auto out = runner_->attest_current();
    ASSERT_TRUE(out.ok()) << out.error().to_string();
    ASSERT_EQ(out->kind, EpochOutcome::Kind::kCommitted)
        << daemon::outcome_name(out->kind) << " " << out->code << ": " << out->message;
    EXPECT_EQ(out->epoch, epoch);
    EXPECT_GT(out->height, 0);
    EXPECT_TRUE(out->simulated);
    EXPECT_GE(out->allowlist_version, 1u);

    const json rec = attestation(epoch);
    EXPECT_EQ(rec.value("relayer", ""), submitter_->address());
    EXPECT_EQ(rec.value("height", std::int64_t{0}), out->height);
    EXPECT_TRUE(rec.value("simulated", false));

    auto row = journal_->get(operator_, epoch);
    ASSERT_TRUE(row.ok() && row->has_value());
    EXPECT_EQ((*row)->state, daemon::State::kCommitted);
    EXPECT_EQ((*row)->txhash, out->txhash);

    // A second pass in the same epoch signs nothing.
    auto again = runner_->attest_current();
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    if (again->epoch == epoch) {
      EXPECT_EQ(again->kind, EpochOutcome::Kind::kAlreadyDone);
      auto history = journal_->history(operator_, epoch);
      ASSERT_TRUE(history.ok());
      EXPECT_EQ(history->size(), 3u);  // prepared, broadcast, committed: one submission
    }
  }
  auto counts = journal_->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_GE((*counts)[static_cast<std::size_t>(daemon::State::kCommitted)], 2);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(daemon::State::kFailed)], 0);
}

}  // namespace
}  // namespace snprelay::testing
