// Issue #13 crash matrix: `snprelay start` killed with SIGKILL at each journal step, then restarted with
// the same journal. An RPC proxy in front of the node (tests/integration/rpc_proxy.hpp) freezes the
// daemon at the step: holding broadcast_tx_sync stops it after the write-ahead record and before the node
// saw the bytes; holding `tx` stops it after the broadcast and before the confirmation. After the
// restart the epoch must land with the SAME transaction the journal recorded before the kill (never a
// second, different submission), and an epoch committed before the kill is never submitted again.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "relayer/daemon/journal.hpp"
#include "tests/integration/background_process.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/integration/rpc_proxy.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using daemon::Entry;
using daemon::Journal;
using daemon::State;

class DevnetCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    proxy_ = proxy_for(OnchainEnv::devnet().rpc().at(0));
    setup_ = setup_relayer(dir_, {proxy_->url()});
    ASSERT_FALSE(HasFailure());
    auto client = client_for(OnchainEnv::devnet().rpc());
    wait_for_new_epoch(*client);  // nobody has attested the epoch the daemon starts in
  }

  void start() {
    daemon_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{SNPRELAY_BIN, "start", "--config", setup_.config},
        dir_.file("daemon-" + std::to_string(++starts_) + ".log"), std::chrono::seconds(40));
    ASSERT_TRUE(daemon_->running());
  }
  void kill9() {
    ASSERT_EQ(::kill(daemon_->pid(), SIGKILL), 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!daemon_->exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(daemon_->exited());
  }

  // Every daemon log of this test, for failure messages.
  std::string logs() const {
    std::string all;
    for (int i = 1; i <= starts_; ++i) {
      std::ifstream in(dir_.file("daemon-" + std::to_string(i) + ".log"));
      all += "--- daemon start " + std::to_string(i) + "\n" +
             std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  // The journal's rows as a reader beside the daemon sees them.
  std::vector<Entry> rows() const {
    auto j = Journal::open_read_only(dir_.file("journal.db"));
    if (!j.ok())
      return {};
    auto r = j->recent(100);
    return r.ok() ? *r : std::vector<Entry>{};
  }
  std::optional<Entry> row_in(State state) const {
    for (const Entry& e : rows()) {
      if (e.state == state)
        return e;
    }
    return std::nullopt;
  }
  // Waits for `pred` on the journal (true) or the deadline (false).
  template <typename Pred>
  bool wait_until(Pred pred, std::chrono::seconds limit = std::chrono::seconds(60)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // After the restart: the epoch of `recorded` lands with exactly the recorded transaction.
  void expect_lands_with_recorded_tx(const Entry& recorded) {
    ASSERT_TRUE(wait_until([&] {
      for (const Entry& e : rows()) {
        if (e.epoch == recorded.epoch && e.state == State::kCommitted)
          return true;
      }
      return false;
    })) << "epoch "
        << recorded.epoch << " was not committed after the restart";
    for (const Entry& e : rows()) {
      if (e.epoch != recorded.epoch)
        continue;
      EXPECT_EQ(e.txhash, recorded.txhash) << "a second, different submission for epoch " << e.epoch;
      EXPECT_EQ(e.tx_bytes, recorded.tx_bytes);
      EXPECT_GT(e.height, 0);
    }
    auto j = Journal::open_read_only(dir_.file("journal.db"));
    ASSERT_TRUE(j.ok());
    auto history = j->history(setup_.operator_address, recorded.epoch);
    ASSERT_TRUE(history.ok());
    for (const auto& t : *history)
      EXPECT_EQ(t.detail.find("replaced"), std::string::npos) << "the recorded tx was replaced: " << t.detail;
    const auto rec = query_snpattest({"attestation", setup_.operator_address, std::to_string(recorded.epoch)},
                                     OnchainEnv::devnet().rpc().at(0), setup_.keyring);
    EXPECT_EQ(rec.value("relayer", ""), setup_.relayer);
  }

  testing::TempDir dir_{"crash"};
  std::unique_ptr<RpcProxy> proxy_;
  RelayerSetup setup_;
  std::unique_ptr<BackgroundProcess> daemon_;
  int starts_ = 0;
};

TEST_F(DevnetCrash, KilledAfterTheWriteAheadRecordBeforeTheBroadcast) {
  proxy_->hold("broadcast_tx_sync");
  start();
  ASSERT_TRUE(wait_until([&] { return proxy_->waiting() > 0; })) << "the daemon never broadcast\n" << logs();
  const auto recorded = row_in(State::kBroadcast);
  ASSERT_TRUE(recorded.has_value()) << "the signed bytes were not in the journal before the broadcast";
  kill9();
  proxy_->discard();  // the bytes never reached the node
  start();
  expect_lands_with_recorded_tx(*recorded);
}

TEST_F(DevnetCrash, KilledAfterTheBroadcastBeforeTheConfirmation) {
  proxy_->hold("tx");
  start();
  ASSERT_TRUE(wait_until([&] { return proxy_->waiting() > 0 && proxy_->seen("broadcast_tx_sync") > 0; }))
      << "the daemon never asked for its tx\n"
      << logs();
  const auto recorded = row_in(State::kBroadcast);
  ASSERT_TRUE(recorded.has_value());
  kill9();
  proxy_->discard();
  start();
  expect_lands_with_recorded_tx(*recorded);
}

TEST_F(DevnetCrash, KilledAfterTheConfirmationNothingIsSubmittedAgain) {
  start();
  ASSERT_TRUE(wait_until([&] { return row_in(State::kCommitted).has_value(); })) << logs();
  const Entry committed = *row_in(State::kCommitted);
  kill9();
  const int broadcasts = proxy_->seen("broadcast_tx_sync");
  start();
  // The restarted daemon moves on to the next epoch; the committed one is left alone.
  ASSERT_TRUE(wait_until([&] {
    for (const Entry& e : rows()) {
      if (e.epoch > committed.epoch && e.state == State::kCommitted)
        return true;
    }
    return false;
  })) << "no later epoch was attested after the restart\n"
      << logs();
  EXPECT_GT(proxy_->seen("broadcast_tx_sync"), broadcasts);  // the later epoch's
  auto j = Journal::open_read_only(dir_.file("journal.db"));
  ASSERT_TRUE(j.ok());
  auto history = j->history(setup_.operator_address, committed.epoch);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u) << "prepared, broadcast, committed: nothing after the restart";
  for (const Entry& e : rows()) {
    if (e.epoch == committed.epoch) {
      EXPECT_EQ(e.txhash, committed.txhash);
      EXPECT_EQ(e.state, State::kCommitted);
    }
  }
}

}  // namespace
}  // namespace snprelay::testing
