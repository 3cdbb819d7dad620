// The relayer's SQLite copy of the allowlist: self-authenticating, applied one verified update at a time.
//
// Schema (allowlist/store.cpp, migrations through db::Database):
//   updates(version PK, update_bytes, update_hash, applied_height)  every applied update, exactly as signed
//   update_signatures(version, idx, key_id, signature)               the signatures carried with each
//   entries(measurement PK, the AllowlistEntry fields, version)      the applied entry set
//   revoked(measurement PK, version)                                 measurements revoked since last added
//   min_tcb(product PK, the ProductTcb fields, version)              the current minimum TCB per product
//   signers(key_id PK, pubkey) + meta.threshold                      the pinned set the copy was verified
//   under meta(id = 1, chain_id, version, update_hash, threshold)          where the copy stands
// Because the raw bytes and signatures are kept, the whole copy can be re-verified at any time against
// the governance keys pinned in the relayer's config (verify_db), whichever RPC node served it.
//
// apply(record) = verify_record (verify.hpp) against the current tip and the pinned set, THEN every
// write in ONE transaction: a refused update, a failing write or a crash at any instant leaves the
// database at the previous version, unchanged. After the commit the in-memory Index is replaced by one
// with the update applied (readers holding the old snapshot keep it).
//
// Errors (component "allowlist"): the refusals of verify.hpp (kind kRejected); WRONG_DATABASE (kind
// kInput) when a database is opened for another chain id or another signer set than it was synced
// under (re-sync into a new file after a governance key rotation); BAD_SIGNER_SET; and db/'s errors
// (OPEN_FAILED, CORRUPT, SCHEMA_TOO_NEW, STEP_FAILED ...), of kind kInput when opening shows the file
// is not an allowlist copy (see read_copy).
//
// Thread-safety: a Store belongs to one thread at a time (as db::Database); the Index it hands out is
// immutable and may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "allowlist/lookup.hpp"
#include "allowlist/types.hpp"
#include "allowlist/verify.hpp"
#include "common/error.hpp"
#include "db/database.hpp"

namespace snprelay::allowlist {

class Store {
 public:
  // Opens (creating if absent, mode 0600) the allowlist database at `path` for `chain_id` under the
  // pinned signer set, loads the applied entries into an Index. A new database records chain_id and
  // the pinned set. An existing copy is re-verified first (verify_db): one that does not match its
  // signed updates is refused with COPY_TAMPERED (kRejected) naming the first bad row, so `sync`,
  // `doctor` and `start` never use it (start sets it aside and rebuilds from the chain).
  // Errors: BAD_SIGNER_SET, WRONG_DATABASE, COPY_TAMPERED, db errors.
  [[nodiscard]] static Result<Store> open(const std::string& path, std::string chain_id, SignerSet pinned);

  Store(Store&&) noexcept = default;
  Store& operator=(Store&&) noexcept = default;

  // Verify, then write in one transaction (file comment). Returns the verified update (decoded form,
  // hash, signer ids). Errors: verify.hpp's refusals; db errors (nothing written).
  [[nodiscard]] Result<VerifiedUpdate> apply(const UpdateRecord& record);

  // The version applied last (0 = none) and its hash.
  [[nodiscard]] const ChainTip& tip() const { return tip_; }
  // The current applied set; never null.
  [[nodiscard]] std::shared_ptr<const Index> index() const { return index_; }
  [[nodiscard]] const std::string& chain_id() const { return chain_id_; }
  [[nodiscard]] const SignerSet& signers() const { return pinned_; }

  // The stored record of `version` (nullopt when not applied). Errors: db errors.
  [[nodiscard]] Result<std::optional<UpdateRecord>> record(std::uint64_t version);

 private:
  Store(db::Database db, std::string chain_id, SignerSet pinned)
      : db_(std::move(db)), chain_id_(std::move(chain_id)), pinned_(std::move(pinned)) {}
  [[nodiscard]] Result<bool> load();  // true when the copy existed (had a meta row)
  [[nodiscard]] Status write(const UpdateRecord& record, const VerifiedUpdate& verified, const Index& before);

  db::Database db_;
  std::string chain_id_;
  SignerSet pinned_;
  ChainTip tip_;
  std::shared_ptr<const Index> index_ = std::make_shared<const Index>();
};

// The outcome of verify_db: ok, or the first bad row named ("updates version 7", "entries measurement
// ab12…", "meta", "signers") with the reason's code and message.
struct DbCheck {
  bool ok = false;
  std::uint64_t versions_checked = 0;  // updates re-verified before the first bad row (all when ok)
  std::size_t entries = 0;             // applied entries after replaying every update (when ok)
  std::string bad_row;
  std::string code;
  std::string message;
};

// Re-verifies the whole stored chain from version 1 against `chain_id` and the pinned set (from the
// config, not from the file): every update's signatures, version sequence, prev_hash chain and stored
// hash; then replays them and compares the result with the entries, revoked, min_tcb and meta tables.
// Opens the file read-only and never writes. A verdict (ok or the first bad row) is a value; an Error
// means the check could not run (unreadable or corrupt file: db errors, BAD_SIGNER_SET).
[[nodiscard]] Result<DbCheck> verify_db(const std::string& path, const std::string& chain_id,
                                        const SignerSet& pinned);

// What a copy holds, read as stored and NOT verified (verify_db does that): where it stands, the signer
// set it was synced under, the applied entries and the revoked measurements, in measurement order.
struct CopyContents {
  std::string chain_id;
  std::uint64_t version = 0;
  UpdateHash update_hash{};
  SignerSet signers;
  std::vector<Entry> entries;
  std::vector<Bytes> revoked;
};

// Reads the copy at `path`, opened read-only (`allowlist show --db`). Errors: NOT_A_COPY (kInput) for
// an empty database with no meta row; db/'s errors otherwise, with the kind kInput when the file is not
// an allowlist copy at all (not SQLite, another schema, a newer version: OPEN_FAILED, CORRUPT,
// SCHEMA_TOO_NEW, PREPARE_FAILED) — the operator named the wrong file. Store::open and verify_db
// classify those the same way.
[[nodiscard]] Result<CopyContents> read_copy(const std::string& path);

// The applied set of the copy at `path`, opened read-only and NOT verified (run verify_db first), for
// `doctor`, which must not write. Errors: those of read_copy.
[[nodiscard]] Result<Index> read_copy_index(const std::string& path);

// The migrations of the allowlist database, for tools that open it with db::Database directly.
[[nodiscard]] std::span<const db::Migration> store_migrations();

}  // namespace snprelay::allowlist
