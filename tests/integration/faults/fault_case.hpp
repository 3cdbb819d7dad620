// The fixture of every fault-matrix case (tests/integration/faults): one relayer home for the case
// (validator 0's operator and relayer on the binary's devnet, tests/integration/onchain/relayer_setup.hpp),
// `snprelay start` run as a DaemonProcess, the daemon's journal read beside it (read-only, as
// `snprelay status` does), and the measurements each case reports:
//   * committed_above(e, limit) — the first epoch above `e` the journal holds as committed, polled every
//     100 ms; its time of arrival is what recovery times are measured to;
//   * expect_one_submission_per_epoch() — no epoch got two different live submissions: for each journal
//     row, every broadcast hash but the live one is documented in the history as "replaces H refused at
//     CheckTx" (a refused tx never reaches a block), and every committed epoch has its record on chain,
//     relayed by this relayer;
//   * epochs_missed(from, to) — epochs strictly between two committed ones with no committed row;
//   * report(...) — one JSON line {"fault", "behaviour", "lost", "recovery_s", "epochs_missed"} appended
//     to the file named by SNPRELAY_FAULT_REPORT (nothing when it is unset), for scripts/fault-matrix.sh.
// Cases run one after another on one devnet and one relayer account; each waits for a fresh epoch
// before its daemon starts, so no two cases' daemons ever compete for an epoch.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "relayer/daemon/journal.hpp"
#include "tests/integration/faults/daemon_process.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {

using Clock = std::chrono::steady_clock;

// Seconds from `from` to `to`, rounded to 0.1 s.
inline double seconds_between(Clock::time_point from, Clock::time_point to) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  return static_cast<double>(ms / 100) / 10.0;
}

// The first line of `text` containing `needle` from `needle` on, trimmed to `max` characters; "" when
// there is none.
inline std::string line_with(const std::string& text, const std::string& needle, std::size_t max = 160) {
  const auto at = text.find(needle);
  if (at == std::string::npos)
    return "";
  const auto end = text.find('\n', at);
  std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  return line.size() > max ? line.substr(0, max) + "..." : line;
}

class FaultCase : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(devnet_ready()); }
  void TearDown() override {
    daemon_.reset();
    if (HasFailure())
      dir_.keep();
  }

  static Devnet& net() { return OnchainEnv::devnet(); }
  static std::string node() { return net().rpc().at(0); }

  // Writes the relayer home for `rpc` (ADD_FAILURE on a failed step).
  void configure(const std::vector<std::string>& rpc, const RelayerOptions& options = {}) {
    setup_ = setup_relayer(dir_, rpc, options);
  }
  // Replaces the first `from` in the written snprelay.toml with `to` (a setting relayer_setup fixes).
  void edit_config(const std::string& from, const std::string& to) {
    std::string text = file_text(setup_.config);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " is not in " << setup_.config;
    text.replace(at, from.size(), to);
    std::ofstream(setup_.config, std::ios::trunc) << text;
  }

  // Starts the daemon (its log: daemon-N.log in the case's directory), with `env` ("NAME=value" each)
  // added to its environment.
  void start(const std::vector<std::string>& env = {}) {
    daemon_ = std::make_unique<DaemonProcess>(setup_.config,
                                              dir_.file("daemon-" + std::to_string(++starts_) + ".log"), env);
    ASSERT_TRUE(daemon_->running());
  }
  // Every daemon log of this case, for failure messages.
  [[nodiscard]] std::string logs() const {
    std::string all;
    for (int i = 1; i <= starts_; ++i)
      all += "--- daemon start " + std::to_string(i) + "\n" +
             file_text(dir_.file("daemon-" + std::to_string(i) + ".log"));
    return all;
  }

  [[nodiscard]] std::string journal_path() const { return dir_.file("journal.db"); }
  // The journal's rows, newest epoch first ({} while it cannot be read).
  [[nodiscard]] std::vector<daemon::Entry> rows() const {
    auto j = daemon::Journal::open_read_only(journal_path());
    if (!j.ok())
      return {};
    auto r = j->recent(200);
    return r.ok() ? *r : std::vector<daemon::Entry>{};
  }
  [[nodiscard]] std::optional<daemon::Entry> row(std::uint64_t epoch) const {
    for (const auto& e : rows())
      if (e.epoch == epoch)
        return e;
    return std::nullopt;
  }

  // The lowest committed epoch above `after`, waiting up to `limit` (0 when none came, or when the
  // daemon exited); `at` receives the moment it was seen.
  std::uint64_t committed_above(std::uint64_t after, std::chrono::seconds limit,
                                Clock::time_point* at = nullptr) {
    const auto deadline = Clock::now() + limit;
    for (;;) {  // at least one look, also with a zero limit
      std::optional<std::uint64_t> best;
      for (const auto& e : rows())
        if (e.state == daemon::State::kCommitted && e.epoch > after && (!best || e.epoch < *best))
          best = e.epoch;
      if (best) {
        if (at)
          *at = Clock::now();
        return *best;
      }
      if (Clock::now() >= deadline || (daemon_ && daemon_->exited()))
        return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Runs the daemon from a fresh epoch until an epoch is committed (30 s at most), then stops it cleanly
  // (SIGTERM, exit 0); returns that epoch, 0 after a test failure.
  std::uint64_t commit_one_and_stop() {
    const std::uint64_t epoch = fresh_epoch();
    start();
    const std::uint64_t first = committed_above(epoch - 1, std::chrono::seconds(30));
    EXPECT_GT(first, 0u) << logs();
    EXPECT_EQ(daemon_->stop(), 0) << logs();
    return first;
  }

  // The chain's current epoch (0 when the query fails).
  static std::uint64_t current_epoch() {
    auto e = chain::rpc::query_current_epoch(*client_for(net().rpc()));
    return e.ok() ? e->epoch : 0;
  }
  // Waits for a fresh epoch to open (its whole window ahead); returns it.
  static std::uint64_t fresh_epoch() { return wait_for_new_epoch(*client_for(net().rpc())); }

  // Epochs strictly between `from` and `to` without a committed row.
  [[nodiscard]] int epochs_missed(std::uint64_t from, std::uint64_t to) const {
    int missed = 0;
    for (std::uint64_t e = from + 1; e < to; ++e) {
      const auto r = row(e);
      if (!r || r->state != daemon::State::kCommitted)
        ++missed;
    }
    return missed;
  }

  // See the file comment. Returns the number of rows checked.
  int expect_one_submission_per_epoch() {
    auto j = daemon::Journal::open_read_only(journal_path());
    EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().to_string());
    if (!j.ok())
      return 0;
    int checked = 0;
    for (const auto& e : rows()) {
      ++checked;
      auto history = j->history(e.operator_address, e.epoch);
      EXPECT_TRUE(history.ok());
      if (!history.ok())
        continue;
      std::set<std::string> hashes;
      std::set<std::string> replaced_refused;
      for (const auto& t : *history) {
        if (t.to != daemon::State::kBroadcast)
          continue;
        hashes.insert(t.txhash);
        if (const auto at = t.detail.find("replaces "); at != std::string::npos) {
          const auto end = t.detail.find(' ', at + 9);
          EXPECT_NE(t.detail.find("refused at CheckTx"), std::string::npos) << t.detail;
          replaced_refused.insert(t.detail.substr(at + 9, end - at - 9));
        }
      }
      for (const auto& h : hashes)
        EXPECT_TRUE(h == e.txhash || replaced_refused.contains(h))
            << "epoch " << e.epoch << ": a second live submission " << h << " beside " << e.txhash;
      if (e.state == daemon::State::kCommitted) {
        const auto rec = query_snpattest({"attestation", setup_.operator_address, std::to_string(e.epoch)},
                                         node(), setup_.keyring);
        EXPECT_EQ(rec.value("relayer", ""), setup_.relayer) << "epoch " << e.epoch << " is not on chain";
      }
    }
    return checked;
  }

  // One line of the fault matrix (see the file comment). `recovery_s` < 0 is written as null.
  // The case's directory is written as RH (the relayer home), so the lines do not change from run to run.
  void report(const std::string& fault, const std::string& behaviour, const std::string& lost,
              double recovery_s, int epochs_missed) const {
    const char* file = std::getenv("SNPRELAY_FAULT_REPORT");
    if (file == nullptr || *file == '\0')
      return;
    std::string said = behaviour;
    const std::string home = dir_.path().string();
    for (auto at = said.find(home); at != std::string::npos; at = said.find(home, at))
      said.replace(at, home.size(), "RH");
    nlohmann::ordered_json line = {
        {"fault", fault},
        {"behaviour", said},
        {"lost", lost},
        {"recovery_s", recovery_s < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(recovery_s)},
        {"epochs_missed", epochs_missed}};
    std::ofstream(file, std::ios::app) << line.dump() << "\n";
  }

  testing::TempDir dir_{"fault"};
  RelayerSetup setup_;
  std::unique_ptr<DaemonProcess> daemon_;
  int starts_ = 0;
};

}  // namespace snprelay::testing
