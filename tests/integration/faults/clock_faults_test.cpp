// Fault matrix, the wall clock: an NTP step while the daemon runs. The daemon is started under
// libfaketime (LD_PRELOAD, Debian package `faketime`) reading its offset from a file in the case's
// directory on every clock call (FAKETIME_NO_CACHE=1), with CLOCK_MONOTONIC left real
// (FAKETIME_DONT_FAKE_MONOTONIC=1): only CLOCK_REALTIME — time(), system_clock — jumps, as under a
// real step. The file starts at "+0"; the test rewrites it (write + rename, never a half-written file):
//   * forward: "+7200" (+2 h) while running;
//   * backward: "-7200" (-2 h) while running, then back to "+0".
// The wall clock feeds the journal's times, the KDS cache's TTL, certificate checks and the log; epoch
// timing and timeouts use the monotonic clock. What must hold: every epoch keeps landing, no pass fails,
// one submission per epoch. The jump must really bite: the journal rows written after it carry the
// shifted time (a case where the offset never reached the daemon fails). Recovery is measured from the
// jump to the first epoch committed after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "tests/integration/faults/fault_case.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
constexpr std::int64_t kJump = std::int64_t{2} * 3600;
// How far a journal time may be from (real time + offset) when the test reads it: the row was written
// at most one epoch before, plus scheduling slack.
constexpr std::int64_t kSlack = 60;

std::int64_t real_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

class ClockFaults : public FaultCase {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kFaketime))
      GTEST_SKIP() << kFaketime << " is missing: install the Debian package faketime";
    FaultCase::SetUp();
  }

  [[nodiscard]] std::string offset_file() const { return dir_.file("faketime.rc"); }

  // Sets the daemon's wall-clock offset ("+0", "+7200", "-7200"): written beside, then renamed over.
  void set_offset(const std::string& offset) {
    const std::string tmp = offset_file() + ".new";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << offset << "\n";
    }
    std::filesystem::rename(tmp, offset_file());
  }

  // Configures the case and starts the daemon under libfaketime at "+0" from a fresh epoch; returns
  // the first epoch it commits, whose journal time must be the real time (0 after a failure).
  std::uint64_t start_faked() {
    configure({node()});
    if (HasFailure())
      return 0;
    set_offset("+0");
    const std::uint64_t epoch = fresh_epoch();
    start({std::string("LD_PRELOAD=") + kFaketime, "FAKETIME_TIMESTAMP_FILE=" + offset_file(),
           "FAKETIME_NO_CACHE=1", "FAKETIME_DONT_FAKE_MONOTONIC=1"});
    const std::uint64_t first = committed_above(epoch - 1, seconds(30));
    EXPECT_GT(first, 0u) << logs();
    if (first > 0)
      expect_shifted(first, 0);
    return first;
  }

  // Expects the committed row of `epoch` to carry journal times of real time + `offset` (± kSlack):
  // its commit (updated) always, its creation too when `whole_pass` (prepared after the jump).
  void expect_shifted(std::uint64_t epoch, std::int64_t offset, bool whole_pass = false) {
    const auto r = row(epoch);
    ASSERT_TRUE(r.has_value()) << "no journal row for epoch " << epoch;
    const std::int64_t expected = real_now() + offset;
    EXPECT_LE(std::llabs(r->updated_unix - expected), kSlack)
        << "epoch " << epoch << " committed at " << r->updated_unix << ", expected about " << expected
        << " (offset " << offset << " s): the clock jump did not reach the daemon\n"
        << logs();
    if (whole_pass) {
      EXPECT_LE(std::llabs(r->created_unix - expected), kSlack)
          << "epoch " << epoch << " prepared at " << r->created_unix << ", expected about " << expected;
    }
  }

  // Jumps the daemon's clock to `offset` seconds and waits for two epochs to commit after `last`: the
  // first (it may have been prepared before the jump) and one prepared and committed under it. Returns
  // the second (0 after a failure); `recovery` receives the seconds from the jump to the first commit.
  std::uint64_t jump_and_land(std::uint64_t last, std::int64_t offset, double* recovery) {
    set_offset(offset == 0 ? "+0" : (offset > 0 ? "+" : "") + std::to_string(offset));
    const auto jumped = Clock::now();
    Clock::time_point at;
    const std::uint64_t next = committed_above(last, seconds(30), &at);
    EXPECT_GT(next, last) << "no epoch landed after the jump to " << offset << " s\n" << logs();
    if (next == 0)
      return 0;
    *recovery = std::max(*recovery, seconds_between(jumped, at));
    expect_shifted(next, offset);
    const std::uint64_t second = committed_above(next, seconds(30));
    EXPECT_GT(second, next) << "no second epoch landed at " << offset << " s\n" << logs();
    if (second == 0)
      return 0;
    expect_shifted(second, offset, true);
    return second;
  }

  // The checks every case ends with: the daemon still runs, one submission per epoch, no failed pass.
  void expect_kept_attesting() {
    EXPECT_FALSE(daemon_->exited()) << logs();
    EXPECT_GT(expect_one_submission_per_epoch(), 2);
    EXPECT_EQ(line_with(daemon_->log(), "epoch pass failed"), "") << "a pass failed under the clock jump\n"
                                                                  << logs();
  }
};

TEST_F(ClockFaults, ForwardJumpOfTwoHoursWhileRunning) {
  const std::uint64_t first = start_faked();
  ASSERT_GT(first, 0u);
  double recovery = 0;
  const std::uint64_t last = jump_and_land(first, kJump, &recovery);
  ASSERT_GT(last, first);
  expect_kept_attesting();
  const int missed = epochs_missed(first, last);
  EXPECT_EQ(missed, 0) << "epochs were missed under the jump\n" << logs();
  report("clock jump +2 h while running (libfaketime; CLOCK_MONOTONIC unchanged)",
         "keeps attesting: every epoch lands, no pass fails; journal times follow the new clock (+7200 s); "
         "epoch timing runs on the monotonic clock, certificates are checked at the block's time",
         "nothing", recovery, missed);
}

TEST_F(ClockFaults, BackwardJumpOfTwoHoursThenBackWhileRunning) {
  const std::uint64_t first = start_faked();
  ASSERT_GT(first, 0u);
  double recovery = 0;
  const std::uint64_t behind = jump_and_land(first, -kJump, &recovery);
  ASSERT_GT(behind, first);
  const std::uint64_t last = jump_and_land(behind, 0, &recovery);
  ASSERT_GT(last, behind);
  expect_kept_attesting();
  const int missed = epochs_missed(first, last);
  EXPECT_EQ(missed, 0) << "epochs were missed under the jumps\n" << logs();
  report("clock jump -2 h while running, then back to +0 (libfaketime; CLOCK_MONOTONIC unchanged)",
         "keeps attesting through both steps: every epoch lands, no pass fails, no negative duration "
         "stalls a timer; journal times follow the clock (-7200 s, then real)",
         "nothing", recovery, missed);
}

}  // namespace
}  // namespace snprelay::testing
