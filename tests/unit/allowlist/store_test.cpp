// The SQLite store: apply = verify then one transaction, reopen, verify_db naming the first bad row.
#include "allowlist/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "db/database.hpp"
#include "tests/unit/allowlist/fixtures.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

// Row counts of every table, to prove a refused update wrote nothing.
std::string table_counts(const std::string& path) {
  auto db = db::Database::open(path, store_migrations());
  std::string out;
  for (const char* t : {"updates", "update_signatures", "entries", "revoked", "min_tcb", "signers"}) {
    auto s = db->prepare(std::string("SELECT count(*) FROM ") + t);
    (void)s->step();
    out += std::string(t) + "=" + std::to_string(s->column_int(0)) + " ";
  }
  auto m = db->prepare("SELECT version, hex(update_hash) FROM meta");
  (void)m->step();
  return out + "meta=" + std::to_string(m->column_int(0)) + "/" + m->column_text(1);
}

// The first measurement chain_of(…) adds in version v.
Bytes chain_measurement(std::uint8_t v) {
  Bytes m = measurement(v);
  m[1] = m[2] = m[3] = 0;
  return m;
}

TEST(AllowlistStore, AppliesInOrderAndReopens) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("allowlist.db");
  const auto v = chain_of(4);
  {
    auto store = Store::open(path, kChainId, gov_set());
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    for (const auto& r : v) {
      auto a = store->apply(r);
      ASSERT_TRUE(a.ok()) << a.error().to_string();
      EXPECT_EQ(a->signer_ids, (std::vector<std::string>{"gov-0", "gov-1"}));
    }
    EXPECT_EQ(store->tip().version, 4u);
    EXPECT_EQ(store->tip().hash, update_hash(v[3].update_bytes));
    // version 3 revoked version 2's measurement
    EXPECT_EQ(store->index()->lookup(chain_measurement(2), 0).status, LookupStatus::kRevoked);
    EXPECT_EQ(store->index()->size(), 3u);
  }
  auto again = Store::open(path, kChainId, gov_set());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->tip().version, 4u);
  EXPECT_EQ(again->index()->size(), 3u);
  EXPECT_EQ(again->index()->lookup(chain_measurement(4), 0).status, LookupStatus::kAllowed);
  EXPECT_EQ(again->index()->lookup(chain_measurement(2), 0).status, LookupStatus::kRevoked);
  auto rec = again->record(2);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ(**rec, v[1]);
  auto check = verify_db(path, kChainId, gov_set());
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_TRUE(check->ok) << check->bad_row << ": " << check->message;
  EXPECT_EQ(check->versions_checked, 4u);
  EXPECT_EQ(check->entries, 3u);
}

TEST(AllowlistStore, RefusedUpdateChangesNothing) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("allowlist.db");
  const auto v = chain_of(3);
  auto store = Store::open(path, kChainId, gov_set());
  ASSERT_TRUE(store->apply(v[0]).ok());
  const std::string before = table_counts(path);
  const auto index_before = store->index();
  UpdateRecord one_sig = v[1];
  one_sig.signatures.pop_back();
  UpdateRecord forged = v[1];
  forged.signatures[0].signature[5] ^= 1;
  for (const auto& bad : {one_sig, forged, v[2], v[0]}) {
    EXPECT_FALSE(store->apply(bad).ok());
    EXPECT_EQ(table_counts(path), before);
    EXPECT_EQ(store->tip().version, 1u);
    EXPECT_EQ(store->index(), index_before);
  }
  EXPECT_TRUE(store->apply(v[1]).ok());
}

TEST(AllowlistStore, RefusesAnotherChainOrSignerSet) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("allowlist.db");
  ASSERT_TRUE(Store::open(path, kChainId, gov_set()).ok());
  auto other_chain = Store::open(path, "other-1", gov_set());
  ASSERT_FALSE(other_chain.ok());
  EXPECT_EQ(other_chain.error().code, "WRONG_DATABASE");
  auto other_set = Store::open(path, kChainId, gov_set(3));
  ASSERT_FALSE(other_set.ok());
  EXPECT_EQ(other_set.error().code, "WRONG_DATABASE");
  auto bad_set = Store::open(dir.file("b.db"), kChainId, gov_set(0));
  ASSERT_FALSE(bad_set.ok());
  EXPECT_EQ(bad_set.error().code, "BAD_SIGNER_SET");
}

// Issue 21 too: a copy with a row added, removed or relabelled was synced, listed and used; only
// verify-db noticed. Store::open (sync, doctor, start) now re-verifies an existing copy and refuses it.
TEST(AllowlistVerifyDb, NamesTheFirstBadRow) {
  struct Case {
    const char* name;
    const char* sql;
    const char* row;
    const char* code;
  };
  const Case cases[] = {
      {"update bytes flipped", "UPDATE updates SET update_bytes = zeroblob(10) WHERE version = 2",
       "updates version 2", "MALFORMED_UPDATE"},
      {"a signature replaced",
       "UPDATE update_signatures SET signature = zeroblob(64) WHERE version = 3 AND idx = 1",
       "updates version 3", "BELOW_THRESHOLD"},
      {"a signature dropped", "DELETE FROM update_signatures WHERE version = 2 AND idx = 0",
       "updates version 2", "BELOW_THRESHOLD"},
      {"a version removed", "DELETE FROM updates WHERE version = 2", "updates version 3", "GAP"},
      {"stored hash wrong", "UPDATE updates SET update_hash = zeroblob(32) WHERE version = 1",
       "updates version 1", "HASH_DIFFERS"},
      {"entry constraint loosened", "UPDATE entries SET min_guest_svn = 0, label = 'x' WHERE version = 4",
       "entries measurement", "ENTRY_DIFFERS"},
      {"entry smuggled in",
       "INSERT INTO entries SELECT zeroblob(48), 'evil', 0, 0, 0, x'', x'', x'', 0, 9 FROM meta",
       "entries measurement", "ENTRY_NOT_IN_CHAIN"},
      {"entry relabelled", "UPDATE entries SET label = 'relabelled' WHERE version = 4", "entries measurement",
       "ENTRY_DIFFERS"},
      {"entry deleted", "DELETE FROM entries WHERE version = 4", "entries", "ENTRY_MISSING"},
      {"revoked row removed", "DELETE FROM revoked", "revoked", "REVOKED_DIFFERS"},
      {"meta version bumped", "UPDATE meta SET version = 9", "meta", "META_DIFFERS"},
      {"signer key swapped", "UPDATE signers SET pubkey = zeroblob(33) WHERE key_id = 'gov-1'", "signers",
       "SIGNER_SET_MISMATCH"},
  };
  const auto v = chain_of(4);
  for (const auto& c : cases) {
    snprelay::testing::TempDir dir;
    const auto path = dir.file("allowlist.db");
    {
      auto store = Store::open(path, kChainId, gov_set());
      for (const auto& r : v)
        ASSERT_TRUE(store->apply(r).ok());
    }
    {
      auto db = db::Database::open(path, store_migrations());
      ASSERT_TRUE(db->exec("PRAGMA foreign_keys=OFF").ok());
      auto st = db->exec(c.sql);
      ASSERT_TRUE(st.ok()) << c.name << ": " << st.error().to_string();
    }
    auto check = verify_db(path, kChainId, gov_set());
    ASSERT_TRUE(check.ok()) << c.name << ": " << check.error().to_string();
    EXPECT_FALSE(check->ok) << c.name;
    EXPECT_EQ(check->bad_row.rfind(c.row, 0), 0u) << c.name << ": " << check->bad_row;
    EXPECT_EQ(check->code, c.code) << c.name << ": " << check->message;
    auto reopened = Store::open(path, kChainId, gov_set());
    ASSERT_FALSE(reopened.ok()) << c.name;
    const std::string want =
        std::string(c.code) == "SIGNER_SET_MISMATCH" ? "WRONG_DATABASE" : "COPY_TAMPERED";
    EXPECT_EQ(reopened.error().code, want) << c.name << ": " << reopened.error().message;
    if (want == "COPY_TAMPERED") {
      EXPECT_NE(reopened.error().message.find("first bad row: " + check->bad_row), std::string::npos)
          << c.name << ": " << reopened.error().message;
    }
  }
}

TEST(AllowlistVerifyDb, UnopenableFileIsAnError) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("junk.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("this is not an SQLite database, it is a text file long enough to have a header.....", f);
    std::fclose(f);
  }
  auto check = verify_db(path, kChainId, gov_set());
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().component, "db");
  EXPECT_EQ(check.error().kind, ErrorKind::kInput);  // the operator named a file that is no copy
  auto copy = read_copy(path);
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.error().kind, ErrorKind::kInput);
}

TEST(AllowlistStore, ReadCopyReturnsWhatIsStoredWithoutWriting) {
  snprelay::testing::TempDir dir;
  const auto path = dir.file("allowlist.db");
  {
    auto store = Store::open(path, kChainId, gov_set());
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    for (const auto& r : chain_of(3))
      ASSERT_TRUE(store->apply(r).ok());
  }
  const auto before = std::filesystem::last_write_time(path);
  auto copy = read_copy(path);
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  EXPECT_EQ(copy->chain_id, kChainId);
  EXPECT_EQ(copy->version, 3u);
  EXPECT_EQ(copy->signers, gov_set());
  EXPECT_EQ(copy->entries.size(), 2u);  // version 3 revoked version 2's measurement
  ASSERT_EQ(copy->revoked.size(), 1u);
  EXPECT_EQ(copy->revoked[0], chain_measurement(2));
  EXPECT_EQ(std::filesystem::last_write_time(path), before);

  const auto empty = dir.file("empty.db");
  ASSERT_TRUE(db::Database::open(empty, store_migrations()).ok());
  auto none = read_copy(empty);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "NOT_A_COPY");
}

}  // namespace
}  // namespace snprelay::allowlist
