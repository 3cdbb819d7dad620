// Journal quarantine (issue 21, "the journal never blocks attestation"): one broadcast row whose tx hash
// was not 64 hex digits made every later pass fail for 12 epochs, and a well-formed row for a future
// epoch made that epoch be skipped. Rows are damaged here the way the finding did it: by SQL on the file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "chain/tx/sign_direct.hpp"
#include "relayer/daemon/journal.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::daemon {
namespace {

const std::string kOp = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";

BroadcastRecord record(std::uint8_t fill) {
  BroadcastRecord r;
  r.tx_bytes = Bytes(48, fill);
  r.txhash = chain::tx::tx_hash(r.tx_bytes);
  r.sequence = 3;
  return r;
}

// Runs `sql` on the journal file behind the Journal's back (a hand edit, another program).
void tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

class QuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.ok()) << j.error().to_string();
    journal_.emplace(std::move(*j));
  }
  Journal& j() { return *journal_; }
  void broadcast(std::uint64_t epoch, std::uint8_t fill) {
    ASSERT_TRUE(j().prepare(kOp, epoch, 100).ok());
    ASSERT_TRUE(j().record_broadcast(kOp, epoch, record(fill), false, 110).ok());
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("journal.db");
  std::optional<Journal> journal_;
};

TEST_F(QuarantineTest, BroadcastRowWithAMalformedTxHashIsMovedAsideWithItsReason) {
  broadcast(41, 0xaa);
  broadcast(42, 0xbb);
  tamper(path_, "UPDATE submissions SET txhash = 'NOT-A-HASH' WHERE epoch = 41");
  // Before: the row is there and unfinished() hands it to recovery, which asked the node for 'NOT-A-HASH'.
  auto bad = j().invalid_rows(std::nullopt);
  ASSERT_TRUE(bad.ok()) << bad.error().to_string();
  ASSERT_EQ(bad->size(), 1u);
  EXPECT_EQ((*bad)[0].epoch, 41);
  EXPECT_NE((*bad)[0].why.find("not 64 upper-case hex digits"), std::string::npos) << (*bad)[0].why;

  auto moved = j().quarantine_invalid(50, 200);
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ((*moved)[0].state, "broadcast");
  EXPECT_FALSE(j().get(kOp, 41)->has_value()) << "the epoch is handled as if it had no row";
  ASSERT_TRUE(j().get(kOp, 42)->has_value()) << "a valid row is left alone";
  EXPECT_EQ(*j().quarantined_count(), 1);
  auto unfinished = j().unfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].epoch, 42u);
  // Nothing is lost: the row's bytes are in the quarantine table.
  auto again = j().quarantine_invalid(50, 210);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(*j().quarantined_count(), 1);
}

TEST_F(QuarantineTest, EveryRuleTheTransitionsEnforceIsCheckedOnRead) {
  struct Case {
    const char* sql;
    const char* why;
  };
  const Case cases[] = {
      {"UPDATE submissions SET txhash = lower(txhash) WHERE epoch = 10", "upper-case hex"},
      {"UPDATE submissions SET tx_bytes = x'00' WHERE epoch = 10", "not the SHA-256"},
      {"UPDATE submissions SET tx_bytes = x'' WHERE epoch = 10", "no transaction bytes"},
      {"UPDATE submissions SET operator = '' WHERE epoch = 10", "no operator"},
      {"UPDATE submissions SET state = 'committed', height = 0 WHERE epoch = 10", "no block height"},
      {"UPDATE submissions SET state = 'failed', reason = '' WHERE epoch = 10", "no reason"},
      {"UPDATE submissions SET state = 'prepared' WHERE epoch = 10", "prepared row carries"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    tamper(path_, "DELETE FROM submissions; DELETE FROM quarantine");
    broadcast(10, 0xcc);
    tamper(path_, c.sql);
    auto moved = j().quarantine_invalid(10, 300);
    ASSERT_TRUE(moved.ok()) << moved.error().to_string();
    ASSERT_EQ(moved->size(), 1u);
    EXPECT_NE((*moved)[0].why.find(c.why), std::string::npos) << (*moved)[0].why;
    EXPECT_FALSE(j().get(kOp, 10)->has_value());
  }
}

TEST_F(QuarantineTest, AWellFormedRowForAnEpochTheChainHasNotReachedIsRefusedAndQuarantined) {
  // At write time: once the chain's epoch is known, a later epoch cannot be prepared.
  j().set_chain_epoch(20);
  const Status st = j().prepare(kOp, 25, 100);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "INVALID_RECORD");
  EXPECT_NE(st.error().message.find("has not reached"), std::string::npos) << st.error().message;
  EXPECT_TRUE(j().prepare(kOp, 20, 100).ok());
  // At read time: a committed row for epoch 25 (written by hand) would make epoch 25 look done.
  tamper(path_,
         "INSERT INTO submissions (operator, epoch, state, height, created_unix, updated_unix) VALUES ('" +
             kOp + "', 25, 'committed', 7, 1, 1)");
  auto moved = j().quarantine_invalid(20, 400);
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ((*moved)[0].epoch, 25);
  EXPECT_NE((*moved)[0].why.find("ahead of the chain's current epoch 20"), std::string::npos);
  EXPECT_FALSE(j().get(kOp, 25)->has_value());
  EXPECT_TRUE(j().get(kOp, 20)->has_value());
}

TEST(JournalSchema, AVersion1JournalIsStillOursAndGainsTheQuarantineTable) {
  testing::TempDir dir;
  const std::string path = dir.file("journal.db");
  {
    auto j = Journal::open(path);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE(j->prepare(kOp, 3, 100).ok());
  }
  tamper(path, "DROP TABLE quarantine; PRAGMA user_version = 1");
  auto ro = Journal::open_read_only(path);
  ASSERT_TRUE(ro.ok()) << ro.error().to_string();
  EXPECT_TRUE(ro->get(kOp, 3)->has_value());
  auto j = Journal::open(path);
  ASSERT_TRUE(j.ok()) << j.error().to_string();
  EXPECT_EQ(*j->quarantined_count(), 0);
  EXPECT_TRUE(j->get(kOp, 3)->has_value());
}

}  // namespace
}  // namespace snprelay::daemon
