#include "db/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file_io.hpp"
#include "common/path_rules.hpp"

namespace snprelay::db {
namespace {

bool is_corruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// The error kind of an SQLite result code, decided here at the boundary: a file that is not a
// database, cannot be opened or is read-only is the caller's input (a path to fix, a file to restore);
// a lock held elsewhere, a full disk or an I/O error is a resource that may come back; the rest is
// ours.
ErrorKind kind_of(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorKind::kInput;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
      return ErrorKind::kUnavailable;
    default:
      return ErrorKind::kInternal;
  }
}

// The same for an errno from open(2) before SQLite sees the file.
ErrorKind kind_of_errno(int err) {
  switch (err) {
    case ENOSPC:
    case EIO:
    case EMFILE:
    case ENFILE:
    case EAGAIN:
      return ErrorKind::kUnavailable;
    default:
      return ErrorKind::kInput;  // ENOENT, EACCES, EISDIR, ENOTDIR, EROFS, ELOOP ...: fix the path
  }
}

Error sqlite_error(sqlite3* db, std::string code, const std::string& what) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(
      "db", std::move(code),
      what + ": " + msg + " (SQLite " + sqlite3_errstr(ext) + ", code " + std::to_string(ext) + ")",
      kind_of(ext));
}

// Checks the path by the one rule (common/path_rules.hpp: a regular file or absent, side files too, so
// SQLite never opens a FIFO, a device or a directory) and, for a writable database, creates an absent
// file with mode 0600 before SQLite sees it, so it is never readable by others, even for an instant.
// Returns whether this call created the file. An existing file is not touched here.
Result<bool> prepare_file(const std::string& path, bool read_only) {
  if (Status st = check_database_path(path, "database", read_only); !st)
    return st.error();
  if (read_only)
    return false;
  const UniqueFd fd(
      ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) {
    const int err = errno;
    if (err == EEXIST)
      return false;
    return make_error("db", "OPEN_FAILED", "cannot open " + path + ": " + std::strerror(err),
                      kind_of_errno(err));
  }
  if (::fchmod(fd.get(), 0600) != 0) {  // the umask may have made it tighter still; set it exactly
    const int err = errno;
    return make_error("db", "PERMISSIONS", "cannot set mode 0600 on " + path + ": " + std::strerror(err),
                      ErrorKind::kInput);
  }
  return true;
}

// An existing file is tightened to 0600 only once SQLite has confirmed it is an intact database and only
// when this user owns it: a file that is not a database, or someone else's, is left exactly as it was.
Status tighten_mode(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) == 0)
    return ok_status();
  if (::chmod(path.c_str(), 0600) != 0) {
    const int err = errno;
    return make_error("db", "PERMISSIONS", "cannot set mode 0600 on " + path + ": " + std::strerror(err),
                      ErrorKind::kInput);
  }
  return ok_status();
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}
void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

Result<Database> Database::open(const std::string& path, std::span<const Migration> migrations,
                                const OpenOptions& options) {
  auto created = prepare_file(path, options.read_only);
  if (!created)
    return created.error();
  sqlite3* raw = nullptr;
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, Closer> handle(raw);
  if (rc != SQLITE_OK)
    return sqlite_error(raw, "OPEN_FAILED", "cannot open database " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));

  Database db(std::move(handle), path);
  // The first read of the header tells a non-database file apart; quick_check then walks the b-trees.
  auto check = db.prepare("PRAGMA quick_check");
  if (!check) {
    if (is_corruption(sqlite3_extended_errcode(raw))) {
      return make_error("db", "CORRUPT",
                        path + " is not a valid SQLite database (" + sqlite3_errmsg(raw) +
                            "); it was left untouched: restore it from a backup or move it aside",
                        ErrorKind::kInput);
    }
    return check.error();
  }
  auto step = check->step();
  if (!step || *step != Statement::Step::kRow || check->column_text(0) != "ok") {
    const std::string detail =
        step && *step == Statement::Step::kRow ? check->column_text(0) : sqlite3_errmsg(raw);
    return make_error("db", "CORRUPT",
                      path + " failed SQLite's integrity check (" + detail +
                          "); it was left untouched: restore it from a backup or move it aside",
                      ErrorKind::kInput);
  }
  check->reset();
  if (!options.read_only && !*created) {
    if (Status st = tighten_mode(path); !st)
      return st.error();
  }
  if (!options.read_only) {
    if (Status st = db.exec("PRAGMA journal_mode=WAL"); !st)
      return st.error();
    if (Status st = db.exec("PRAGMA synchronous=NORMAL"); !st)
      return st.error();
  }
  if (Status st = db.exec("PRAGMA foreign_keys=ON"); !st)
    return st.error();
  if (Status st = db.migrate(migrations, options.read_only); !st)
    return st.error();
  return db;
}

Status Database::migrate(std::span<const Migration> migrations, bool read_only) {
  auto current = schema_version();
  if (!current)
    return current.error();
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return make_error("db", "SCHEMA_TOO_NEW",
                      path_ + " has schema version " + std::to_string(*current) +
                          " but this snprelay knows only up to " + std::to_string(newest) +
                          "; it was written by a newer release — upgrade snprelay, the "
                          "database was not modified",
                      ErrorKind::kInput);
  }
  int expected = 1;
  for (const Migration& m : migrations) {
    if (m.version != expected++) {
      return make_error(
          "db", "MIGRATION_FAILED",
          "migrations must be numbered 1..N without gaps (found " + std::to_string(m.version) + ")");
    }
    if (m.version <= *current || read_only)
      continue;  // a read-only open reads an older schema as it is (it cannot write a migration)
    auto tx = Transaction::begin(*this);
    if (!tx)
      return tx.error();
    if (Status st = exec(m.sql); !st) {
      return make_error("db", "MIGRATION_FAILED",
                        path_ + ": migration " + std::to_string(m.version) +
                            " failed, database left at version " + std::to_string(*current) + ": " +
                            st.error().message);
    }
    if (Status st = exec("PRAGMA user_version=" + std::to_string(m.version)); !st)
      return st.error();
    if (Status st = (*tx)->commit(); !st)
      return st.error();
    *current = m.version;
  }
  return ok_status();
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return make_error(
        "db", is_corruption(rc) ? "CORRUPT" : "STEP_FAILED",
        path_ + ": " + msg + " (SQLite code " + std::to_string(sqlite3_extended_errcode(db_.get())) + ")",
        kind_of(rc));
  }
  return ok_status();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, Statement::Finalizer> stmt(raw);
  if (rc != SQLITE_OK)
    return sqlite_error(db_.get(), "PREPARE_FAILED", "cannot prepare \"" + std::string(sql) + "\"");
  return Statement(std::move(stmt), db_.get());
}

Result<int> Database::schema_version() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt)
    return stmt.error();
  auto step = stmt->step();
  if (!step)
    return step.error();
  return static_cast<int>(stmt->column_int(0));
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}
int Database::changes() const {
  return sqlite3_changes(db_.get());
}

Status Statement::check_bind(int rc, int index) const {
  if (rc == SQLITE_OK)
    return ok_status();
  return sqlite_error(db_, "BIND_FAILED", "cannot bind parameter " + std::to_string(index));
}

Status Statement::bind(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
}
Status Statement::bind(int index, std::string_view text) {
  return check_bind(
      sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
      index);
}
Status Statement::bind(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still bind as a blob, not NULL: SQLite treats a null pointer as NULL.
  static const std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  return check_bind(
      sqlite3_bind_blob(stmt_.get(), index, data, static_cast<int>(blob.size()), SQLITE_TRANSIENT), index);
}
Status Statement::bind_null(int index) {
  return check_bind(sqlite3_bind_null(stmt_.get(), index), index);
}

Result<Statement::Step> Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW)
    return Step::kRow;
  if (rc == SQLITE_DONE)
    return Step::kDone;
  return sqlite_error(db_, is_corruption(rc) ? "CORRUPT" : "STEP_FAILED",
                      "statement \"" + std::string(sqlite3_sql(stmt_.get())) + "\" failed");
}

Status Statement::run() {
  for (;;) {
    auto s = step();
    if (!s)
      return s.error();
    if (*s == Step::kDone)
      return ok_status();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(stmt_.get(), col);
}
std::string Statement::column_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  const int n = sqlite3_column_bytes(stmt_.get(), col);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                      : std::string();
}
std::vector<std::uint8_t> Statement::column_blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), col));
  const int n = sqlite3_column_bytes(stmt_.get(), col);
  return p != nullptr ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}
bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

std::string sqlite_version() {
  return sqlite3_libversion();
}

Result<std::unique_ptr<Transaction>> Transaction::begin(Database& db) {
  if (Status st = db.exec("BEGIN IMMEDIATE"); !st)
    return st.error();
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Status Transaction::commit() {
  Status st = db_.exec("COMMIT");
  if (st)
    done_ = true;
  return st;
}

Transaction::~Transaction() {
  if (!done_)
    (void)db_.exec("ROLLBACK");
}

}  // namespace snprelay::db
