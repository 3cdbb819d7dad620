// The allowlist's SQLite store (see store.hpp): schema, open, apply in one transaction.
#include "allowlist/store.hpp"

#include <algorithm>

#include "allowlist/codec.hpp"
#include "allowlist/store_rows.hpp"

namespace snprelay::allowlist {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  chain_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  update_hash BLOB NOT NULL,
  threshold INTEGER NOT NULL
);
CREATE TABLE signers (key_id TEXT PRIMARY KEY, pubkey BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE updates (
  version INTEGER PRIMARY KEY,
  update_bytes BLOB NOT NULL,
  update_hash BLOB NOT NULL,
  applied_height INTEGER NOT NULL
);
CREATE TABLE update_signatures (
  version INTEGER NOT NULL REFERENCES updates(version),
  idx INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature BLOB NOT NULL,
  PRIMARY KEY (version, idx)
) WITHOUT ROWID;
CREATE TABLE entries (
  measurement BLOB PRIMARY KEY,
  label TEXT NOT NULL,
  min_guest_svn INTEGER NOT NULL,
  policy_mask INTEGER NOT NULL,
  policy_value INTEGER NOT NULL,
  family_id BLOB NOT NULL,
  image_id BLOB NOT NULL,
  host_data BLOB NOT NULL,
  expiry_height INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE revoked (measurement BLOB PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE min_tcb (
  product TEXT PRIMARY KEY,
  boot_loader INTEGER NOT NULL,
  tee INTEGER NOT NULL,
  snp INTEGER NOT NULL,
  microcode INTEGER NOT NULL,
  fmc INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr db::Migration kMigrations[] = {{1, kSchemaV1}};

Error wrong_database(std::string message) {
  return make_error("allowlist", "WRONG_DATABASE", std::move(message), ErrorKind::kInput);
}

}  // namespace

std::span<const db::Migration> store_migrations() {
  return kMigrations;
}

Result<Store> Store::open(const std::string& path, std::string chain_id, SignerSet pinned) {
  if (auto st = validate_signer_set(pinned); !st)
    return st.error();
  auto db = rows::open_copy(path, false);
  if (!db)
    return db.error();
  Store store(std::move(db.value()), std::move(chain_id), std::move(pinned));
  auto existed = store.load();
  if (!existed)
    return existed.error();
  if (*existed) {
    // The copy verifies itself before use: a row added, removed or relabelled by hand is found here,
    // not when a report is judged against it (issue 21).
    auto check = verify_db(path, store.chain_id_, store.pinned_);
    if (!check)
      return check.error();
    if (!check->ok)
      return make_error("allowlist", "COPY_TAMPERED",
                        path + " does not match its signed updates: first bad row: " + check->bad_row + ": " +
                            check->code + ": " + check->message,
                        ErrorKind::kRejected);
  }
  return store;
}

Result<bool> Store::load() {
  auto meta = rows::read_meta(db_);
  if (!meta)
    return meta.error();
  if (!meta->has_value()) {
    // A new database: record what it will be verified under, once.
    auto tx = db::Transaction::begin(db_);
    if (!tx)
      return tx.error();
    if (auto st = rows::write_signers(db_, pinned_); !st)
      return st.error();
    if (auto st = rows::write_meta(db_, {chain_id_, 0, UpdateHash{}, pinned_.threshold}); !st)
      return st.error();
    if (auto st = (*tx)->commit(); !st)
      return st.error();
    return false;
  }
  const rows::Meta& m = **meta;
  if (m.chain_id != chain_id_)
    return wrong_database(db_.path() + " holds the allowlist of chain \"" + m.chain_id + "\", not \"" +
                          chain_id_ + "\"");
  auto stored = rows::read_signers(db_, m.threshold);
  if (!stored)
    return stored.error();
  if (!rows::same_set(*stored, pinned_))
    return wrong_database(
        db_.path() +
        " was synced under another allowlist signer set than the pinned one; sync into a new "
        "file (the chain's updates are re-verified from version 1)");
  auto index = rows::read_index(db_, m.version);
  if (!index)
    return index.error();
  tip_ = {m.version, m.update_hash};
  index_ = std::make_shared<const Index>(std::move(index.value()));
  return true;
}

Result<VerifiedUpdate> Store::apply(const UpdateRecord& record) {
  auto verified = verify_record(record, VerifyContext{chain_id_, tip_, &pinned_});
  if (!verified)
    return verified.error();
  auto next = std::make_shared<Index>(*index_);
  next->apply(verified->update);
  if (auto st = write(record, *verified, *index_); !st)
    return st.error();
  tip_ = {verified->update.version, verified->hash};
  index_ = std::move(next);
  return verified;
}

Status Store::write(const UpdateRecord& record, const VerifiedUpdate& verified, const Index& before) {
  auto tx = db::Transaction::begin(db_);
  if (!tx)
    return tx.error();
  if (auto st = rows::insert_update(db_, record, verified.hash); !st)
    return st;
  if (auto st = rows::apply_entries(db_, verified.update, before); !st)
    return st;
  if (auto st = rows::write_meta(db_, {chain_id_, verified.update.version, verified.hash, pinned_.threshold});
      !st)
    return st;
  return (*tx)->commit();
}

Result<std::optional<UpdateRecord>> Store::record(std::uint64_t version) {
  return rows::read_record(db_, version);
}

}  // namespace snprelay::allowlist
