// verify_db: re-verify a stored allowlist copy from version 1 and name the first bad row (store.hpp).
#include <algorithm>

#include "allowlist/store.hpp"
#include "allowlist/store_rows.hpp"

namespace snprelay::allowlist {
namespace {

DbCheck bad(const DbCheck& so_far, std::string row, std::string code, std::string message) {
  DbCheck out = so_far;
  out.ok = false;
  out.bad_row = std::move(row);
  out.code = std::move(code);
  out.message = std::move(message);
  return out;
}

std::string entry_row(const Bytes& m) {
  return "entries measurement " + to_hex(m);
}

// Compares the stored applied state with the one replayed from the updates.
DbCheck compare_state(const DbCheck& check, const Index& replayed, const std::vector<Entry>& stored,
                      const std::vector<Bytes>& stored_revoked, const std::vector<ProductTcb>& stored_tcb,
                      std::int64_t height_for_lookup) {
  for (const auto& e : stored) {
    const auto found = replayed.lookup(e.measurement, height_for_lookup);
    if (found.entry == nullptr)
      return bad(check, entry_row(e.measurement), "ENTRY_NOT_IN_CHAIN",
                 "the entries table holds a measurement no stored update leaves applied");
    if (!(*found.entry == e))
      return bad(check, entry_row(e.measurement), "ENTRY_DIFFERS",
                 "the entries row differs from the entry of the signed update that added it");
  }
  if (stored.size() != replayed.size())
    return bad(check, "entries", "ENTRY_MISSING",
               "the entries table has " + std::to_string(stored.size()) + " rows, the signed updates leave " +
                   std::to_string(replayed.size()));
  for (const auto& m : stored_revoked) {
    if (replayed.lookup(m, height_for_lookup).status != LookupStatus::kRevoked)
      return bad(check, "revoked measurement " + to_hex(m), "REVOKED_DIFFERS",
                 "the revoked table holds a measurement the signed updates do not revoke");
  }
  if (stored_revoked.size() != replayed.revoked_count())
    return bad(check, "revoked", "REVOKED_DIFFERS",
               "the revoked table has " + std::to_string(stored_revoked.size()) +
                   " rows, the signed updates leave " + std::to_string(replayed.revoked_count()));
  std::vector<ProductTcb> want;
  for (const auto& [product, tcb] : replayed.min_tcb())
    want.push_back(tcb);
  if (want != stored_tcb)
    return bad(check, "min_tcb", "MIN_TCB_DIFFERS", "the min_tcb table differs from the signed updates");
  return check;
}

}  // namespace

Result<DbCheck> verify_db(const std::string& path, const std::string& chain_id, const SignerSet& pinned) {
  if (auto st = validate_signer_set(pinned); !st)
    return st.error();
  auto db = rows::open_copy(path, true);
  if (!db)
    return db.error();
  DbCheck check;
  auto meta = rows::read_meta(*db);
  if (!meta)
    return meta.error();
  if (!meta->has_value())
    return bad(check, "meta", "META_MISSING", path + " has no meta row (never opened as an allowlist store)");
  if ((*meta)->chain_id != chain_id)
    return bad(check, "meta", "WRONG_CHAIN",
               "meta says chain \"" + (*meta)->chain_id + "\", want \"" + chain_id + "\"");
  auto signers = rows::read_signers(*db, (*meta)->threshold);
  if (!signers)
    return signers.error();
  if (!rows::same_set(*signers, pinned))
    return bad(check, "signers", "SIGNER_SET_MISMATCH",
               "the stored signer set or threshold is not the pinned one");

  auto updates = rows::read_all_updates(*db);
  if (!updates)
    return updates.error();
  Index replayed;
  ChainTip tip;
  for (const auto& s : *updates) {
    const std::string row = "updates version " + std::to_string(s.record.version);
    auto verified = verify_record(s.record, VerifyContext{chain_id, tip, &pinned});
    if (!verified)
      return bad(check, row, verified.error().code, verified.error().message);
    if (!std::equal(s.stored_hash.begin(), s.stored_hash.end(), verified->hash.begin(), verified->hash.end()))
      return bad(check, row, "HASH_DIFFERS",
                 "stored update_hash " + to_hex(s.stored_hash) + " is not SHA-256 of its bytes");
    replayed.apply(verified->update);
    tip = {verified->update.version, verified->hash};
    ++check.versions_checked;
  }
  if ((*meta)->version != tip.version || (*meta)->update_hash != tip.hash)
    return bad(check, "meta", "META_DIFFERS",
               "meta says version " + std::to_string((*meta)->version) +
                   ", the stored updates end at version " + std::to_string(tip.version) +
                   " (or the hash differs)");
  auto entries = rows::read_entries(*db);
  if (!entries)
    return entries.error();
  auto revoked = rows::read_revoked(*db);
  if (!revoked)
    return revoked.error();
  auto tcb = rows::read_min_tcb(*db);
  if (!tcb)
    return tcb.error();
  // Entry expiry does not matter for the comparison: look up at height 0 (nothing expired).
  check = compare_state(check, replayed, *entries, *revoked, *tcb, 0);
  if (!check.bad_row.empty())
    return check;
  check.ok = true;
  check.entries = replayed.size();
  return check;
}

namespace {

// An existing copy opened read-only with its meta row; NOT_A_COPY when it has none.
struct OpenedCopy {
  db::Database db;
  rows::Meta meta;
};

Result<OpenedCopy> open_existing_copy(const std::string& path) {
  auto db = rows::open_copy(path, true);
  if (!db)
    return db.error();
  auto meta = rows::read_meta(*db);
  if (!meta)
    return meta.error();
  if (!meta->has_value())
    return make_error("allowlist", "NOT_A_COPY", path + " is an empty allowlist database (no meta row)",
                      ErrorKind::kInput);
  return OpenedCopy{std::move(*db), **meta};
}

}  // namespace

Result<CopyContents> read_copy(const std::string& path) {
  auto copy = open_existing_copy(path);
  if (!copy)
    return copy.error();
  db::Database& db = copy->db;
  const rows::Meta& meta = copy->meta;
  CopyContents out;
  out.chain_id = meta.chain_id;
  out.version = meta.version;
  out.update_hash = meta.update_hash;
  auto signers = rows::read_signers(db, meta.threshold);
  if (!signers)
    return signers.error();
  out.signers = std::move(*signers);
  auto entries = rows::read_entries(db);
  if (!entries)
    return entries.error();
  out.entries = std::move(*entries);
  auto revoked = rows::read_revoked(db);
  if (!revoked)
    return revoked.error();
  out.revoked = std::move(*revoked);
  return out;
}

Result<Index> read_copy_index(const std::string& path) {
  auto copy = open_existing_copy(path);
  if (!copy)
    return copy.error();
  return rows::read_index(copy->db, copy->meta.version);
}

}  // namespace snprelay::allowlist
