// The submission journal (relayer/daemon/journal.hpp) on real SQLite files in a private temp directory:
// every allowed and refused transition, the one-live-submission rule, durability across close/reopen,
// the queries, and files that are not journals (refused, left byte-identical).
#include "relayer/daemon/journal.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iterator>

#include "chain/tx/sign_direct.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::daemon {
namespace {

const std::string kOp = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";

BroadcastRecord record(std::uint8_t fill, std::uint64_t sequence = 7) {
  BroadcastRecord r;
  r.tx_bytes = Bytes(48, fill);
  r.txhash = chain::tx::tx_hash(r.tx_bytes);
  r.sequence = sequence;
  return r;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.ok()) << j.error().to_string();
    journal_.emplace(std::move(*j));
  }
  Journal& j() { return *journal_; }

  // Drives a fresh row for `epoch` into `state` (none = no row at all).
  void reach(std::uint64_t epoch, std::optional<State> state) {
    if (!state)
      return;
    ASSERT_TRUE(j().prepare(kOp, epoch, 100).ok());
    if (*state == State::kPrepared)
      return;
    if (*state == State::kBroadcast) {
      ASSERT_TRUE(j().record_broadcast(kOp, epoch, record(0xaa), false, 110).ok());
      return;
    }
    ASSERT_TRUE(j().record_broadcast(kOp, epoch, record(0xaa), false, 110).ok());
    Status st = *state == State::kCommitted ? j().mark_committed(kOp, epoch, 500, 120)
                : *state == State::kFailed  ? j().mark_failed(kOp, epoch, "snpattest code 2", 120)
                                            : j().mark_missed(kOp, epoch, "window closed", 120);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }

  // The transition to `to` with fixed arguments; a broadcast uses bytes different from reach()'s.
  Status attempt(std::uint64_t epoch, State to) {
    switch (to) {
      case State::kPrepared:
        return j().prepare(kOp, epoch, 200);
      case State::kBroadcast:
        return j().record_broadcast(kOp, epoch, record(0xbb, 8), false, 200);
      case State::kCommitted:
        return j().mark_committed(kOp, epoch, 600, 200);
      case State::kFailed:
        return j().mark_failed(kOp, epoch, "refused", 200);
      case State::kMissed:
        return j().mark_missed(kOp, epoch, "closed", 200);
    }
    return ok_status();
  }

  testing::TempDir dir_{"snprelay-journal"};
  std::string path_ = dir_.file("journal.db");
  std::optional<Journal> journal_;
};

const std::vector<std::optional<State>> kFrom = {std::nullopt,      State::kPrepared, State::kBroadcast,
                                                 State::kCommitted, State::kFailed,   State::kMissed};
const std::vector<State> kTo = {State::kPrepared, State::kBroadcast, State::kCommitted, State::kFailed,
                                State::kMissed};

bool allowed(std::optional<State> from, State to) {
  if (!from)
    return to == State::kPrepared;
  if (*from == State::kPrepared)
    return to != State::kPrepared;
  if (*from == State::kBroadcast)
    return to != State::kPrepared && to != State::kBroadcast;  // a different tx without replace_refused
  return false;
}

TEST_F(JournalTest, EveryTransitionIsAllowedOrRefusedByTheTable) {
  std::uint64_t epoch = 1;
  for (const auto from : kFrom) {
    for (const State to : kTo) {
      const std::string label = std::string(from ? state_name(*from) : "none") + " -> " + state_name(to);
      reach(epoch, from);
      auto before = j().get(kOp, epoch);
      auto history_before = j().history(kOp, epoch);
      ASSERT_TRUE(before.ok() && history_before.ok()) << label;
      const Status st = attempt(epoch, to);
      if (allowed(from, to)) {
        EXPECT_TRUE(st.ok()) << label << ": " << (st.ok() ? "" : st.error().to_string());
        auto after = j().get(kOp, epoch);
        ASSERT_TRUE(after.ok() && after->has_value()) << label;
        EXPECT_EQ((*after)->state, to) << label;
        EXPECT_EQ(j().history(kOp, epoch)->size(), history_before->size() + 1) << label;
      } else {
        ASSERT_FALSE(st.ok()) << label;
        EXPECT_EQ(st.error().component, "daemon");
        EXPECT_EQ(st.error().code, "JOURNAL_TRANSITION") << label;
        EXPECT_EQ(st.error().kind, ErrorKind::kInternal);
        const std::string& m = st.error().message;
        EXPECT_NE(m.find(kOp), std::string::npos) << m;
        EXPECT_NE(m.find("epoch " + std::to_string(epoch)), std::string::npos) << m;
        EXPECT_NE(m.find(label), std::string::npos) << m;
        auto after = j().get(kOp, epoch);
        ASSERT_TRUE(after.ok());
        EXPECT_EQ(after->has_value(), before->has_value()) << label;
        if (after->has_value()) {
          EXPECT_EQ((*after)->state, (*before)->state) << label;
          EXPECT_EQ((*after)->txhash, (*before)->txhash) << label;
          EXPECT_EQ((*after)->updated_unix, (*before)->updated_unix) << label;
        }
        EXPECT_EQ(j().history(kOp, epoch)->size(), history_before->size()) << label;
      }
      ++epoch;
    }
  }
}

TEST_F(JournalTest, HappyPathKeepsBytesAndHistory) {
  const BroadcastRecord r = record(0x5c, 42);
  ASSERT_TRUE(j().prepare(kOp, 9, 1000).ok());
  ASSERT_TRUE(j().record_broadcast(kOp, 9, r, false, 1001).ok());
  ASSERT_TRUE(j().mark_committed(kOp, 9, 5400, 1007).ok());
  auto e = j().get(kOp, 9);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->state, State::kCommitted);
  EXPECT_EQ((*e)->txhash, r.txhash);
  EXPECT_EQ((*e)->tx_bytes, r.tx_bytes);
  EXPECT_EQ((*e)->sequence, 42u);
  EXPECT_EQ((*e)->height, 5400);
  EXPECT_EQ((*e)->created_unix, 1000);
  EXPECT_EQ((*e)->updated_unix, 1007);
  auto h = j().history(kOp, 9);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_FALSE((*h)[0].from.has_value());
  EXPECT_EQ((*h)[0].to, State::kPrepared);
  EXPECT_EQ((*h)[1].from, State::kPrepared);
  EXPECT_EQ((*h)[1].to, State::kBroadcast);
  EXPECT_EQ((*h)[1].txhash, r.txhash);
  EXPECT_EQ((*h)[1].at_unix, 1001);
  EXPECT_EQ((*h)[2].to, State::kCommitted);
  EXPECT_EQ((*h)[2].detail, "height 5400");
  EXPECT_FALSE(j().get(kOp, 10)->has_value());
  EXPECT_FALSE(j().get("cosmosvaloper1other", 9)->has_value());
}

TEST_F(JournalTest, NeverTwoDifferentLiveSubmissionsForOneEpoch) {
  const BroadcastRecord first = record(0x01, 7);
  const BroadcastRecord second = record(0x02, 8);
  ASSERT_TRUE(j().prepare(kOp, 3, 10).ok());
  ASSERT_TRUE(j().record_broadcast(kOp, 3, first, false, 11).ok());

  const Status refused = j().record_broadcast(kOp, 3, second, false, 12);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "JOURNAL_TRANSITION");
  EXPECT_NE(refused.error().message.find(first.txhash), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find(second.txhash), std::string::npos) << refused.error().message;
  EXPECT_EQ((*j().get(kOp, 3))->tx_bytes, first.tx_bytes);

  // The same bytes again (a re-send) are accepted and leave a trace.
  ASSERT_TRUE(j().record_broadcast(kOp, 3, first, false, 13).ok());
  EXPECT_EQ((*j().get(kOp, 3))->txhash, first.txhash);
  EXPECT_EQ(j().history(kOp, 3)->back().detail, "the same bytes again");

  // The chain refused `first` at CheckTx: then, and only when said so, `second` replaces it.
  ASSERT_TRUE(j().record_broadcast(kOp, 3, second, true, 14).ok());
  auto e = j().get(kOp, 3);
  EXPECT_EQ((*e)->txhash, second.txhash);
  EXPECT_EQ((*e)->tx_bytes, second.tx_bytes);
  EXPECT_EQ((*e)->sequence, 8u);
  auto history = j().history(kOp, 3);
  ASSERT_TRUE(history.ok());
  const Transition last = history->back();
  EXPECT_EQ(last.txhash, second.txhash);
  EXPECT_NE(last.detail.find("replaces " + first.txhash + " refused at CheckTx"), std::string::npos)
      << last.detail;

  // Terminal: not even a replacement.
  ASSERT_TRUE(j().mark_failed(kOp, 3, "snpattest code 2: report rejected", 15).ok());
  EXPECT_FALSE(j().record_broadcast(kOp, 3, first, true, 16).ok());
  EXPECT_EQ((*j().get(kOp, 3))->state, State::kFailed);
}

TEST_F(JournalTest, InvalidRecordsAreRefusedBeforeTouchingTheRow) {
  ASSERT_TRUE(j().prepare(kOp, 4, 10).ok());
  BroadcastRecord wrong_hash = record(0x01);
  wrong_hash.txhash = record(0x02).txhash;
  BroadcastRecord lower_case = record(0x01);
  for (char& c : lower_case.txhash)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  BroadcastRecord empty;
  empty.txhash = chain::tx::tx_hash(Bytes());
  const std::vector<std::pair<std::string, Status>> cases = {
      {"hash of other bytes", j().record_broadcast(kOp, 4, wrong_hash, false, 11)},
      {"lower-case hash", j().record_broadcast(kOp, 4, lower_case, false, 11)},
      {"no bytes", j().record_broadcast(kOp, 4, empty, false, 11)},
      {"height 0", j().mark_committed(kOp, 4, 0, 11)},
      {"no failure reason", j().mark_failed(kOp, 4, "", 11)},
      {"no missed reason", j().mark_missed(kOp, 4, "", 11)},
      {"no operator", j().prepare("", 5, 11)},
      {"epoch beyond int64", j().prepare(kOp, 0x8000000000000000ULL, 11)},
  };
  for (const auto& [name, st] : cases) {
    ASSERT_FALSE(st.ok()) << name;
    EXPECT_EQ(st.error().code, "INVALID_RECORD") << name;
    EXPECT_EQ(st.error().kind, ErrorKind::kInput) << name;
  }
  EXPECT_EQ((*j().get(kOp, 4))->state, State::kPrepared);
  EXPECT_EQ(j().history(kOp, 4)->size(), 1u);
}

TEST_F(JournalTest, SurvivesCloseAndReopen) {
  const BroadcastRecord r = record(0x77, 12);
  ASSERT_TRUE(j().prepare(kOp, 20, 50).ok());
  ASSERT_TRUE(j().record_broadcast(kOp, 20, r, false, 51).ok());
  journal_.reset();  // closes the connection

  auto reopened = Journal::open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  auto e = reopened->get(kOp, 20);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->state, State::kBroadcast);
  EXPECT_EQ((*e)->tx_bytes, r.tx_bytes);
  EXPECT_EQ((*e)->txhash, r.txhash);
  EXPECT_EQ((*e)->sequence, 12u);
  EXPECT_EQ(reopened->history(kOp, 20)->size(), 2u);
  // The rules still hold after the restart.
  EXPECT_FALSE(reopened->record_broadcast(kOp, 20, record(0x78), false, 52).ok());
  EXPECT_TRUE(reopened->mark_committed(kOp, 20, 900, 53).ok());
}

TEST_F(JournalTest, KilledWriterLeavesEveryCommittedTransition) {
  // A child process records prepared and broadcast on its own connection, then dies by SIGKILL with the
  // connection open (no checkpoint, WAL and shm left behind): both transitions must be there.
  journal_.reset();
  const BroadcastRecord r = record(0x3c, 9);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto writer = Journal::open(path_);
    if (!writer || !writer->prepare(kOp, 30, 70).ok() ||
        !writer->record_broadcast(kOp, 30, r, false, 71).ok())
      ::_exit(1);
    ::raise(SIGKILL);
    ::_exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;

  auto after = Journal::open(path_);
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  auto e = after->get(kOp, 30);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->state, State::kBroadcast);
  EXPECT_EQ((*e)->tx_bytes, r.tx_bytes);
  EXPECT_EQ(after->unfinished()->size(), 1u);
}

TEST_F(JournalTest, ReadOnlyOpenReadsBesideTheWriterAndWritesNothing) {
  reach(12, State::kBroadcast);
  auto reader = Journal::open_read_only(path_);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  auto e = reader->get(kOp, 12);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->state, State::kBroadcast);
  EXPECT_FALSE(reader->mark_committed(kOp, 12, 700, 300).ok());
  EXPECT_FALSE(reader->prepare(kOp, 13, 300).ok());
  EXPECT_EQ((*j().get(kOp, 12))->state, State::kBroadcast);
  EXPECT_FALSE(j().get(kOp, 13)->has_value());

  auto missing = Journal::open_read_only(dir_.file("absent.db"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NO_JOURNAL");
  EXPECT_EQ(missing.error().kind, ErrorKind::kInput);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("absent.db")));
}

TEST_F(JournalTest, QueriesCountRecentUnfinishedAndLastCommitted) {
  reach(5, State::kCommitted);
  reach(6, State::kFailed);
  reach(7, State::kCommitted);
  reach(8, State::kMissed);
  reach(9, State::kBroadcast);
  reach(11, State::kPrepared);
  ASSERT_TRUE(j().prepare("cosmosvaloper1second", 10, 300).ok());

  auto counts = j().counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[static_cast<std::size_t>(State::kPrepared)], 2);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(State::kBroadcast)], 1);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(State::kCommitted)], 2);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(State::kFailed)], 1);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(State::kMissed)], 1);

  auto recent = j().recent(3);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].epoch, 11u);
  EXPECT_EQ((*recent)[1].epoch, 10u);
  EXPECT_EQ((*recent)[1].operator_address, "cosmosvaloper1second");
  EXPECT_EQ((*recent)[2].epoch, 9u);
  EXPECT_EQ(j().recent(100)->size(), 7u);
  EXPECT_TRUE(j().recent(0)->empty());

  auto unfinished = j().unfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 3u);
  EXPECT_EQ((*unfinished)[0].epoch, 9u);
  EXPECT_EQ((*unfinished)[0].state, State::kBroadcast);
  EXPECT_EQ((*unfinished)[1].epoch, 10u);
  EXPECT_EQ((*unfinished)[2].epoch, 11u);

  auto transitions = j().recent_transitions(2);
  ASSERT_TRUE(transitions.ok());
  ASSERT_EQ(transitions->size(), 2u);
  EXPECT_EQ((*transitions)[0].epoch, 10u);  // the last write: prepare for the second operator
  EXPECT_EQ((*transitions)[0].operator_address, "cosmosvaloper1second");
  EXPECT_FALSE((*transitions)[0].from.has_value());
  EXPECT_EQ((*transitions)[0].at_unix, 300);
  EXPECT_EQ((*transitions)[1].epoch, 11u);
  EXPECT_EQ((*transitions)[1].to, State::kPrepared);
  // 3 + 3 + 3 + 3 (epochs 5-8) + 2 (9) + 1 (11) + 1 (the second operator's 10) transitions in all.
  EXPECT_EQ(j().recent_transitions(100)->size(), 16u);

  auto last = j().last_committed();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->epoch, 7u);
  EXPECT_EQ((*last)->height, 500);
}

TEST_F(JournalTest, EmptyJournalQueries) {
  auto counts = j().counts();
  ASSERT_TRUE(counts.ok());
  for (const std::int64_t n : *counts)
    EXPECT_EQ(n, 0);
  EXPECT_FALSE(j().last_committed()->has_value());
  EXPECT_TRUE(j().unfinished()->empty());
  EXPECT_TRUE(j().history(kOp, 1)->empty());
}

// ---- files that are not journals --------------------------------------------------------------------
class ForeignFile : public ::testing::Test {
 protected:
  void expect_refused_untouched(const std::string& path, const std::string& code) {
    const std::string before = file_bytes(path);
    ASSERT_FALSE(before.empty());
    auto j = Journal::open(path);
    ASSERT_FALSE(j.ok()) << path;
    EXPECT_EQ(j.error().code, code) << j.error().to_string();
    EXPECT_EQ(j.error().kind, ErrorKind::kInput) << j.error().to_string();
    EXPECT_NE(j.error().message.find(path), std::string::npos) << j.error().message;
    EXPECT_EQ(file_bytes(path), before) << "the file was modified";
  }
  testing::TempDir dir_{"snprelay-journal-foreign"};
};

TEST_F(ForeignFile, AnotherApplicationsDatabaseAtOurVersionIsRefused) {
  const std::string path = dir_.file("other.db");
  const db::Migration other[] = {{1,
                                  "CREATE TABLE meta (id INTEGER PRIMARY KEY, chain_id TEXT);"
                                  "INSERT INTO meta VALUES (1, 'testchain-1');"}};
  ASSERT_TRUE(db::Database::open(path, other).ok());
  expect_refused_untouched(path, "NOT_A_JOURNAL");
}

TEST_F(ForeignFile, AnUnversionedDatabaseWithTablesIsRefused) {
  const std::string path = dir_.file("plain.db");
  {
    auto db = db::Database::open(path, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');").ok());
  }
  expect_refused_untouched(path, "NOT_A_JOURNAL");
}

TEST_F(ForeignFile, ANonDatabaseFileIsRefused) {
  const std::string path = dir_.file("snprelay.toml");
  std::ofstream(path) << "[chain]\nchain_id = \"testchain-1\"\n" << std::string(200, '#') << "\n";
  expect_refused_untouched(path, "NOT_A_JOURNAL");
}

TEST_F(ForeignFile, ANewerJournalIsRefusedByTheDbLayer) {
  const std::string path = dir_.file("journal.db");
  ASSERT_TRUE(Journal::open(path).ok());
  // One version beyond the journal's newest (2 since the quarantine table, issue 21).
  const db::Migration newer[] = {{1, "SELECT 1;"}, {2, "SELECT 1;"}, {3, "CREATE TABLE future (x INTEGER);"}};
  ASSERT_TRUE(db::Database::open(path, newer).ok());
  expect_refused_untouched(path, "SCHEMA_TOO_NEW");
}

TEST_F(ForeignFile, AnEmptyFileBecomesAJournal) {
  const std::string path = dir_.file("empty.db");
  std::ofstream{path};
  auto j = Journal::open(path);
  ASSERT_TRUE(j.ok()) << j.error().to_string();
  EXPECT_TRUE(j->prepare(kOp, 1, 1).ok());
}

}  // namespace
}  // namespace snprelay::daemon
