// The applied allowlist in memory, and the one check of a report against it.
//
// Index holds the applied entry set (measurement -> entry), the measurements revoked since they were
// last added, and the per-product minimum TCB. The Store rebuilds it whenever an update is applied (a
// new Index replaces the old one only after the SQLite transaction committed), so lookups never touch
// SQLite. Lookups are a hash-table probe: well over a million per second on one core.
//
// check_report is THE function the relayer's self-check (and anything else that judges a report
// against the allowlist) calls. It takes the report fields it needs as a plain struct, so allowlist/
// does not depend on attest/; the caller copies them from its parsed attest::Report. Its rules match
// the chain's (onchain/x/snpattest/verify/rules.go, entryConstraints) and their codes:
//   MEASUREMENT_NOT_ALLOWED  not listed, revoked, or the entry expired (height >= expiry_height != 0);
//   POLICY_VIOLATION         GUEST_SVN < min_guest_svn; HOST_DATA / IMAGE_ID / FAMILY_ID differ from a
//                            non-empty constraint; (POLICY & policy_mask) != policy_value.
//
// Thread-safety: an Index is immutable once built; concurrent readers are safe. Share it as
// std::shared_ptr<const Index> (Store::index()) so a reader keeps its snapshot while a new one is
// swapped in.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "allowlist/types.hpp"

namespace snprelay::allowlist {

// Hash of a measurement for the index: its first 8 bytes (a measurement is itself a hash).
struct MeasurementHash {
  std::size_t operator()(const Measurement& m) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, m.data(), sizeof h);
    return h;
  }
};

// What a lookup found.
enum class LookupStatus {
  kAllowed,    // listed, not expired at the height asked
  kNotListed,  // never added (or the measurement is not 48 bytes)
  kRevoked,    // added once, then revoked by a later update
  kExpired,    // listed, but height >= expiry_height
};

struct LookupResult {
  LookupStatus status = LookupStatus::kNotListed;
  const Entry* entry = nullptr;  // set for kAllowed and kExpired; points into the Index
};

class Index {
 public:
  Index() = default;

  // Applies one verified update on top of this index (add replaces, revoke removes and remembers,
  // min_tcb replaces per product). Only the Store and tests build indexes.
  void apply(const Update& update);

  // measurement -> entry at `height` (the chain's current height).
  [[nodiscard]] LookupResult lookup(std::span<const std::uint8_t> measurement, std::int64_t height) const;

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  // How many measurements are remembered as revoked.
  [[nodiscard]] std::size_t revoked_count() const { return revoked_.size(); }
  [[nodiscard]] std::uint64_t version() const { return version_; }
  // The minimum TCB per product ("Milan", ...), as the latest update setting it said.
  [[nodiscard]] const std::map<std::string, ProductTcb>& min_tcb() const { return min_tcb_; }

 private:
  std::unordered_map<Measurement, Entry, MeasurementHash> entries_;
  std::unordered_set<Measurement, MeasurementHash> revoked_;
  std::map<std::string, ProductTcb> min_tcb_;
  std::uint64_t version_ = 0;
};

// The report fields check_report reads (offsets are attest/'s business, not ours).
struct ReportFields {
  Measurement measurement{};
  std::uint32_t guest_svn = 0;
  std::uint64_t policy = 0;
  std::array<std::uint8_t, kFamilyIdSize> family_id{};
  std::array<std::uint8_t, kImageIdSize> image_id{};
  std::array<std::uint8_t, kHostDataSize> host_data{};
};

// The outcome of check_report: ok, or a stable code and a message naming the field, both values.
struct EntryVerdict {
  bool ok = false;
  std::string code;              // "" when ok; MEASUREMENT_NOT_ALLOWED or POLICY_VIOLATION
  std::string message;           // names the measurement, field, got and expected values, and the entry label
  const Entry* entry = nullptr;  // the matching entry when one was found
};

// The entry's constraints on a report, the measurement already matched (no expiry check here).
[[nodiscard]] EntryVerdict check_entry(const Entry& entry, const ReportFields& report);

// Lookup at `height` + check_entry: the one allowlist check of a report.
[[nodiscard]] EntryVerdict check_report(const Index& index, const ReportFields& report, std::int64_t height);

}  // namespace snprelay::allowlist
