// Fault matrix, local storage. The daemon commits an epoch, then:
//   * its journal (SQLite) gets 256 garbage bytes over the middle of the file while it is stopped;
//   * its allowlist copy (SQLite) likewise;
//   * the journal's disk "fills up" while it runs: RLIMIT_FSIZE is lowered on the running daemon
//     (prlimit --pid) to the current size of the journal's WAL, so the next journal write cannot grow
//     any file. Its log goes through a pipe (DaemonProcess), never to a file of its own.
// What must hold: a damaged file is refused with an error naming it and left byte-identical (sha256
// before and after), the epoch committed before the fault stays committed, and once the operator
// restores the file (or space is back) the next epoch lands. Recovery is measured from the fault's END
// (the file restored, the daemon restarted without the limit).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/run_process.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

std::string sha256_of(const std::string& path) {
  const auto r = run_process({"/usr/bin/sha256sum", path});
  return r.exit_code == 0 ? r.out.substr(0, 64) : "";
}

class StorageFaults : public FaultCase {
 protected:
  // 256 bytes of 0xA5 over the start of the middle page of the SQLite file `path` (its b-tree page
  // header and cell pointers: "the middle of the file" where it is in use — a small database's pages
  // are mostly free space, where garbage changes nothing). Returns "page N of M".
  static std::string corrupt_middle(const std::string& path) {
    const std::string bytes = file_text(path);
    const std::size_t page_size = bytes.size() > 17 ? (static_cast<unsigned char>(bytes[16]) << 8) |
                                                          static_cast<unsigned char>(bytes[17])
                                                    : 0;
    if (page_size < 512 || bytes.size() < 2 * page_size) {
      ADD_FAILURE() << path << " is not a SQLite file of two pages or more";
      return "";
    }
    const std::size_t pages = bytes.size() / page_size;
    const std::size_t middle = pages / 2;  // 0-based: page 1 is the schema
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(middle * page_size));
    f << std::string(256, '\xA5');
    return "page " + std::to_string(middle + 1) + " of " + std::to_string(pages);
  }

  // The damaged-file case for `file` (the journal or the allowlist copy); see the file comment.
  void damaged_file_is_refused(const std::string& file, const std::string& fault) {
    configure({node()});
    ASSERT_FALSE(HasFailure());
    const std::uint64_t committed = commit_one_and_stop();
    ASSERT_GT(committed, 0u);
    ASSERT_FALSE(std::filesystem::exists(file + "-wal") && std::filesystem::file_size(file + "-wal") > 0)
        << "the WAL was not checkpointed at a clean stop";
    const std::string backup = file_text(file);
    const std::string where = corrupt_middle(file);
    const std::string damaged = sha256_of(file);
    ASSERT_EQ(damaged.size(), 64u);

    start();
    const int status = daemon_->wait_exit(seconds(15));
    const std::string log = daemon_->log();
    // The documented answer (journal.hpp: NOT_A_JOURNAL, refused and left byte-identical; the same
    // probe for the allowlist copy): the daemon does not start, says which file, and touches nothing.
    ASSERT_GE(status, 0) << "the daemon runs on a damaged " << file << "\n" << logs();
    EXPECT_NE(status, 0);
    EXPECT_NE(log.find(file), std::string::npos) << "the error does not name " << file << ":\n" << log;
    EXPECT_EQ(sha256_of(file), damaged) << file << " was modified";
    const std::string said = line_with(log, "error");

    // The operator restores the file: the epoch committed before is still there and the next lands.
    std::ofstream(file, std::ios::binary | std::ios::trunc) << backup;
    const auto restored = Clock::now();
    start();
    Clock::time_point at;
    const std::uint64_t next = committed_above(committed, seconds(30), &at);
    ASSERT_GT(next, committed) << logs();
    const auto kept = row(committed);
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->state, daemon::State::kCommitted);
    EXPECT_GT(expect_one_submission_per_epoch(), 1);
    report(fault + ": 256 garbage bytes over " + where + " (while stopped)",
           "start refused (exit " + std::to_string(status) + "): \"" + said +
               "\"; the file is byte-identical (sha256); after the operator restores it the next epoch lands",
           "nothing (the file is untouched; the committed epoch is on chain and in the restored file)",
           seconds_between(restored, at), static_cast<int>(next - committed - 1));
  }
};

TEST_F(StorageFaults, CorruptJournalIsRefusedAndLeftIdentical) {
  damaged_file_is_refused(dir_.file("journal.db"), "SQLite journal");
}

TEST_F(StorageFaults, CorruptAllowlistCopyIsRefusedAndLeftIdentical) {
  damaged_file_is_refused(dir_.file("allowlist.db"), "SQLite allowlist copy");
}

TEST_F(StorageFaults, DiskFullWhileWritingTheJournal) {
  configure({node()});
  ASSERT_FALSE(HasFailure());
  const std::uint64_t epoch = fresh_epoch();
  start();
  const std::uint64_t committed = committed_above(epoch - 1, seconds(30));
  ASSERT_GT(committed, 0u) << logs();

  // No file of the daemon's may grow past the WAL's current size (soft limit; the hard one stays).
  const std::string wal = journal_path() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  const auto size = std::filesystem::file_size(wal);
  const auto limited = run_process({"/usr/bin/prlimit", "--pid", std::to_string(daemon_->pid()),
                                    "--fsize=" + std::to_string(size) + ":unlimited"});
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  const auto full = Clock::now();

  // The next epoch's first journal write needs the WAL to grow.
  const int status = daemon_->wait_exit(seconds(20));
  const double took = seconds_between(full, Clock::now());
  const std::string log = daemon_->log();
  const auto in_flight = row(committed + 1);
  std::string behaviour;
  if (status >= 0) {
    // Before issue 14's fault matrix the daemon did not ignore SIGXFSZ and died here (exit 128 +
    // SIGXFSZ); Daemon::run now ignores it, so this branch means a regression.
    ADD_FAILURE() << "the daemon exited with " << status << " when its journal could not grow\n" << log;
    behaviour =
        "killed by SIGXFSZ " + std::to_string(took).substr(0, 3) + " s after the limit (exit " +
        std::to_string(status) +
        ", finding: the signal is not ignored or handled) at the next epoch's journal write; journal row "
        "for the epoch in flight: " +
        (in_flight ? std::string(daemon::state_name(in_flight->state)) : std::string("none")) +
        "; restarted without the limit, the daemon resumes";
  } else {
    const std::string said = line_with(log, "epoch pass failed");
    EXPECT_FALSE(said.empty()) << log;
    behaviour = "keeps running; each pass fails: \"" + said + "\"; the limit lifted, the next pass lands";
  }
  EXPECT_EQ(committed_above(committed, seconds(0)), 0u) << "an epoch landed with the disk full?\n" << log;

  // Space is back.
  if (status >= 0) {
    start();
  } else {
    const auto lifted = run_process(
        {"/usr/bin/prlimit", "--pid", std::to_string(daemon_->pid()), "--fsize=unlimited:unlimited"});
    ASSERT_EQ(lifted.exit_code, 0) << lifted.err;
  }
  const auto back = Clock::now();
  Clock::time_point at;
  const std::uint64_t next = committed_above(committed, seconds(30), &at);
  ASSERT_GT(next, committed) << logs();
  EXPECT_EQ(row(committed)->state, daemon::State::kCommitted);
  EXPECT_GT(expect_one_submission_per_epoch(), 1);
  report("disk full while writing the journal (RLIMIT_FSIZE at the WAL's size)", behaviour,
         "nothing (the committed epoch stays committed; no epoch has two submissions)",
         seconds_between(back, at), static_cast<int>(next - committed - 1));
}

}  // namespace
}  // namespace snprelay::testing
