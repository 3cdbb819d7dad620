// allowlist_apply: a 100,000-entry update verified (strict decode, shape, 2-of-3 signatures, version
// chain) and written to the SQLite store in one transaction, in entries/s, against a raw SQLite bulk
// insert of the same rows into the same table shape in the same run (the storage limit). Target
// ratio >= 0.5. allowlist_lookup: measurement -> entry lookups at a height on the in-memory index
// (100,000 entries), per second on one core; target >= 1,000,000/s (no limit line).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "allowlist/codec.hpp"
#include "allowlist/store.hpp"
#include "bench/bench_support.hpp"
#include "chain/crypto/secp256k1.hpp"
#include "db/database.hpp"

namespace {

using namespace snprelay;
using namespace snprelay::allowlist;

constexpr std::size_t kEntries = 100000;
constexpr const char* kChain = "snp-bench-1";

SecretBytes key(int i) {
  return SecretBytes(std::span<const std::uint8_t>(Bytes(32, static_cast<std::uint8_t>(0x21 + i))));
}

SignerSet signers() {
  SignerSet s;
  for (int i = 0; i < 3; ++i) {
    auto pub = chain::crypto::public_key_of(key(i));
    s.signers.push_back({"gov-" + std::to_string(i), Bytes(pub->begin(), pub->end())});
  }
  s.threshold = 2;
  return s;
}

Bytes meas(std::size_t i) {
  Bytes m(kMeasurementSize, 0x5a);
  for (std::size_t b = 0; b < 8; ++b)
    m[b] = static_cast<std::uint8_t>((i * 0x9e3779b97f4a7c15ULL) >> (8 * b));
  m[8] = static_cast<std::uint8_t>(i);
  m[9] = static_cast<std::uint8_t>(i >> 8);
  m[10] = static_cast<std::uint8_t>(i >> 16);
  return m;
}

const UpdateRecord& big_record() {
  static const UpdateRecord r = [] {
    Update u;
    u.chain_id = kChain;
    u.version = 1;
    u.prev_hash = Bytes(kHashSize, 0);
    u.add.reserve(kEntries);
    for (std::size_t i = 0; i < kEntries; ++i) {
      Entry e;
      e.measurement = meas(i);
      e.label = "image-" + std::to_string(i);
      e.min_guest_svn = static_cast<std::uint32_t>(i % 7);
      e.policy_mask = 0x80000;
      if (i % 4 == 0)
        e.host_data = Bytes(kHostDataSize, static_cast<std::uint8_t>(i));
      u.add.push_back(std::move(e));
    }
    UpdateRecord rec;
    rec.version = 1;
    rec.update_bytes = encode_update(u);
    for (int k : {0, 2})
      rec.signatures.push_back(*sign_update(rec.update_bytes, "gov-" + std::to_string(k), key(k)));
    rec.applied_height = 10;
    return rec;
  }();
  return r;
}

std::string fresh_path(const char* tag) {
  static int n = 0;
  const auto dir = std::filesystem::temp_directory_path() / ("snprelay-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / (std::string(tag) + std::to_string(n++) + ".db")).string();
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
}

void BM_AllowlistApply(benchmark::State& state) {
  const UpdateRecord& rec = big_record();
  const SignerSet set = signers();
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = fresh_path("apply");
    auto store = Store::open(path, kChain, set);
    state.ResumeTiming();
    auto applied = store->apply(rec);
    if (!applied) {
      state.SkipWithError(applied.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(store->index());
    state.PauseTiming();
    remove_db(path);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_AllowlistApply)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same rows, already decoded, bound and inserted with the raw SQLite API into the same table in
// one transaction on a database opened the same way (WAL, synchronous=NORMAL).
void BM_RawSqliteInsert(benchmark::State& state) {
  auto decoded = decode_update(big_record().update_bytes);
  const std::vector<Entry>& rows = decoded->add;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = fresh_path("raw");
    {
      auto db = db::Database::open(path, store_migrations());
      sqlite3* h = db->handle();
      state.ResumeTiming();
      sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      sqlite3_stmt* raw = nullptr;
      sqlite3_prepare_v2(
          h,
          "INSERT INTO entries (measurement, label, min_guest_svn, policy_mask, policy_value, "
          "family_id, image_id, host_data, expiry_height, version) VALUES (?,?,?,?,?,?,?,?,?,?)",
          -1, &raw, nullptr);
      std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
      // An empty blob must be bound with a non-null pointer, else SQLite binds NULL.
      static const std::uint8_t kEmpty = 0;
      auto blob = [](const Bytes& b) { return b.empty() ? &kEmpty : b.data(); };
      bool failed = false;
      for (const auto& e : rows) {
        sqlite3_bind_blob(raw, 1, blob(e.measurement), static_cast<int>(e.measurement.size()), SQLITE_STATIC);
        sqlite3_bind_text(raw, 2, e.label.data(), static_cast<int>(e.label.size()), SQLITE_STATIC);
        sqlite3_bind_int64(raw, 3, e.min_guest_svn);
        sqlite3_bind_int64(raw, 4, static_cast<std::int64_t>(e.policy_mask));
        sqlite3_bind_int64(raw, 5, static_cast<std::int64_t>(e.policy_value));
        sqlite3_bind_blob(raw, 6, blob(e.family_id), static_cast<int>(e.family_id.size()), SQLITE_STATIC);
        sqlite3_bind_blob(raw, 7, blob(e.image_id), static_cast<int>(e.image_id.size()), SQLITE_STATIC);
        sqlite3_bind_blob(raw, 8, blob(e.host_data), static_cast<int>(e.host_data.size()), SQLITE_STATIC);
        sqlite3_bind_int64(raw, 9, e.expiry_height);
        sqlite3_bind_int64(raw, 10, 1);
        if (sqlite3_step(raw) != SQLITE_DONE) {
          state.SkipWithError(sqlite3_errmsg(h));
          failed = true;
          break;
        }
        sqlite3_reset(raw);
      }
      stmt.reset();
      sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr);
      if (failed)
        break;
      state.PauseTiming();
    }
    remove_db(path);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_RawSqliteInsert)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_AllowlistLookup(benchmark::State& state) {
  static const Index index = [] {
    Index i;
    i.apply(*decode_update(big_record().update_bytes));
    return i;
  }();
  std::vector<Bytes> probes;
  for (std::size_t i = 0; i < 4096; ++i)
    probes.push_back(meas((i * 7919) % kEntries));
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = index.lookup(probes[n++ & 4095], 1000);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AllowlistLookup);

}  // namespace

int main(int argc, char** argv) {
  const int rc = snprelay::bench::bench_main(argc, argv, [](const snprelay::bench::Rates& rates) {
    std::vector<snprelay::bench::ResultLine> out;
    const auto apply = rates.find("BM_AllowlistApply/min_time:2.000");
    const auto raw = rates.find("BM_RawSqliteInsert/min_time:2.000");
    if (apply != rates.end() && raw != rates.end())
      out.push_back({"allowlist_apply", apply->second, raw->second});
    if (const auto l = rates.find("BM_AllowlistLookup"); l != rates.end())
      out.push_back({"allowlist_lookup", l->second, 0});
    return out;
  });
  std::error_code ec;
  std::filesystem::remove_all(
      std::filesystem::temp_directory_path() / ("snprelay-bench-" + std::to_string(::getpid())), ec);
  return rc;
}
