// CertCache: AMD certificates and CRLs on disk, so KDS is asked once per (product, hwID, TCB).
//
// Layout: one file per key under `dir` (created 0700; files 0600). A file holds a one-line header
// "snprelay-cert-cache v1 <sha256 of payload> <unix time stored>\n" followed by the payload bytes,
// written to a temporary file and renamed into place, so a reader never sees half an entry.
// An entry whose header is missing or whose checksum does not match is corrupt: it is counted,
// deleted and treated as a miss (refetched) — never returned. Entries older than their TTL are misses;
// a TTL of zero means "immutable" (VCEKs: bound to one chip and TCB forever).
//
// get_or_fetch() is single-flight: concurrent callers asking for the same key wait for one fetch.
// `validate` runs on fetched bytes before they are stored — a fetched entry that fails it is neither
// stored nor returned (e.g. a VCEK whose hwID or TCB is not the one requested) — and on a cached entry
// before it is returned: one that fails it is counted corrupt, deleted and fetched again.
// Counters (hits, misses, corrupt) feed the `enclave_cert_cache_*` metrics.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

class CertCache {
 public:
  // Creates `dir` (0700) if needed. Error: CACHE_IO naming the path.
  [[nodiscard]] static Result<std::unique_ptr<CertCache>> open(const std::string& dir);

  // A fresh entry for `key` (see class comment), or nullopt on a miss.
  [[nodiscard]] std::optional<Bytes> get(const std::string& key, std::chrono::seconds ttl);
  // Stores atomically. Error: CACHE_IO.
  [[nodiscard]] Status put(const std::string& key, const Bytes& payload) const;

  using Fetch = std::function<Result<Bytes>()>;
  using Validate = std::function<Status(const Bytes&)>;
  [[nodiscard]] Result<Bytes> get_or_fetch(const std::string& key, std::chrono::seconds ttl,
                                           const Fetch& fetch, const Validate& validate);

  [[nodiscard]] std::uint64_t hits() const { return hits_.load(); }
  [[nodiscard]] std::uint64_t misses() const { return misses_.load(); }
  [[nodiscard]] std::uint64_t corrupt() const { return corrupt_.load(); }
  [[nodiscard]] std::string path_of(const std::string& key) const;

 private:
  explicit CertCache(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, corrupt_{0};
  std::mutex mutex_;
  std::condition_variable done_;
  std::map<std::string, bool> in_flight_;  // GUARDED_BY(mutex_)
};

}  // namespace snprelay::attest
