// The submission journal: what the daemon did for each (operator, epoch), durable across crashes.
//
// One row per (operator, epoch) moves through
//     prepared ──► broadcast(txhash, tx_bytes, sequence) ──► committed(height) | failed(reason) |
//     missed(reason)
// and may also go prepared ──► committed | failed | missed directly (committed only when the chain already
// holds an accepted attestation for the epoch that this journal never recorded bytes for, e.g. a lost
// journal). committed, failed and missed are terminal: nothing changes them again.
//
// The write-ahead rule: the daemon records the exact signed bytes (record_broadcast, called from
// TxSubmitter's BeforeBroadcast hook) before they leave the process. After a crash it re-sends those
// bytes rather than signing a second, different transaction. So a row in `broadcast` has ONE live
// submission: record_broadcast with different bytes is refused unless the caller says the chain refused
// the recorded tx at CheckTx (`replace_refused`: a refused tx never reaches a block, so replacing it cannot
// create a second submission); the replaced hash is kept in the history.
//
// Every change is one SQLite transaction (BEGIN IMMEDIATE: read, check, write, history row, commit),
// with `PRAGMA synchronous=FULL` so a committed transition survives power loss — except the one that
// creates a `prepared` row, committed with synchronous=NORMAL (no fsync of its own: it is in the WAL, so
// a process crash keeps it, and the next FULL commit makes it durable). A prepared row says only that no
// bytes have left the process; losing it to a power cut loses nothing (the epoch starts afresh), and its
// fsync was a tenth of the time from nonce to mempool. A change not allowed from
// the row's current state is refused with daemon JOURNAL_TRANSITION (kInternal: the daemon's logic is
// wrong), naming operator, epoch, from and to; the row is left as it was.
//
// Every transition is also appended to a history table (operator, epoch, from, to, txhash, detail, time)
// for /v1/status and audits. Times are the `now_unix` arguments: the journal never reads a clock.
//
// Errors (component "daemon" unless from db/): JOURNAL_TRANSITION (kInternal, above); INVALID_RECORD
// (kInput: empty operator, epoch above 2^63-1 or after the chain's current epoch (set_chain_epoch), a txhash
// that is not the SHA-256 of the bytes, an empty reason, a height <= 0); NOT_A_JOURNAL (kInput: the file is
// not a journal — another SQLite database or not a database at all — refused and left byte-identical); db
// SCHEMA_TOO_NEW (kInput: written by a newer snprelay, never modified); other db codes (STEP_FAILED, ...) for
// I/O failures.
//
// Thread-safety: a Journal is used by one thread at a time (it owns one SQLite connection, see
// db/database.hpp). Other processes may open the same file: WAL lets them read while the daemon writes,
// and each transition holds SQLite's write lock for its duration.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/hex.hpp"
#include "db/database.hpp"

namespace snprelay::daemon {

enum class State { kPrepared, kBroadcast, kCommitted, kFailed, kMissed };
inline constexpr std::size_t kStateCount = 5;

// "prepared", "broadcast", "committed", "failed", "missed": the names stored in the file, used in
// errors and in metric labels (snprelay_journal_entries{state=...}).
[[nodiscard]] const char* state_name(State state);
// The inverse of state_name; nullopt for any other text.
[[nodiscard]] std::optional<State> parse_state(std::string_view name);
// committed, failed and missed.
[[nodiscard]] bool is_terminal(State state);

// One row of the journal.
struct Entry {
  std::string operator_address;
  std::uint64_t epoch = 0;
  State state = State::kPrepared;
  std::string txhash;          // the live submission (upper-case hex); "" until broadcast
  Bytes tx_bytes;              // its exact signed TxRaw bytes; empty until broadcast
  std::uint64_t sequence = 0;  // the account sequence those bytes carry
  std::int64_t height = 0;     // committed: the block height; 0 otherwise
  std::string reason;          // failed / missed: why; "" otherwise
  std::int64_t created_unix = 0;
  std::int64_t updated_unix = 0;
};

// One history row: a transition as it happened. `from` is nullopt for the row's creation.
struct Transition {
  std::string operator_address;
  std::uint64_t epoch = 0;
  std::optional<State> from;
  State to = State::kPrepared;
  std::string txhash;  // the hash involved (the new one for a broadcast, the replaced one in `detail`)
  std::string detail;  // reason, height or what was replaced, in words
  std::int64_t at_unix = 0;
};

// What record_broadcast stores: the signed bytes about to be (or already) sent.
struct BroadcastRecord {
  std::string txhash;  // must equal the upper-case hex SHA-256 of tx_bytes
  Bytes tx_bytes;      // non-empty
  std::uint64_t sequence = 0;
};

// A row quarantine_invalid moved (or invalid_rows found): where it was, as stored, and why.
struct QuarantinedRow {
  std::int64_t rowid = 0;
  std::string operator_address;
  std::int64_t epoch = 0;
  std::string state;  // as stored (it may not be one of ours)
  std::string why;    // e.g. "txhash \"XYZ\" is not 64 upper-case hex digits"
};

// Number of rows in each state, indexed by static_cast<std::size_t>(State); every state present.
using StateCounts = std::array<std::int64_t, kStateCount>;

class Journal {
 public:
  // Opens (creating if absent, mode 0600) the journal at `path` and brings its schema up to date. An
  // existing file is first inspected read-only: anything that is not a journal (another application's
  // SQLite database, any non-database file) is refused with NOT_A_JOURNAL before a single byte is
  // written; a journal from a newer snprelay with db SCHEMA_TOO_NEW.
  [[nodiscard]] static Result<Journal> open(const std::string& path);

  // Opens an existing journal for reading only (e.g. `snprelay status` beside a running daemon): the
  // same probe, nothing is created, migrated or written; every transition then fails with a db error.
  // Errors: daemon NO_JOURNAL (kInput) when `path` does not exist, and those of open().
  [[nodiscard]] static Result<Journal> open_read_only(const std::string& path);

  // Creates the row in `prepared`. Refused (JOURNAL_TRANSITION, from the row's state) when a row for
  // (operator, epoch) already exists.
  [[nodiscard]] Status prepare(const std::string& operator_address, std::uint64_t epoch,
                               std::int64_t now_unix);

  // prepared → broadcast, storing `record`. From broadcast: the same bytes again is accepted (a re-send,
  // recorded in the history; the row is unchanged); different bytes only with `replace_refused` (the
  // chain refused the recorded tx at CheckTx), then the row holds the new tx and the old hash goes to the
  // history. Refused from every terminal state and for a missing row.
  [[nodiscard]] Status record_broadcast(const std::string& operator_address, std::uint64_t epoch,
                                        const BroadcastRecord& record, bool replace_refused,
                                        std::int64_t now_unix);

  // prepared|broadcast → committed at block `height` (> 0). The bytes and hash stay on the row.
  [[nodiscard]] Status mark_committed(const std::string& operator_address, std::uint64_t epoch,
                                      std::int64_t height, std::int64_t now_unix);
  // prepared|broadcast → failed with a non-empty `reason`.
  [[nodiscard]] Status mark_failed(const std::string& operator_address, std::uint64_t epoch,
                                   const std::string& reason, std::int64_t now_unix);
  // prepared|broadcast → missed with a non-empty `reason`.
  [[nodiscard]] Status mark_missed(const std::string& operator_address, std::uint64_t epoch,
                                   const std::string& reason, std::int64_t now_unix);

  // The newest epoch the chain has reached (CurrentEpoch, set by the epoch runner each pass): prepare()
  // then refuses a later epoch with INVALID_RECORD. Until it is set there is no bound.
  void set_chain_epoch(std::uint64_t epoch);

  // The journal never blocks attestation (issue 21: one broadcast row with a malformed tx hash made every
  // later pass fail for 12 epochs). Every row that can still matter — not final, a state that is not one
  // of ours, or at or after `chain_epoch` — is validated by the rules the transitions enforce when they
  // write (64 upper-case hex digits that are the SHA-256 of the row's bytes, a height for committed, a
  // reason for failed/missed, an operator); each row that fails, and every row for an epoch after
  // `chain_epoch` (the chain has not reached it), is moved to the `quarantine` table with the reason, in
  // one transaction. The epoch is then handled as if it had no row. Returns the rows moved (none: nothing
  // is written). Nothing is deleted: the quarantine table keeps the row as it was.
  [[nodiscard]] Result<std::vector<QuarantinedRow>> quarantine_invalid(std::uint64_t chain_epoch,
                                                                       std::int64_t now_unix);
  // What quarantine_invalid would move, read-only (`doctor`); without `chain_epoch`, only the rows that
  // are not final are looked at and no epoch counts as ahead of the chain.
  [[nodiscard]] Result<std::vector<QuarantinedRow>> invalid_rows(std::optional<std::uint64_t> chain_epoch);
  // Rows in the quarantine table.
  [[nodiscard]] Result<std::int64_t> quarantined_count();

  // The row, or nullopt when there is none.
  [[nodiscard]] Result<std::optional<Entry>> get(const std::string& operator_address, std::uint64_t epoch);
  // Rows in prepared or broadcast, oldest epoch first: what start-up must resolve (recovery.hpp).
  [[nodiscard]] Result<std::vector<Entry>> unfinished();
  // At most `limit` rows, newest epoch first (ties: operator order).
  [[nodiscard]] Result<std::vector<Entry>> recent(std::size_t limit);
  // The history of one row, oldest first.
  [[nodiscard]] Result<std::vector<Transition>> history(const std::string& operator_address,
                                                        std::uint64_t epoch);
  // At most `limit` history rows of all entries, newest first (for /v1/status and audits).
  [[nodiscard]] Result<std::vector<Transition>> recent_transitions(std::size_t limit);
  // Rows per state.
  [[nodiscard]] Result<StateCounts> counts();
  // The committed row with the highest epoch, or nullopt.
  [[nodiscard]] Result<std::optional<Entry>> last_committed();

  [[nodiscard]] const std::string& path() const { return db_.path(); }

 private:
  explicit Journal(db::Database db) : db_(std::move(db)) {}
  struct Change;
  [[nodiscard]] Status apply(const std::string& operator_address, std::uint64_t epoch, const Change& change,
                             std::int64_t now_unix);

  db::Database db_;
  std::optional<std::uint64_t> chain_epoch_;
};

}  // namespace snprelay::daemon
