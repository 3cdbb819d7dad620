// Fault matrix, the relayer's account and crashes:
//   * sequence mismatch storm: after each epoch the daemon commits, another process (`snprelay tx send`
//     with the relayer's own key) spends a sequence number of the relayer's account, so the daemon's
//     cached sequence is stale at every one of the next three epochs. Its submitter must see CheckTx
//     code 32, re-sign with the chain's sequence (bounded: max_sequence_retries, 3) and land the epoch;
//     the journal records each refused attempt as replaced ("refused at CheckTx"), never as a second
//     live submission. Recovery is the daemon's own "in the mempool N ms after its nonce was read",
//     re-signs included (worst of the three epochs).
//   * SIGKILL after the broadcast, before the confirmation (one of the three steps of
//     tests/integration/onchain/devnet_crash_test.cpp, which asserts all three): measured here once,
//     from the restart to the epoch committed with the bytes the journal recorded before the kill.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <regex>

#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/rpc_proxy.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

class ChainFaults : public FaultCase {};

// Replacements ("replaces H refused at CheckTx") in the history of `epoch`'s row.
int resigns(const std::string& journal, const std::string& op, std::uint64_t epoch) {
  auto j = daemon::Journal::open_read_only(journal);
  if (!j.ok())
    return -1;
  auto history = j->history(op, epoch);
  if (!history.ok())
    return -1;
  int n = 0;
  for (const auto& t : *history)
    n += t.detail.find("refused at CheckTx") != std::string::npos ? 1 : 0;
  return n;
}

TEST_F(ChainFaults, SequenceMismatchStormIsRetriedBoundedAndEveryEpochLands) {
  configure({node()});
  ASSERT_FALSE(HasFailure());
  const std::uint64_t epoch = fresh_epoch();
  start();
  std::uint64_t last = committed_above(epoch - 1, seconds(30));
  ASSERT_GT(last, 0u) << logs();
  const std::uint64_t before = last;

  int total_resigns = 0;
  for (int round = 0; round < 3; ++round) {
    // Between epochs: a tx from the relayer's account, signed by another process.
    auto sent =
        snprelay({"tx", "send", "--from", "relayer", "--to", setup_.relayer, "--amount", "1" + net().denom(),
                  "--node", node(), "--gas-prices", net().gas_price(), "--poll-interval", "0.2", "--json"},
                 setup_.keyring);
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    const std::uint64_t next = committed_above(last, seconds(20));
    ASSERT_EQ(next, last + 1) << "epoch " << last + 1 << " did not land under the storm\n" << logs();
    const int n = resigns(journal_path(), setup_.operator_address, next);
    EXPECT_GE(n, 0);
    EXPECT_LE(n, 3) << "more re-signs than max_sequence_retries";
    total_resigns += n;
    last = next;
  }
  EXPECT_GE(total_resigns, 3) << "the stale sequence was never hit: the fault did not bite\n" << logs();
  EXPECT_FALSE(daemon_->exited());
  EXPECT_GT(expect_one_submission_per_epoch(), 3);

  // The daemon's own nonce-to-mempool time for the three epochs, re-signs included.
  double worst_ms = 0;
  const std::string log = daemon_->log();
  const std::regex line(R"(epoch (\d+) in the mempool ([0-9.]+) ms)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it)
    if (std::stoull((*it)[1].str()) > before)
      worst_ms = std::max(worst_ms, std::stod((*it)[2].str()));
  EXPECT_GT(worst_ms, 0) << log;
  report("sequence mismatch storm (another process spends the relayer's sequence before each of 3 epochs)",
         "CheckTx code 32, refetch, re-sign with the chain's sequence: " + std::to_string(total_resigns) +
             " re-signs in 3 epochs (bound 3 per epoch); each refused attempt is journalled as replaced; "
             "every epoch lands (recovery = the worst nonce-to-mempool time)",
         "nothing", std::round(worst_ms) / 1000.0, epochs_missed(before, last));
}

TEST_F(ChainFaults, SigkillAfterBroadcastBeforeConfirmationRecovers) {
  const auto colon = node().rfind(':');
  RpcProxy proxy("127.0.0.1", std::stoi(node().substr(colon + 1)));
  configure({proxy.url()});
  ASSERT_FALSE(HasFailure());
  proxy.hold("tx");
  const std::uint64_t epoch = fresh_epoch();
  start();
  const auto limit = Clock::now() + seconds(30);
  while (!(proxy.waiting() > 0 && proxy.seen("broadcast_tx_sync") > 0) && Clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GT(proxy.waiting(), 0) << "the daemon never asked for its tx\n" << logs();
  const auto recorded = row(epoch);
  ASSERT_TRUE(recorded.has_value() && recorded->state == daemon::State::kBroadcast) << logs();
  daemon_->kill9();
  proxy.discard();

  const auto restarted = Clock::now();
  start();
  Clock::time_point at;
  const std::uint64_t landed = committed_above(epoch - 1, seconds(30), &at);
  ASSERT_EQ(landed, epoch) << logs();
  EXPECT_EQ(row(epoch)->txhash, recorded->txhash) << "a second, different submission";
  EXPECT_GT(expect_one_submission_per_epoch(), 0);
  report("SIGKILL after the broadcast, before the confirmation (all three journal steps: devnet_crash_test)",
         "restart: the journal's broadcast row is resolved by the recovery rules; the epoch commits with the "
         "recorded tx (same hash)",
         "nothing", seconds_between(restarted, at), 0);
}

}  // namespace
}  // namespace snprelay::testing
