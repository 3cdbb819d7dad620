// Row-level SQL of the allowlist database (see store_rows.hpp).
#include "allowlist/store_rows.hpp"

#include <algorithm>
#include <bit>
#include <map>

#include "allowlist/store.hpp"

namespace snprelay::allowlist::rows {
namespace {

std::int64_t i64(std::uint64_t v) {
  return std::bit_cast<std::int64_t>(v);
}
std::uint64_t u64(std::int64_t v) {
  return std::bit_cast<std::uint64_t>(v);
}

// Runs `sql` with each binder applied, for the many short statements below.
template <typename Bind>
Status run(db::Database& db, std::string_view sql, Bind&& bind) {
  auto stmt = db.prepare(sql);
  if (!stmt)
    return stmt.error();
  if (auto st = bind(*stmt); !st)
    return st;
  return stmt->run();
}

UpdateHash to_hash(const Bytes& b) {
  UpdateHash h{};
  if (b.size() == h.size())
    std::copy(b.begin(), b.end(), h.begin());
  return h;
}

}  // namespace

Result<db::Database> open_copy(const std::string& path, bool read_only) {
  db::OpenOptions options;
  options.read_only = read_only;
  auto db = db::Database::open(path, store_migrations(), options);
  if (db)
    return db;
  Error e = db.error();
  if (e.component == "db" && (e.code == "OPEN_FAILED" || e.code == "CORRUPT" || e.code == "SCHEMA_TOO_NEW" ||
                              e.code == "PREPARE_FAILED"))
    e.kind = ErrorKind::kInput;  // not an allowlist copy: the operator named the wrong file
  return e;
}

Result<std::optional<Meta>> read_meta(db::Database& db) {
  auto stmt = db.prepare("SELECT chain_id, version, update_hash, threshold FROM meta WHERE id = 1");
  if (!stmt)
    return stmt.error();
  auto step = stmt->step();
  if (!step)
    return step.error();
  if (*step == db::Statement::Step::kDone)
    return std::optional<Meta>{};
  return std::optional<Meta>(Meta{stmt->column_text(0), u64(stmt->column_int(1)),
                                  to_hash(stmt->column_blob(2)),
                                  static_cast<std::uint32_t>(stmt->column_int(3))});
}

Status write_meta(db::Database& db, const Meta& m) {
  return run(
      db,
      "INSERT OR REPLACE INTO meta (id, chain_id, version, update_hash, threshold) VALUES (1, ?, ?, ?, ?)",
      [&](db::Statement& s) -> Status {
        if (auto st = s.bind(1, m.chain_id); !st)
          return st;
        if (auto st = s.bind(2, i64(m.version)); !st)
          return st;
        if (auto st = s.bind(3, std::span<const std::uint8_t>(m.update_hash)); !st)
          return st;
        return s.bind(4, static_cast<std::int64_t>(m.threshold));
      });
}

Status write_signers(db::Database& db, const SignerSet& set) {
  auto stmt = db.prepare("INSERT INTO signers (key_id, pubkey) VALUES (?, ?)");
  if (!stmt)
    return stmt.error();
  for (const auto& k : set.signers) {
    stmt->reset();
    if (auto st = stmt->bind(1, k.key_id); !st)
      return st;
    if (auto st = stmt->bind(2, std::span<const std::uint8_t>(k.pubkey)); !st)
      return st;
    if (auto st = stmt->run(); !st)
      return st;
  }
  return ok_status();
}

Result<SignerSet> read_signers(db::Database& db, std::uint32_t threshold) {
  auto stmt = db.prepare("SELECT key_id, pubkey FROM signers ORDER BY key_id");
  if (!stmt)
    return stmt.error();
  SignerSet out;
  out.threshold = threshold;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    out.signers.push_back({stmt->column_text(0), stmt->column_blob(1)});
  }
  return out;
}

bool same_set(const SignerSet& a, const SignerSet& b) {
  auto as_map = [](const SignerSet& s) {
    std::map<std::string, Bytes> m;
    for (const auto& k : s.signers)
      m.emplace(k.key_id, k.pubkey);
    return m;
  };
  return a.threshold == b.threshold && a.signers.size() == b.signers.size() && as_map(a) == as_map(b);
}

Result<std::vector<Entry>> read_entries(db::Database& db) {
  auto stmt = db.prepare(
      "SELECT measurement, label, min_guest_svn, policy_mask, policy_value, family_id, image_id, host_data, "
      "expiry_height FROM entries ORDER BY measurement");
  if (!stmt)
    return stmt.error();
  std::vector<Entry> out;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    Entry e;
    e.measurement = stmt->column_blob(0);
    e.label = stmt->column_text(1);
    e.min_guest_svn = static_cast<std::uint32_t>(stmt->column_int(2));
    e.policy_mask = u64(stmt->column_int(3));
    e.policy_value = u64(stmt->column_int(4));
    e.family_id = stmt->column_blob(5);
    e.image_id = stmt->column_blob(6);
    e.host_data = stmt->column_blob(7);
    e.expiry_height = stmt->column_int(8);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Bytes>> read_revoked(db::Database& db) {
  auto stmt = db.prepare("SELECT measurement FROM revoked ORDER BY measurement");
  if (!stmt)
    return stmt.error();
  std::vector<Bytes> out;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    out.push_back(stmt->column_blob(0));
  }
  return out;
}

Result<std::vector<ProductTcb>> read_min_tcb(db::Database& db) {
  auto stmt =
      db.prepare("SELECT product, boot_loader, tee, snp, microcode, fmc FROM min_tcb ORDER BY product");
  if (!stmt)
    return stmt.error();
  std::vector<ProductTcb> out;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    auto u32 = [&](int c) { return static_cast<std::uint32_t>(stmt->column_int(c)); };
    out.push_back({stmt->column_text(0), u32(1), u32(2), u32(3), u32(4), u32(5)});
  }
  return out;
}

Result<Index> read_index(db::Database& db, std::uint64_t version) {
  // The tables are the applied state; one synthetic update on an empty Index restores it (entries and
  // revoked measurements are disjoint, so add-then-revoke loses nothing).
  Update u;
  u.version = version;
  auto entries = read_entries(db);
  if (!entries)
    return entries.error();
  u.add = std::move(entries.value());
  auto revoked = read_revoked(db);
  if (!revoked)
    return revoked.error();
  u.revoke = std::move(revoked.value());
  auto tcb = read_min_tcb(db);
  if (!tcb)
    return tcb.error();
  u.min_tcb = std::move(tcb.value());
  Index index;
  index.apply(u);
  return index;
}

Status insert_update(db::Database& db, const UpdateRecord& r, const UpdateHash& hash) {
  auto st =
      run(db, "INSERT INTO updates (version, update_bytes, update_hash, applied_height) VALUES (?, ?, ?, ?)",
          [&](db::Statement& s) -> Status {
            if (auto b = s.bind(1, i64(r.version)); !b)
              return b;
            if (auto b = s.bind(2, std::span<const std::uint8_t>(r.update_bytes)); !b)
              return b;
            if (auto b = s.bind(3, std::span<const std::uint8_t>(hash)); !b)
              return b;
            return s.bind(4, r.applied_height);
          });
  if (!st)
    return st;
  auto stmt =
      db.prepare("INSERT INTO update_signatures (version, idx, key_id, signature) VALUES (?, ?, ?, ?)");
  if (!stmt)
    return stmt.error();
  for (std::size_t i = 0; i < r.signatures.size(); ++i) {
    stmt->reset();
    if (auto b = stmt->bind(1, i64(r.version)); !b)
      return b;
    if (auto b = stmt->bind(2, static_cast<std::int64_t>(i)); !b)
      return b;
    if (auto b = stmt->bind(3, r.signatures[i].key_id); !b)
      return b;
    if (auto b = stmt->bind(4, std::span<const std::uint8_t>(r.signatures[i].signature)); !b)
      return b;
    if (auto b = stmt->run(); !b)
      return b;
  }
  return ok_status();
}

namespace {

Status bind_entry(db::Statement& s, const Entry& e, std::uint64_t version) {
  const Status binds[] = {s.bind(1, std::span<const std::uint8_t>(e.measurement)),
                          s.bind(2, e.label),
                          s.bind(3, static_cast<std::int64_t>(e.min_guest_svn)),
                          s.bind(4, i64(e.policy_mask)),
                          s.bind(5, i64(e.policy_value)),
                          s.bind(6, std::span<const std::uint8_t>(e.family_id)),
                          s.bind(7, std::span<const std::uint8_t>(e.image_id)),
                          s.bind(8, std::span<const std::uint8_t>(e.host_data)),
                          s.bind(9, e.expiry_height),
                          s.bind(10, i64(version))};
  for (const auto& b : binds) {
    if (!b)
      return b;
  }
  return ok_status();
}

}  // namespace

Status apply_entries(db::Database& db, const Update& u, const Index& before) {
  if (!u.add.empty()) {
    auto ins = db.prepare(
        "INSERT OR REPLACE INTO entries (measurement, label, min_guest_svn, policy_mask, policy_value, "
        "family_id, "
        "image_id, host_data, expiry_height, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins)
      return ins.error();
    auto unrevoke = db.prepare("DELETE FROM revoked WHERE measurement = ?");
    if (!unrevoke)
      return unrevoke.error();
    for (const auto& e : u.add) {
      ins->reset();
      if (auto st = bind_entry(*ins, e, u.version); !st)
        return st;
      if (auto st = ins->run(); !st)
        return st;
      if (before.lookup(e.measurement, 0).status != LookupStatus::kRevoked)
        continue;
      unrevoke->reset();
      if (auto st = unrevoke->bind(1, std::span<const std::uint8_t>(e.measurement)); !st)
        return st;
      if (auto st = unrevoke->run(); !st)
        return st;
    }
  }
  for (const auto& m : u.revoke) {
    const std::span<const std::uint8_t> key(m);
    if (auto st = run(db, "DELETE FROM entries WHERE measurement = ?",
                      [&](db::Statement& s) { return s.bind(1, key); });
        !st)
      return st;
    if (auto st = run(db, "INSERT OR REPLACE INTO revoked (measurement, version) VALUES (?, ?)",
                      [&](db::Statement& s) -> Status {
                        if (auto b = s.bind(1, key); !b)
                          return b;
                        return s.bind(2, i64(u.version));
                      });
        !st)
      return st;
  }
  for (const auto& t : u.min_tcb) {
    auto st = run(db,
                  "INSERT OR REPLACE INTO min_tcb (product, boot_loader, tee, snp, microcode, fmc, version) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  [&](db::Statement& s) -> Status {
                    const Status binds[] = {s.bind(1, t.product),
                                            s.bind(2, static_cast<std::int64_t>(t.boot_loader)),
                                            s.bind(3, static_cast<std::int64_t>(t.tee)),
                                            s.bind(4, static_cast<std::int64_t>(t.snp)),
                                            s.bind(5, static_cast<std::int64_t>(t.microcode)),
                                            s.bind(6, static_cast<std::int64_t>(t.fmc)),
                                            s.bind(7, i64(u.version))};
                    for (const auto& b : binds) {
                      if (!b)
                        return b;
                    }
                    return ok_status();
                  });
    if (!st)
      return st;
  }
  return ok_status();
}

namespace {

Result<std::vector<Signature>> read_signatures(db::Database& db, std::uint64_t version) {
  auto stmt = db.prepare("SELECT key_id, signature FROM update_signatures WHERE version = ? ORDER BY idx");
  if (!stmt)
    return stmt.error();
  if (auto st = stmt->bind(1, i64(version)); !st)
    return st.error();
  std::vector<Signature> out;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    out.push_back({stmt->column_text(0), stmt->column_blob(1)});
  }
  return out;
}

}  // namespace

Result<std::optional<UpdateRecord>> read_record(db::Database& db, std::uint64_t version) {
  auto stmt = db.prepare("SELECT update_bytes, applied_height FROM updates WHERE version = ?");
  if (!stmt)
    return stmt.error();
  if (auto st = stmt->bind(1, i64(version)); !st)
    return st.error();
  auto step = stmt->step();
  if (!step)
    return step.error();
  if (*step == db::Statement::Step::kDone)
    return std::optional<UpdateRecord>{};
  UpdateRecord r{version, stmt->column_blob(0), {}, stmt->column_int(1)};
  auto sigs = read_signatures(db, version);
  if (!sigs)
    return sigs.error();
  r.signatures = std::move(sigs.value());
  return std::optional<UpdateRecord>(std::move(r));
}

Result<std::vector<StoredUpdate>> read_all_updates(db::Database& db) {
  auto stmt =
      db.prepare("SELECT version, update_bytes, update_hash, applied_height FROM updates ORDER BY version");
  if (!stmt)
    return stmt.error();
  std::vector<StoredUpdate> out;
  for (;;) {
    auto step = stmt->step();
    if (!step)
      return step.error();
    if (*step == db::Statement::Step::kDone)
      break;
    StoredUpdate s;
    s.record = {u64(stmt->column_int(0)), stmt->column_blob(1), {}, stmt->column_int(3)};
    s.stored_hash = stmt->column_blob(2);
    out.push_back(std::move(s));
  }
  for (auto& s : out) {
    auto sigs = read_signatures(db, s.record.version);
    if (!sigs)
      return sigs.error();
    s.record.signatures = std::move(sigs.value());
  }
  return out;
}

}  // namespace snprelay::allowlist::rows
