// Row-level reads and writes of the allowlist database (internal to allowlist/: store.cpp, verify_db.cpp).
//
// Each function runs its statements on the Database it is given, inside whatever transaction the
// caller holds; none begins or commits one. uint64 values (policy mask/value, versions) are stored as
// SQLite INTEGER by two's-complement bit copy and read back the same way. Errors: db errors unchanged.
// Thread-safety: as the Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "allowlist/lookup.hpp"
#include "allowlist/types.hpp"
#include "common/error.hpp"
#include "db/database.hpp"

namespace snprelay::allowlist::rows {

// db::Database::open of an allowlist copy, read-only or not, with the open errors that mean "this
// file is not an allowlist copy" (OPEN_FAILED, CORRUPT, SCHEMA_TOO_NEW, PREPARE_FAILED) made kInput.
[[nodiscard]] Result<db::Database> open_copy(const std::string& path, bool read_only);

// The meta row (id = 1).
struct Meta {
  std::string chain_id;
  std::uint64_t version = 0;
  UpdateHash update_hash{};
  std::uint32_t threshold = 0;
};

// nullopt for a database that has no meta row yet (new). A row whose hash is not 32 bytes is read as
// all-zero hash; verify_db compares it with the replayed chain and reports it.
[[nodiscard]] Result<std::optional<Meta>> read_meta(db::Database& db);
[[nodiscard]] Status write_meta(db::Database& db, const Meta& meta);

[[nodiscard]] Status write_signers(db::Database& db, const SignerSet& set);
// The stored signers, in key id order, with `threshold`.
[[nodiscard]] Result<SignerSet> read_signers(db::Database& db, std::uint32_t threshold);
// Same keys (as a set of key id -> pubkey) and the same threshold.
[[nodiscard]] bool same_set(const SignerSet& a, const SignerSet& b);

// The entries, revoked and min_tcb tables as an Index at `version`.
[[nodiscard]] Result<Index> read_index(db::Database& db, std::uint64_t version);
// The entries table, in measurement order.
[[nodiscard]] Result<std::vector<Entry>> read_entries(db::Database& db);
// The revoked table, in measurement order.
[[nodiscard]] Result<std::vector<Bytes>> read_revoked(db::Database& db);
// The min_tcb table, in product order.
[[nodiscard]] Result<std::vector<ProductTcb>> read_min_tcb(db::Database& db);

// Inserts the updates row and its signatures.
[[nodiscard]] Status insert_update(db::Database& db, const UpdateRecord& record, const UpdateHash& hash);
// Adds, revokes and min_tcb of a verified update on the entries, revoked and min_tcb tables. `before`
// is the applied set the update goes on top of: only measurements it holds as revoked get their
// revoked row deleted when added again (a bulk add then costs one statement per entry).
[[nodiscard]] Status apply_entries(db::Database& db, const Update& update, const Index& before);

// One stored update with its signatures; nullopt when absent.
[[nodiscard]] Result<std::optional<UpdateRecord>> read_record(db::Database& db, std::uint64_t version);

// Every stored update in version order, with the stored update_hash column beside each record.
struct StoredUpdate {
  UpdateRecord record;
  Bytes stored_hash;
};
[[nodiscard]] Result<std::vector<StoredUpdate>> read_all_updates(db::Database& db);

}  // namespace snprelay::allowlist::rows
