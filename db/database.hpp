// SQLite, owned: a connection, prepared statements, transactions and schema migrations.
//
// Database::open(path, migrations) opens (creating if absent) a database file with mode 0600, turns on
// WAL journaling, a busy timeout and foreign keys, checks that the file really is an intact SQLite
// database, and brings its schema to the newest version in `migrations`:
//   - migrations are numbered 1..N; the database's current version is PRAGMA user_version;
//   - each pending migration runs in its own transaction together with the user_version bump, so a
//     failing migration leaves the database at the previous version, untouched;
//   - a read-only open applies no migration (it cannot write): an older schema is read as it is;
//   - a database whose user_version is above N was written by a newer snprelay and is refused
//     (SCHEMA_TOO_NEW) — never downgraded, never modified;
//   - a file that is not a database, or fails SQLite's integrity check, is reported (CORRUPT) and left
//     exactly as it is — never recreated, never chmod-ed, so nothing stored is lost;
//   - before SQLite sees anything, the path and its side files (-journal, -wal, -shm) pass the one path
//     rule (common/path_rules.hpp): a device, FIFO, socket, directory or (writable) symbolic link is
//     refused with io NOT_REGULAR, untouched and never opened; an existing database this user owns is
//     tightened to 0600 only after the integrity check passed.
// Error codes (component "db"): OPEN_FAILED, CORRUPT, SCHEMA_TOO_NEW, MIGRATION_FAILED, PREPARE_FAILED,
// STEP_FAILED, BIND_FAILED, PERMISSIONS; messages carry the path, SQLite's extended code and text.
// Kinds are set here from SQLite's code (or errno): a file that is not a database, cannot be opened or
// is read-only is kInput (CORRUPT, OPEN_FAILED, PERMISSIONS, SCHEMA_TOO_NEW: fix the path or restore the
// file); a lock held elsewhere past the busy timeout, a full disk or an I/O error is kUnavailable; the
// rest (a bad statement, a failed migration) is kInternal.
//
// Thread-safety: a Database and its Statements belong to one thread at a time (SQLite's multi-thread
// mode); open one Database per thread that needs one. WAL lets readers run beside one writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace snprelay::db {

struct Migration {
  int version;           // 1, 2, 3 ... in order, no gaps
  std::string_view sql;  // one or more statements
};

struct OpenOptions {
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;
};

class Statement;

class Database {
 public:
  // Opens `path` and applies `migrations` (see the file comment for the rules).
  [[nodiscard]] static Result<Database> open(const std::string& path, std::span<const Migration> migrations,
                                             const OpenOptions& options = {});

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database() = default;

  // Runs statements that return no rows (DDL, PRAGMA ...). Error: STEP_FAILED with SQLite's message.
  [[nodiscard]] Status exec(std::string_view sql);
  // Compiles one statement. Error: PREPARE_FAILED naming the SQL and SQLite's message.
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);

  // PRAGMA user_version.
  [[nodiscard]] Result<int> schema_version();
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  [[nodiscard]] Status migrate(std::span<const Migration> migrations, bool read_only);

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

// A prepared statement. Parameters are 1-based as in SQLite; columns are 0-based.
class Statement {
 public:
  enum class Step { kRow, kDone };

  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  [[nodiscard]] Status bind(int index, std::int64_t value);
  [[nodiscard]] Status bind(int index, std::string_view text);
  [[nodiscard]] Status bind(int index, std::span<const std::uint8_t> blob);
  [[nodiscard]] Status bind_null(int index);

  // Advances. kRow: a row is available through the column accessors; kDone: finished.
  [[nodiscard]] Result<Step> step();
  // Steps until done, for statements that return no rows.
  [[nodiscard]] Status run();
  // Resets to run again with new bindings.
  void reset();

  [[nodiscard]] std::int64_t column_int(int col) const;
  [[nodiscard]] std::string column_text(int col) const;
  [[nodiscard]] std::vector<std::uint8_t> column_blob(int col) const;
  [[nodiscard]] bool column_is_null(int col) const;

 private:
  friend class Database;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  Statement(std::unique_ptr<sqlite3_stmt, Finalizer> stmt, sqlite3* db) : stmt_(std::move(stmt)), db_(db) {}
  [[nodiscard]] Status check_bind(int rc, int index) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  sqlite3* db_;  // not owned; the Database outlives its statements
};

// The SQLite library version loaded at run time, for `snprelay version`.
[[nodiscard]] std::string sqlite_version();

// BEGIN IMMEDIATE on construction; commit() makes it durable; destruction without commit() — by an
// early return or an exception — rolls back. Not copyable or movable.
class Transaction {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Transaction>> begin(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  [[nodiscard]] Status commit();

 private:
  explicit Transaction(Database& db) : db_(db) {}
  Database& db_;
  bool done_ = false;
};

}  // namespace snprelay::db
