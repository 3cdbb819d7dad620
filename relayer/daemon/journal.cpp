// The submission journal (see journal.hpp): schema, the foreign-file probe, checked transitions.
#include "relayer/daemon/journal.hpp"

#include <algorithm>
#include <bit>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <span>
#include <variant>

#include "chain/tx/sign_direct.hpp"

namespace snprelay::daemon {
namespace {

// PRAGMA application_id of a journal: "SNPJ". Other SQLite files carry 0 or their own.
constexpr std::int64_t kApplicationId = 0x534E504A;

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE submissions (
  operator TEXT NOT NULL,
  epoch INTEGER NOT NULL CHECK (epoch >= 0),
  state TEXT NOT NULL CHECK (state IN ('prepared', 'broadcast', 'committed', 'failed', 'missed')),
  txhash TEXT NOT NULL DEFAULT '',
  tx_bytes BLOB NOT NULL DEFAULT x'',
  sequence INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_unix INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY (operator, epoch)
);
CREATE INDEX submissions_by_state ON submissions (state, epoch);
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  operator TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  from_state TEXT NOT NULL,  -- '' for the row's creation
  to_state TEXT NOT NULL,
  txhash TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at_unix INTEGER NOT NULL
);
CREATE INDEX transitions_by_row ON transitions (operator, epoch, id);
PRAGMA application_id = 1397641290;
)sql";

// Rows that failed validation (quarantine_invalid): the row as it was, why, and when it was moved.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  operator, epoch, state, txhash, tx_bytes, sequence, height, reason, created_unix, updated_unix,
  why TEXT NOT NULL,
  at_unix INTEGER NOT NULL
);
)sql";

// Epochs are stored as SQLite's signed 64-bit integers.
constexpr auto kMaxEpoch = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

constexpr db::Migration kMigrations[] = {{1, kSchemaV1}, {2, kSchemaV2}};

constexpr std::string_view kEntryColumns =
    "operator, epoch, state, txhash, tx_bytes, sequence, height, reason, created_unix, updated_unix";

Error daemon_error(std::string code, std::string message, ErrorKind kind) {
  return make_error("daemon", std::move(code), std::move(message), kind);
}

std::string row_name(const std::string& op, std::uint64_t epoch) {
  return "operator " + op + " epoch " + std::to_string(epoch);
}

using Value = std::variant<std::int64_t, std::string_view, std::span<const std::uint8_t>>;

// Binds values to parameters 1..n in order.
Status bind_all(db::Statement& s, std::initializer_list<Value> values) {
  int index = 1;
  for (const Value& v : values) {
    auto st = std::visit([&](const auto& x) { return s.bind(index, x); }, v);
    if (!st)
      return st;
    ++index;
  }
  return ok_status();
}

Result<db::Statement> query(db::Database& db, std::string_view sql, std::initializer_list<Value> values) {
  auto stmt = db.prepare(sql);
  if (!stmt)
    return stmt.error();
  if (auto st = bind_all(*stmt, values); !st)
    return st.error();
  return stmt;
}

Result<Entry> read_entry(const db::Statement& s) {
  auto state = parse_state(s.column_text(2));
  if (!state)
    return daemon_error("BAD_ROW", "journal row has an unknown state \"" + s.column_text(2) + "\"",
                        ErrorKind::kInternal);
  return Entry{s.column_text(0), static_cast<std::uint64_t>(s.column_int(1)),
               *state,           s.column_text(3),
               s.column_blob(4), std::bit_cast<std::uint64_t>(s.column_int(5)),
               s.column_int(6),  s.column_text(7),
               s.column_int(8),  s.column_int(9)};
}

// Steps `stmt` to the end, calling `row(stmt)` (returning Status) for each row.
template <typename Row>
Status for_each_row(Result<db::Statement>& stmt, Row&& row) {
  if (!stmt)
    return stmt.error();
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      return ok_status();
    if (auto st = row(*stmt); !st)
      return st;
  }
}

Result<std::vector<Entry>> collect(Result<db::Statement> stmt) {
  std::vector<Entry> out;
  auto st = for_each_row(stmt, [&](const db::Statement& s) -> Status {
    auto e = read_entry(s);
    if (!e)
      return e.error();
    out.push_back(std::move(*e));
    return ok_status();
  });
  if (!st)
    return st.error();
  return out;
}

constexpr std::string_view kTransitionColumns =
    "operator, epoch, from_state, to_state, txhash, detail, at_unix";

Result<std::vector<Transition>> collect_transitions(Result<db::Statement> stmt) {
  std::vector<Transition> out;
  auto st = for_each_row(stmt, [&](const db::Statement& s) -> Status {
    const auto to = parse_state(s.column_text(3));
    if (!to)
      return daemon_error("BAD_ROW", "journal history row has an unknown state \"" + s.column_text(3) + "\"",
                          ErrorKind::kInternal);
    out.push_back(Transition{s.column_text(0), static_cast<std::uint64_t>(s.column_int(1)),
                             parse_state(s.column_text(2)), *to, s.column_text(4), s.column_text(5),
                             s.column_int(6)});
    return ok_status();
  });
  if (!st)
    return st.error();
  return out;
}

std::int64_t sql_limit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(kMaxEpoch)));
}

Result<std::optional<Entry>> first(Result<db::Statement> stmt) {
  auto rows = collect(std::move(stmt));
  if (!rows)
    return rows.error();
  if (rows->empty())
    return std::optional<Entry>();
  return std::optional<Entry>(std::move(rows->front()));
}

Status write_entry(db::Database& db, const Entry& e) {
  auto stmt = query(db,
                    "INSERT OR REPLACE INTO submissions (operator, epoch, state, txhash, tx_bytes, sequence, "
                    "height, reason, created_unix, updated_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {e.operator_address, static_cast<std::int64_t>(e.epoch), state_name(e.state), e.txhash,
                     std::span<const std::uint8_t>(e.tx_bytes), std::bit_cast<std::int64_t>(e.sequence),
                     e.height, e.reason, e.created_unix, e.updated_unix});
  if (!stmt)
    return stmt.error();
  return stmt->run();
}

Status write_history(db::Database& db, const Transition& t) {
  auto stmt =
      query(db,
            "INSERT INTO transitions (operator, epoch, from_state, to_state, txhash, detail, at_unix) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {t.operator_address, static_cast<std::int64_t>(t.epoch), t.from ? state_name(*t.from) : "",
             state_name(t.to), t.txhash, t.detail, t.at_unix});
  if (!stmt)
    return stmt.error();
  return stmt->run();
}

bool is_upper_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
         });
}

// Why a stored row cannot be trusted, or "" when it is well-formed. The rules are the ones the
// transitions enforce when they write (apply, record_broadcast, mark_*), so only a row written by hand,
// by a damaged file or by another program fails them.
std::string row_problem(const db::Statement& s, std::optional<std::uint64_t> chain_epoch) {
  const std::string op = s.column_text(1);
  const std::int64_t epoch = s.column_int(2);
  const std::string state_text = s.column_text(3);
  const std::string txhash = s.column_text(4);
  const Bytes bytes = s.column_blob(5);
  if (op.empty())
    return "the row has no operator";
  if (epoch < 0)
    return "negative epoch " + std::to_string(epoch);
  if (chain_epoch && static_cast<std::uint64_t>(epoch) > *chain_epoch)
    return "epoch " + std::to_string(epoch) + " is ahead of the chain's current epoch " +
           std::to_string(*chain_epoch);
  const auto state = parse_state(state_text);
  if (!state)
    return "unknown state \"" + state_text + "\"";
  if (!txhash.empty() && !is_upper_hex64(txhash))
    return "txhash \"" + txhash + "\" is not 64 upper-case hex digits";
  switch (*state) {
    case State::kPrepared:
      if (!txhash.empty() || !bytes.empty())
        return "a prepared row carries a transaction";
      break;
    case State::kBroadcast:
      if (bytes.empty())
        return "a broadcast row has no transaction bytes";
      if (txhash != chain::tx::tx_hash(bytes))
        return "txhash " + txhash + " is not the SHA-256 of the row's transaction bytes";
      break;
    case State::kCommitted:
      if (s.column_int(7) <= 0)
        return "a committed row has no block height";
      break;
    case State::kFailed:
    case State::kMissed:
      if (s.column_text(8).empty())
        return std::string("a ") + state_name(*state) + " row has no reason";
      break;
  }
  return {};
}

// The rows quarantine_invalid looks at: every row that is not final, any row whose state is not one of
// ours, and every row at or after `from_epoch` (the current epoch's, and any for epochs not yet reached).
constexpr std::string_view kRowsThatMatter =
    "SELECT rowid, operator, epoch, state, txhash, tx_bytes, sequence, height, reason FROM submissions "
    "WHERE state NOT IN ('committed', 'failed', 'missed') OR epoch >= ? ORDER BY epoch, operator";

// A file that exists is inspected read-only first, so that nothing is written to a file that is not ours.
Status probe_existing(const std::string& path) {
  db::OpenOptions read_only;
  read_only.read_only = true;
  auto not_journal = [&](const std::string& why) {
    return daemon_error("NOT_A_JOURNAL",
                        path + " is not an snprelay submission journal (" + why +
                            "); it was left untouched: point relayer.journal_path at another file",
                        ErrorKind::kInput);
  };
  // Opened read-only, nothing is migrated or written; a schema newer than ours is refused here.
  auto db = db::Database::open(path, kMigrations, read_only);
  if (!db) {
    if (db.error().code == "SCHEMA_TOO_NEW")
      return db.error();
    return not_journal(db.error().to_string());
  }
  auto tables = db->prepare("SELECT count(*) FROM sqlite_master");
  if (!tables)
    return not_journal(tables.error().to_string());
  auto step = tables->step();
  if (!step || *step != db::Statement::Step::kRow)
    return not_journal("its schema cannot be read");
  if (tables->column_int(0) == 0)
    return ok_status();  // an empty database is ours to initialise
  auto id = db->prepare("PRAGMA application_id");
  if (!id)
    return id.error();
  auto id_step = id->step();
  if (!id_step)
    return id_step.error();
  if (*id_step != db::Statement::Step::kRow || id->column_int(0) != kApplicationId)
    return not_journal("another application's SQLite database");
  return ok_status();
}

}  // namespace

const char* state_name(State state) {
  switch (state) {
    case State::kPrepared:
      return "prepared";
    case State::kBroadcast:
      return "broadcast";
    case State::kCommitted:
      return "committed";
    case State::kFailed:
      return "failed";
    case State::kMissed:
      return "missed";
  }
  return "unknown";
}

std::optional<State> parse_state(std::string_view name) {
  for (const State s :
       {State::kPrepared, State::kBroadcast, State::kCommitted, State::kFailed, State::kMissed}) {
    if (name == state_name(s))
      return s;
  }
  return std::nullopt;
}

bool is_terminal(State state) {
  return state == State::kCommitted || state == State::kFailed || state == State::kMissed;
}

Result<Journal> Journal::open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    if (auto st = probe_existing(path); !st)
      return st.error();
  }
  auto db = db::Database::open(path, kMigrations);
  if (!db)
    return db.error();
  if (auto st = db->exec("PRAGMA synchronous=FULL"); !st)
    return st.error();
  return Journal(std::move(*db));
}

Result<Journal> Journal::open_read_only(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return daemon_error("NO_JOURNAL", "no submission journal at " + path, ErrorKind::kInput);
  if (auto st = probe_existing(path); !st)
    return st.error();
  db::OpenOptions read_only;
  read_only.read_only = true;
  auto db = db::Database::open(path, kMigrations, read_only);
  if (!db)
    return db.error();
  return Journal(std::move(*db));
}

// What a public transition asks for; apply() checks it against the row's current state.
struct Journal::Change {
  State to = State::kPrepared;
  const BroadcastRecord* record = nullptr;  // for kBroadcast
  bool replace_refused = false;
  std::int64_t height = 0;  // for kCommitted
  std::string reason;       // for kFailed / kMissed
};

Status Journal::apply(const std::string& op, std::uint64_t epoch, const Change& change,
                      std::int64_t now_unix) {
  if (op.empty() || epoch > kMaxEpoch)
    return daemon_error("INVALID_RECORD",
                        "journal key needs an operator and an epoch below 2^63 (got operator \"" + op +
                            "\", epoch " + std::to_string(epoch) + ")",
                        ErrorKind::kInput);
  // See the file comment of journal.hpp: only the creation of a prepared row skips its fsync.
  if (auto st =
          db_.exec(change.to == State::kPrepared ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
      !st)
    return st;
  auto tx = db::Transaction::begin(db_);
  if (!tx)
    return tx.error();
  auto current = first(query(
      db_, "SELECT " + std::string(kEntryColumns) + " FROM submissions WHERE operator = ? AND epoch = ?",
      {op, static_cast<std::int64_t>(epoch)}));
  if (!current)
    return current.error();
  const std::string from = *current ? state_name((*current)->state) : "none";
  auto refuse = [&](const std::string& why) {
    return daemon_error(
        "JOURNAL_TRANSITION",
        row_name(op, epoch) + ": " + from + " -> " + state_name(change.to) + " is not allowed: " + why,
        ErrorKind::kInternal);
  };
  Transition t{op, epoch, std::nullopt, change.to, "", "", now_unix};
  Entry next;
  if (!*current) {
    if (change.to != State::kPrepared)
      return refuse("there is no journal row (prepare it first)");
    next = Entry{op, epoch, State::kPrepared, "", {}, 0, 0, "", now_unix, now_unix};
  } else {
    next = **current;
    t.from = next.state;
    if (is_terminal(next.state))
      return refuse(from + " is terminal");
    next.state = change.to;
    next.updated_unix = now_unix;
    switch (change.to) {
      case State::kPrepared:
        return refuse("the row already exists");
      case State::kBroadcast: {
        const BroadcastRecord& r = *change.record;
        t.txhash = r.txhash;
        t.detail = "sequence " + std::to_string(r.sequence);
        if (t.from == State::kBroadcast && r.tx_bytes == next.tx_bytes) {
          t.detail = "the same bytes again";
        } else if (t.from == State::kBroadcast && !change.replace_refused) {
          return refuse("tx " + next.txhash +
                        " is already the live submission for this epoch, a different tx " + r.txhash +
                        " would be a second one (only a tx the chain refused at CheckTx may be replaced)");
        } else if (t.from == State::kBroadcast) {
          t.detail += ", replaces " + next.txhash + " refused at CheckTx";
        }
        next.txhash = r.txhash;
        next.tx_bytes = r.tx_bytes;
        next.sequence = r.sequence;
        break;
      }
      case State::kCommitted:
        next.height = change.height;
        t.txhash = next.txhash;
        t.detail = "height " + std::to_string(change.height);
        break;
      case State::kFailed:
      case State::kMissed:
        next.reason = change.reason;
        t.txhash = next.txhash;
        t.detail = change.reason;
        break;
    }
  }
  if (auto st = write_entry(db_, next); !st)
    return st;
  if (auto st = write_history(db_, t); !st)
    return st;
  return (*tx)->commit();
}

Status Journal::prepare(const std::string& op, std::uint64_t epoch, std::int64_t now_unix) {
  if (chain_epoch_ && epoch > *chain_epoch_)
    return daemon_error("INVALID_RECORD",
                        row_name(op, epoch) +
                            ": the chain has not reached this epoch (its current epoch is " +
                            std::to_string(*chain_epoch_) + "); a row for a future epoch is refused",
                        ErrorKind::kInput);
  return apply(op, epoch, Change{State::kPrepared, nullptr, false, 0, ""}, now_unix);
}

Status Journal::record_broadcast(const std::string& op, std::uint64_t epoch, const BroadcastRecord& record,
                                 bool replace_refused, std::int64_t now_unix) {
  if (record.tx_bytes.empty() || record.txhash != chain::tx::tx_hash(record.tx_bytes))
    return daemon_error("INVALID_RECORD",
                        row_name(op, epoch) + ": txhash \"" + record.txhash +
                            "\" is not the SHA-256 of the " + std::to_string(record.tx_bytes.size()) +
                            " tx bytes recorded with it",
                        ErrorKind::kInput);
  return apply(op, epoch, Change{State::kBroadcast, &record, replace_refused, 0, ""}, now_unix);
}

Status Journal::mark_committed(const std::string& op, std::uint64_t epoch, std::int64_t height,
                               std::int64_t now_unix) {
  if (height <= 0)
    return daemon_error("INVALID_RECORD",
                        row_name(op, epoch) + ": commit height must be > 0, got " + std::to_string(height),
                        ErrorKind::kInput);
  return apply(op, epoch, Change{State::kCommitted, nullptr, false, height, ""}, now_unix);
}

Status Journal::mark_failed(const std::string& op, std::uint64_t epoch, const std::string& reason,
                            std::int64_t now_unix) {
  if (reason.empty())
    return daemon_error("INVALID_RECORD", row_name(op, epoch) + ": failed needs a reason", ErrorKind::kInput);
  return apply(op, epoch, Change{State::kFailed, nullptr, false, 0, reason}, now_unix);
}

Status Journal::mark_missed(const std::string& op, std::uint64_t epoch, const std::string& reason,
                            std::int64_t now_unix) {
  if (reason.empty())
    return daemon_error("INVALID_RECORD", row_name(op, epoch) + ": missed needs a reason", ErrorKind::kInput);
  return apply(op, epoch, Change{State::kMissed, nullptr, false, 0, reason}, now_unix);
}

void Journal::set_chain_epoch(std::uint64_t epoch) {
  chain_epoch_ = epoch;
}

Result<std::vector<QuarantinedRow>> Journal::invalid_rows(std::optional<std::uint64_t> chain_epoch) {
  const auto from = static_cast<std::int64_t>(chain_epoch ? std::min(*chain_epoch, kMaxEpoch) : kMaxEpoch);
  std::vector<QuarantinedRow> out;
  auto stmt = query(db_, kRowsThatMatter, {from});
  auto st = for_each_row(stmt, [&](const db::Statement& s) -> Status {
    if (std::string why = row_problem(s, chain_epoch); !why.empty())
      out.push_back(QuarantinedRow{s.column_int(0), s.column_text(1), s.column_int(2), s.column_text(3),
                                   std::move(why)});
    return ok_status();
  });
  if (!st)
    return st.error();
  return out;
}

Result<std::vector<QuarantinedRow>> Journal::quarantine_invalid(std::uint64_t chain_epoch,
                                                                std::int64_t now_unix) {
  auto tx = db::Transaction::begin(db_);
  if (!tx)
    return tx.error();
  auto bad = invalid_rows(chain_epoch);
  if (!bad)
    return bad.error();
  for (const QuarantinedRow& r : *bad) {
    auto move = query(db_,
                      "INSERT INTO quarantine (operator, epoch, state, txhash, tx_bytes, sequence, height, "
                      "reason, created_unix, updated_unix, why, at_unix) SELECT operator, epoch, state, "
                      "txhash, tx_bytes, sequence, height, reason, created_unix, updated_unix, ?, ? FROM "
                      "submissions WHERE rowid = ?",
                      {r.why, now_unix, r.rowid});
    if (!move)
      return move.error();
    if (auto st = move->run(); !st)
      return st.error();
    auto drop = query(db_, "DELETE FROM submissions WHERE rowid = ?", {r.rowid});
    if (!drop)
      return drop.error();
    if (auto st = drop->run(); !st)
      return st.error();
  }
  if (bad->empty())
    return bad;  // nothing written: the transaction rolls back, no fsync
  if (auto st = (*tx)->commit(); !st)
    return st.error();
  return bad;
}

Result<std::int64_t> Journal::quarantined_count() {
  auto stmt = query(db_, "SELECT count(*) FROM quarantine", {});
  std::int64_t n = 0;
  auto st = for_each_row(stmt, [&](const db::Statement& s) -> Status {
    n = s.column_int(0);
    return ok_status();
  });
  if (!st)
    return st.error();
  return n;
}

Result<std::optional<Entry>> Journal::get(const std::string& op, std::uint64_t epoch) {
  if (epoch > kMaxEpoch)
    return std::optional<Entry>();
  return first(query(
      db_, "SELECT " + std::string(kEntryColumns) + " FROM submissions WHERE operator = ? AND epoch = ?",
      {op, static_cast<std::int64_t>(epoch)}));
}

Result<std::vector<Entry>> Journal::unfinished() {
  return collect(
      query(db_,
            "SELECT " + std::string(kEntryColumns) +
                " FROM submissions WHERE state IN ('prepared', 'broadcast') ORDER BY epoch, operator",
            {}));
}

Result<std::vector<Entry>> Journal::recent(std::size_t limit) {
  return collect(query(
      db_, "SELECT " + std::string(kEntryColumns) + " FROM submissions ORDER BY epoch DESC, operator LIMIT ?",
      {sql_limit(limit)}));
}

Result<std::optional<Entry>> Journal::last_committed() {
  return first(
      query(db_,
            "SELECT " + std::string(kEntryColumns) +
                " FROM submissions WHERE state = 'committed' ORDER BY epoch DESC, updated_unix DESC LIMIT 1",
            {}));
}

Result<StateCounts> Journal::counts() {
  auto stmt = query(db_, "SELECT state, count(*) FROM submissions GROUP BY state", {});
  StateCounts out{};
  auto st = for_each_row(stmt, [&](const db::Statement& s) -> Status {
    if (auto state = parse_state(s.column_text(0)))
      out[static_cast<std::size_t>(*state)] = s.column_int(1);
    return ok_status();
  });
  if (!st)
    return st.error();
  return out;
}

Result<std::vector<Transition>> Journal::history(const std::string& op, std::uint64_t epoch) {
  if (epoch > kMaxEpoch)
    return std::vector<Transition>();
  return collect_transitions(query(db_,
                                   "SELECT " + std::string(kTransitionColumns) +
                                       " FROM transitions WHERE operator = ? AND epoch = ? ORDER BY id",
                                   {op, static_cast<std::int64_t>(epoch)}));
}

Result<std::vector<Transition>> Journal::recent_transitions(std::size_t limit) {
  return collect_transitions(
      query(db_, "SELECT " + std::string(kTransitionColumns) + " FROM transitions ORDER BY id DESC LIMIT ?",
            {sql_limit(limit)}));
}

}  // namespace snprelay::daemon
