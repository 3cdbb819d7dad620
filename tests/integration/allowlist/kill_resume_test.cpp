// A sync killed with SIGKILL at several points (inside and between SQLite transactions), then resumed:
// after every kill the copy opens, verify_db passes on it, its version never goes back, and a clean
// run finishes at the chain's tip.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "allowlist/store.hpp"
#include "db/database.hpp"
#include "tests/unit/allowlist/fixtures.hpp"
#include "tests/unit/temp_dir.hpp"

extern char** environ;

namespace snprelay::allowlist {
namespace {

constexpr const char* kVersions = "60";
constexpr const char* kEntries = "1500";

pid_t spawn_child(const std::string& db) {
  std::vector<std::string> args = {ALLOWLIST_SYNC_CHILD, db, kVersions, kEntries};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    return -1;
  return pid;
}

// The version the child has committed so far, read beside it (WAL readers do not block the writer).
std::uint64_t committed_version(const std::string& path) {
  db::OpenOptions ro;
  ro.read_only = true;
  auto db = db::Database::open(path, store_migrations(), ro);
  if (!db)
    return 0;
  auto s = db->prepare("SELECT version FROM meta WHERE id = 1");
  if (!s)
    return 0;
  auto step = s->step();
  return step && *step == db::Statement::Step::kRow ? static_cast<std::uint64_t>(s->column_int(0)) : 0;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(AllowlistKillResume, SigkillMidSyncThenCleanResume) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("allowlist.db");
  std::uint64_t last = 0;
  int killed_mid_sync = 0;
  // Kill once right after start, then each time the copy has moved on by a few versions.
  for (std::uint64_t target : {0ULL, 3ULL, 12ULL, 25ULL, 41ULL}) {
    const pid_t pid = spawn_child(path);
    ASSERT_GT(pid, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    if (target == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    while (target > 0 && committed_version(path) < target && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const int status = wait_exit(pid);
    const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    auto check = verify_db(path, testing::kChainId, testing::gov_set());
    if (check.ok()) {
      // Killed before the store was first created leaves no meta row: that too is a clean state.
      EXPECT_TRUE(check->ok || check->code == "META_MISSING") << check->bad_row << ": " << check->message;
    }
    auto store = Store::open(path, testing::kChainId, testing::gov_set());
    ASSERT_TRUE(store.ok()) << "after kill at target " << target << ": " << store.error().to_string();
    EXPECT_GE(store->tip().version, last);
    last = store->tip().version;
    if (was_killed && last > 0 && last < 60)
      ++killed_mid_sync;
  }
  EXPECT_GE(killed_mid_sync, 3) << "the kills did not land mid-sync; the child is too fast for the targets";
  // The clean resume.
  const pid_t pid = spawn_child(path);
  ASSERT_GT(pid, 0);
  const int status = wait_exit(pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "resume failed, status " << status;
  auto check = verify_db(path, testing::kChainId, testing::gov_set());
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_TRUE(check->ok) << check->bad_row << ": " << check->message;
  EXPECT_EQ(check->versions_checked, 60u);
  auto store = Store::open(path, testing::kChainId, testing::gov_set());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->tip().version, 60u);
  // Every third version revokes its predecessor's first entry: 60 * 1500 - 20 applied entries.
  EXPECT_EQ(store->index()->size(), 60u * 1500u - 20u);
}

}  // namespace
}  // namespace snprelay::allowlist
