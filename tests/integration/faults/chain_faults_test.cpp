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
//   * mempool full: the daemon's only endpoint is an RPC proxy that answers every broadcast_tx_sync for
//     3 s (from the first one) exactly as CometBFT v0.38 does when its mempool is full — a JSON-RPC
//     error -32603 echoing the request's id, data "error on broadcastTxSync: mempool is full: ..."
//     (mempool/errors.go ErrMempoolIsFull). Measured: what the journal row holds after a refusal, how
//     often the daemon tries again (one broadcast per pass at most: no hammering), whether the retries
//     re-send the SAME recorded bytes (no second submission), and the time from the fault's end to the
//     epoch committed.
//   * mempool full on the first of two endpoints (the proxy full for the whole case, the node itself
//     second): the broadcast fails over with the same bytes (chain/rpc/comet_client.hpp) and the epoch
//     lands in the pass that signed it. Measured from the daemon's start to the commit.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <mutex>
#include <regex>
#include <set>

#include "tests/integration/faults/proxied_case.hpp"

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
  const auto proxy = proxy_for(node());
  configure({proxy->url()});
  ASSERT_FALSE(HasFailure());
  proxy->hold("tx");
  const std::uint64_t epoch = fresh_epoch();
  start();
  const auto limit = Clock::now() + seconds(30);
  while (!(proxy->waiting() > 0 && proxy->seen("broadcast_tx_sync") > 0) && Clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GT(proxy->waiting(), 0) << "the daemon never asked for its tx\n" << logs();
  const auto recorded = row(epoch);
  ASSERT_TRUE(recorded.has_value() && recorded->state == daemon::State::kBroadcast) << logs();
  daemon_->kill9();
  proxy->discard();

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

// CometBFT v0.38's reply to broadcast_tx_sync when its mempool is full (rpc/core/mempool.go wraps the
// mempool's ErrMempoolIsFull as "error on broadcastTxSync: %v"; rpc/jsonrpc answers an internal error),
// with the id of `request_body`.
std::string mempool_full_reply(const std::string& request_body) {
  const auto request = nlohmann::json::parse(request_body, nullptr, false);
  const nlohmann::json id = request.is_object() ? request.value("id", nlohmann::json()) : nlohmann::json();
  return nlohmann::ordered_json{
      {"jsonrpc", "2.0"},
      {"id", id},
      {"error",
       {{"code", -32603},
        {"message", "Internal error"},
        {"data",
         "error on broadcastTxSync: mempool is full: number of txs 5000 (max: 5000), total txs bytes 2097152 "
         "(max: 1073741824)"}}}}
      .dump();
}

TEST_F(ChainFaults, MempoolFullIsRetriedWithTheSameBytesAndTheEpochLands) {
  constexpr auto kFault = std::chrono::seconds(3);
  std::mutex mu;                           // declared before the proxy, whose threads use them
  std::vector<Clock::time_point> refused;  // guarded by mu: when each broadcast was answered "full"
  std::set<std::string> refused_txs;       // guarded by mu: the base64 tx of each refused broadcast
  const auto proxy = proxy_for(node());
  configure({proxy->url()});  // a full mempool on the only node the daemon uses
  ASSERT_FALSE(HasFailure());
  proxy->respond("broadcast_tx_sync", [&](const std::string& body) -> std::optional<std::string> {
    std::lock_guard lock(mu);
    const auto now = Clock::now();
    if (!refused.empty() && now - refused.front() >= kFault)
      return std::nullopt;  // the fault is over: forwarded to the node
    refused.push_back(now);
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (request.is_object() && request.contains("params") && request["params"].is_object())
      refused_txs.insert(request["params"].value("tx", ""));
    return mempool_full_reply(body);
  });
  const auto refusals = [&] {
    std::lock_guard lock(mu);
    return refused;
  };

  const std::uint64_t epoch = fresh_epoch();
  start();
  const auto limit = Clock::now() + seconds(30);
  while (refusals().empty() && Clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(refusals().empty()) << "the daemon never broadcast\n" << logs();
  // The write-ahead row was recorded before the bytes were sent, and a refusal leaves it as it is.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto during = row(epoch);
  ASSERT_TRUE(during.has_value()) << logs();
  EXPECT_EQ(during->state, daemon::State::kBroadcast) << logs();
  const std::string recorded = during->txhash;

  Clock::time_point at;
  const std::uint64_t landed = committed_above(epoch - 1, seconds(40), &at);
  ASSERT_EQ(landed, epoch) << "the epoch refused by the full mempool did not land\n" << logs();
  const auto times = refusals();
  const auto fault_end = times.front() + kFault;
  EXPECT_GT(at, fault_end) << "committed while every broadcast was refused?";
  // Bounded: at most one broadcast per pass (poll_interval 500 ms), never a tight loop.
  const auto per_pass = static_cast<std::size_t>(kFault / std::chrono::milliseconds(500)) + 2;
  EXPECT_GE(times.size(), 2u) << "no retry within the fault's 3 s";
  EXPECT_LE(times.size(), per_pass) << "the daemon hammers the full node";
  double gap_min = 1e9;
  double gap_max = 0;
  for (std::size_t i = 1; i < times.size(); ++i) {
    gap_min = std::min(gap_min, seconds_between(times[i - 1], times[i]));
    gap_max = std::max(gap_max, seconds_between(times[i - 1], times[i]));
  }
  // Every retry re-sent the recorded bytes: one hash in the epoch's history, the one that committed.
  const auto committed = row(epoch);
  EXPECT_EQ(committed->txhash, recorded) << "a second, different submission after the refusal";
  EXPECT_EQ(resigns(journal_path(), setup_.operator_address, epoch), 0);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(refused_txs.size(), 1u) << "the refused broadcasts carried different transactions";
  }
  EXPECT_GT(expect_one_submission_per_epoch(), 0);
  EXPECT_FALSE(daemon_->exited());
  const std::string said = line_with(daemon_->log(), "MEMPOOL_FULL", 120);
  EXPECT_FALSE(said.empty()) << "the refusal is not in the log\n" << logs();

  char gaps[64];
  std::snprintf(gaps, sizeof gaps, "%.1f-%.1f s", times.size() > 1 ? gap_min : 0.0, gap_max);
  report(
      "mempool full (the only RPC node answers broadcast_tx_sync with CometBFT's -32603 \"mempool is "
      "full\" for 3 s)",
      "the pass fails (\"" + said +
          "\"); the journal row stays broadcast with the signed bytes; each "
          "next pass re-sends the SAME bytes (" +
          std::to_string(times.size()) + " broadcasts refused, " + gaps +
          " apart: one per pass, no backoff beyond poll_interval); the epoch lands in its own "
          "window once the mempool has room (recovery from the fault's end)",
      "nothing", seconds_between(fault_end, at), epochs_missed(epoch - 1, landed));
}

TEST_F(ChainFaults, MempoolFullOnTheFirstNodeFailsOverToTheSecond) {
  const auto proxy = proxy_for(node());
  proxy->respond("broadcast_tx_sync", [](const std::string& body) -> std::optional<std::string> {
    return mempool_full_reply(body);
  });
  configure({proxy->url(), node()});
  ASSERT_FALSE(HasFailure());
  const std::uint64_t epoch = fresh_epoch();
  const auto started = Clock::now();
  start();
  Clock::time_point at;
  const std::uint64_t landed = committed_above(epoch - 1, seconds(30), &at);
  ASSERT_EQ(landed, epoch) << logs();
  EXPECT_GE(proxy->seen("broadcast_tx_sync"), 1) << "the full node was never asked: the fault did not bite";
  EXPECT_EQ(line_with(daemon_->log(), "MEMPOOL_FULL"), "") << "a pass failed on the full mempool\n" << logs();
  EXPECT_EQ(resigns(journal_path(), setup_.operator_address, epoch), 0);
  EXPECT_GT(expect_one_submission_per_epoch(), 0);
  EXPECT_FALSE(daemon_->exited());
  daemon_.reset();  // stopped before the proxy it talks to
  report("mempool full on the first RPC node (the second healthy)",
         "the broadcast is refused \"mempool is full\" and fails over with the same bytes to the second "
         "endpoint, which takes them; the epoch lands in the pass that signed it (recovery from the daemon's "
         "start)",
         "nothing", seconds_between(started, at), 0);
}

}  // namespace
}  // namespace snprelay::testing
