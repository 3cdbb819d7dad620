// The in-memory allowlist index and the entry constraints (see lookup.hpp).
#include "allowlist/lookup.hpp"

#include <algorithm>
#include <cstdio>

namespace snprelay::allowlist {
namespace {

bool to_measurement(std::span<const std::uint8_t> in, Measurement& out) {
  if (in.size() != kMeasurementSize)
    return false;
  std::copy(in.begin(), in.end(), out.begin());
  return true;
}

std::string hex64(std::uint64_t v) {
  std::array<char, 19> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%016llx", static_cast<unsigned long long>(v));
  return buf.data();
}

EntryVerdict refuse(const char* code, std::string message, const Entry* entry) {
  return EntryVerdict{false, code, std::move(message), entry};
}

}  // namespace

void Index::apply(const Update& update) {
  Measurement m{};
  for (const auto& e : update.add) {
    if (!to_measurement(e.measurement, m))
      continue;  // validate_shape refused it before; an Index never holds a malformed key
    entries_.insert_or_assign(m, e);
    revoked_.erase(m);
  }
  for (const auto& r : update.revoke) {
    if (!to_measurement(r, m))
      continue;
    entries_.erase(m);
    revoked_.insert(m);
  }
  for (const auto& t : update.min_tcb)
    min_tcb_.insert_or_assign(t.product, t);
  version_ = update.version;
}

LookupResult Index::lookup(std::span<const std::uint8_t> measurement, std::int64_t height) const {
  Measurement m{};
  if (!to_measurement(measurement, m))
    return {};
  if (const auto it = entries_.find(m); it != entries_.end()) {
    const Entry& e = it->second;
    if (e.expiry_height != 0 && height >= e.expiry_height)
      return {LookupStatus::kExpired, &e};
    return {LookupStatus::kAllowed, &e};
  }
  if (revoked_.contains(m))
    return {LookupStatus::kRevoked, nullptr};
  return {};
}

EntryVerdict check_entry(const Entry& e, const ReportFields& r) {
  const std::string label = "allowlist entry \"" + e.label + "\"";
  if (r.guest_svn < e.min_guest_svn)
    return refuse("POLICY_VIOLATION",
                  "GUEST_SVN is " + std::to_string(r.guest_svn) + ", minimum " +
                      std::to_string(e.min_guest_svn) + " (" + label + " min_guest_svn)",
                  &e);
  const struct {
    const char* name;
    const char* key;
    const Bytes& want;
    std::span<const std::uint8_t> got;
  } fields[] = {{"HOST_DATA", "host_data", e.host_data, r.host_data},
                {"IMAGE_ID", "image_id", e.image_id, r.image_id},
                {"FAMILY_ID", "family_id", e.family_id, r.family_id}};
  for (const auto& f : fields) {
    if (!f.want.empty() && !std::equal(f.want.begin(), f.want.end(), f.got.begin(), f.got.end()))
      return refuse("POLICY_VIOLATION",
                    std::string(f.name) + " is " + to_hex(f.got) + ", expected " + to_hex(f.want) + " (" +
                        label + " " + f.key + ")",
                    &e);
  }
  if ((r.policy & e.policy_mask) != e.policy_value)
    return refuse("POLICY_VIOLATION",
                  "POLICY " + hex64(r.policy) + " & policy_mask " + hex64(e.policy_mask) + " is " +
                      hex64(r.policy & e.policy_mask) + ", expected policy_value " + hex64(e.policy_value) +
                      " (" + label + ")",
                  &e);
  return EntryVerdict{true, "", "", &e};
}

EntryVerdict check_report(const Index& index, const ReportFields& report, std::int64_t height) {
  const auto found = index.lookup(report.measurement, height);
  const std::string m = "MEASUREMENT " + to_hex(report.measurement);
  switch (found.status) {
    case LookupStatus::kAllowed:
      return check_entry(*found.entry, report);
    case LookupStatus::kExpired:
      return refuse("MEASUREMENT_NOT_ALLOWED",
                    m + ": allowlist entry \"" + found.entry->label + "\" expired at height " +
                        std::to_string(found.entry->expiry_height) + " (height " + std::to_string(height) +
                        ")",
                    found.entry);
    case LookupStatus::kRevoked:
      return refuse("MEASUREMENT_NOT_ALLOWED", m + " was revoked from the allowlist", nullptr);
    case LookupStatus::kNotListed:
      break;
  }
  return refuse("MEASUREMENT_NOT_ALLOWED", m + " is not in the allowlist", nullptr);
}

}  // namespace snprelay::allowlist
