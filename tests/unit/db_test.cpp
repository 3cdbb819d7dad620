#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <stdexcept>

#include "db/database.hpp"
#include "temp_dir.hpp"

namespace snprelay::db {
namespace {

using snprelay::testing::TempDir;

constexpr std::array<Migration, 2> kSchema = {{
    {1, "CREATE TABLE epochs (epoch INTEGER PRIMARY KEY, nonce BLOB NOT NULL);"},
    {2,
     "CREATE TABLE submissions (epoch INTEGER NOT NULL REFERENCES epochs(epoch), txhash TEXT);"
     "CREATE INDEX submissions_epoch ON submissions(epoch);"},
}};

int count_rows(Database& db, const std::string& table) {
  auto st = db.prepare("SELECT count(*) FROM " + table);
  EXPECT_TRUE(st.ok());
  auto step = st->step();
  EXPECT_TRUE(step.ok());
  return static_cast<int>(st->column_int(0));
}

TEST(Database, CreatesFileWith0600AndAppliesMigrations) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto db = Database::open(path, kSchema);
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  EXPECT_EQ(*db->schema_version(), 2);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Database, PragmasAreOn) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(mode->step().ok());
  EXPECT_EQ(mode->column_text(0), "wal");
  auto fk = db->prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  ASSERT_TRUE(fk->step().ok());
  EXPECT_EQ(fk->column_int(0), 1);
  auto timeout = db->prepare("PRAGMA busy_timeout");
  ASSERT_TRUE(timeout.ok());
  ASSERT_TRUE(timeout->step().ok());
  EXPECT_EQ(timeout->column_int(0), 5000);
}

TEST(Database, ForeignKeysAreEnforced) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  Status st = db->exec("INSERT INTO submissions(epoch, txhash) VALUES (7, 'AB')");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("FOREIGN KEY"), std::string::npos) << st.error().message;
}

TEST(Database, TightensModeOfExistingFile) {
  TempDir dir;
  const auto path = dir.file("a.db");
  { std::ofstream(path).flush(); }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto db = Database::open(path, kSchema);
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Database, MigratesIncrementallyAndKeepsData) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto v1 = Database::open(path, std::span(kSchema).first(1));
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(*v1->schema_version(), 1);
    ASSERT_TRUE(v1->exec("INSERT INTO epochs VALUES (1, x'00')").ok());
  }
  auto v2 = Database::open(path, kSchema);
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(*v2->schema_version(), 2);
  EXPECT_EQ(count_rows(*v2, "epochs"), 1);
  EXPECT_EQ(count_rows(*v2, "submissions"), 0);
}

TEST(Database, FailingMigrationLeavesPreviousVersionIntact) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto v1 = Database::open(path, std::span(kSchema).first(1));
    ASSERT_TRUE(v1.ok());
    ASSERT_TRUE(v1->exec("INSERT INTO epochs VALUES (1, x'00')").ok());
  }
  const std::array<Migration, 2> broken = {
      {kSchema[0], {2, "CREATE TABLE t2(x); INSERT INTO nowhere VALUES (1);"}}};
  auto db = Database::open(path, broken);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "MIGRATION_FAILED");
  EXPECT_NE(db.error().message.find("migration 2 failed, database left at version 1"), std::string::npos);
  auto again = Database::open(path, std::span(kSchema).first(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->schema_version(), 1);
  EXPECT_EQ(count_rows(*again, "epochs"), 1);
  auto t2 = again->prepare("SELECT * FROM t2");  // the half-applied table was rolled back
  EXPECT_FALSE(t2.ok());
}

TEST(Database, NewerSchemaIsRefusedAndUntouched) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto db = Database::open(path, kSchema);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version=9").ok());
  }
  auto old = Database::open(path, kSchema);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, "SCHEMA_TOO_NEW");
  EXPECT_NE(old.error().message.find("schema version 9 but this snprelay knows only up to 2"),
            std::string::npos);
  auto check = Database::open(path, std::vector<Migration>{kSchema.begin(), kSchema.end()},
                              OpenOptions{.read_only = true});
  EXPECT_FALSE(check.ok());  // still version 9: refused again, nothing rewritten
}

TEST(Database, GarbageFileIsReportedNotRecreated) {
  TempDir dir;
  const auto path = dir.file("a.db");
  const std::string garbage(8192, 'x');
  { std::ofstream(path, std::ios::binary) << garbage; }
  auto db = Database::open(path, kSchema);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "CORRUPT");
  EXPECT_EQ(db.error().kind, ErrorKind::kInput);  // a file to restore: exit 2, not "internal"
  EXPECT_NE(db.error().message.find("left untouched"), std::string::npos);
  std::ifstream in(path, std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, garbage);
}

TEST(Database, DamagedPagesAreReported) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto db = Database::open(path, kSchema);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA journal_mode=DELETE").ok());  // keep every page in the main file
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    auto ins = db->prepare("INSERT INTO epochs VALUES (?, randomblob(200))");
    ASSERT_TRUE(ins.ok());
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(ins->bind(1, std::int64_t{i}).ok());
      ASSERT_TRUE(ins->run().ok());
      ins->reset();
    }
    ASSERT_TRUE((*tx)->commit().ok());
  }
  {
    // Overwrite the middle of the file (b-tree pages), leaving the header intact.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string junk(4096 * 4, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto db = Database::open(path, kSchema);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "CORRUPT") << db.error().to_string();
}

TEST(Transaction, RollsBackWhenNotCommitted) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO epochs VALUES (1, x'01')").ok());
  }
  EXPECT_EQ(count_rows(*db, "epochs"), 0);
}

TEST(Transaction, RollsBackOnException) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  EXPECT_THROW(
      {
        auto tx = Transaction::begin(*db);
        ASSERT_TRUE(tx.ok());
        ASSERT_TRUE(db->exec("INSERT INTO epochs VALUES (1, x'01')").ok());
        throw std::runtime_error("boom");
      },
      std::runtime_error);
  EXPECT_EQ(count_rows(*db, "epochs"), 0);
}

TEST(Transaction, CommitPersists) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto db = Database::open(path, kSchema);
    ASSERT_TRUE(db.ok());
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO epochs VALUES (1, x'01')").ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto db = Database::open(path, kSchema);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(count_rows(*db, "epochs"), 1);
}

TEST(Statement, BindsAndReadsEveryType) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)").ok());
  auto ins = db->prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(ins.ok());
  const std::vector<std::uint8_t> blob = {0, 1, 2, 255};
  ASSERT_TRUE(ins->bind(1, std::int64_t{-42}).ok());
  ASSERT_TRUE(ins->bind(2, std::string_view("héllo")).ok());
  ASSERT_TRUE(ins->bind(3, std::span<const std::uint8_t>(blob)).ok());
  ASSERT_TRUE(ins->bind_null(4).ok());
  ASSERT_TRUE(ins->run().ok());
  EXPECT_EQ(db->changes(), 1);
  EXPECT_EQ(db->last_insert_rowid(), 1);
  auto sel = db->prepare("SELECT i, s, b, n, typeof(b) FROM t");
  ASSERT_TRUE(sel.ok());
  auto step = sel->step();
  ASSERT_TRUE(step.ok());
  ASSERT_EQ(*step, Statement::Step::kRow);
  EXPECT_EQ(sel->column_int(0), -42);
  EXPECT_EQ(sel->column_text(1), "héllo");
  EXPECT_EQ(sel->column_blob(2), blob);
  EXPECT_TRUE(sel->column_is_null(3));
  EXPECT_EQ(sel->column_text(4), "blob");
  EXPECT_EQ(*sel->step(), Statement::Step::kDone);
}

TEST(Statement, BadSqlNamesTheStatement) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), kSchema);
  ASSERT_TRUE(db.ok());
  auto st = db->prepare("SELEC 1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "PREPARE_FAILED");
  EXPECT_NE(st.error().message.find("SELEC 1"), std::string::npos);
  auto bind = db->prepare("SELECT ?");
  ASSERT_TRUE(bind.ok());
  Status b = bind->bind(5, std::int64_t{1});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "BIND_FAILED");
}

TEST(Migrations, GapsAreRejected) {
  TempDir dir;
  const std::array<Migration, 2> gap = {{{1, "CREATE TABLE a(x);"}, {3, "CREATE TABLE b(x);"}}};
  auto db = Database::open(dir.file("a.db"), gap);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "MIGRATION_FAILED");
}

TEST(Database, MissingDirectoryIsAnOpenError) {
  auto db = Database::open("/nonexistent-dir-snprelay/x.db", kSchema);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "OPEN_FAILED");
  EXPECT_EQ(db.error().kind, ErrorKind::kInput);
  EXPECT_NE(db.error().message.find("/nonexistent-dir-snprelay/x.db"), std::string::npos);
}

// A write blocked by another connection's lock past the busy timeout is a resource that comes back
// (kUnavailable: exit 3, HTTP 503), not the caller's input and not a bug.
TEST(Database, LockHeldElsewhereIsUnavailable) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto holder = Database::open(path, kSchema);
  ASSERT_TRUE(holder.ok()) << holder.error().to_string();
  auto waiter = Database::open(path, kSchema, OpenOptions{std::chrono::milliseconds(50), false});
  ASSERT_TRUE(waiter.ok()) << waiter.error().to_string();
  ASSERT_TRUE(holder->exec("BEGIN IMMEDIATE").ok());
  auto st = waiter->exec("INSERT INTO epochs VALUES (1, x'00')");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "STEP_FAILED");
  EXPECT_EQ(st.error().kind, ErrorKind::kUnavailable) << st.error().to_string();
  ASSERT_TRUE(holder->exec("ROLLBACK").ok());
  EXPECT_TRUE(waiter->exec("INSERT INTO epochs VALUES (1, x'00')").ok());
}

}  // namespace
}  // namespace snprelay::db
