// Lookups and the one report check (check_report), rule by rule as the chain's entryConstraints.
#include "allowlist/lookup.hpp"

#include <gtest/gtest.h>

#include "tests/unit/allowlist/fixtures.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

ReportFields report_for(std::uint8_t fill) {
  ReportFields r;
  r.measurement.fill(fill);
  r.guest_svn = 5;
  r.policy = 0x30000;
  r.family_id.fill(0xf1);
  r.image_id.fill(0xe1);
  r.host_data.fill(0xd1);
  return r;
}

Index make_index() {
  Entry strict = entry(0xa1, "strict");
  strict.min_guest_svn = 5;
  strict.policy_mask = 0x0000000000090000ULL;   // SMT (bit 16) and DEBUG (bit 19)
  strict.policy_value = 0x0000000000010000ULL;  // SMT set, DEBUG clear
  strict.family_id = Bytes(16, 0xf1);
  strict.image_id = Bytes(16, 0xe1);
  strict.host_data = Bytes(32, 0xd1);
  strict.expiry_height = 500;
  Index index;
  index.apply(update(1, {}, {strict, entry(0xb2, "loose"), entry(0xc3, "soon revoked")}));
  index.apply(update(2, encode_update(update(1, {})), {}, {measurement(0xc3)}));
  return index;
}

TEST(AllowlistLookup, StatusByMeasurementAndHeight) {
  const Index index = make_index();
  EXPECT_EQ(index.version(), 2u);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.lookup(measurement(0xa1), 499).status, LookupStatus::kAllowed);
  EXPECT_EQ(index.lookup(measurement(0xa1), 500).status, LookupStatus::kExpired);
  EXPECT_EQ(index.lookup(measurement(0xb2), 1'000'000).status, LookupStatus::kAllowed);
  EXPECT_EQ(index.lookup(measurement(0xc3), 0).status, LookupStatus::kRevoked);
  EXPECT_EQ(index.lookup(measurement(0x00), 0).status, LookupStatus::kNotListed);
  EXPECT_EQ(index.lookup(Bytes(47, 0xa1), 0).status, LookupStatus::kNotListed);
  // Re-adding a revoked measurement lifts the revocation.
  Index readd = index;
  readd.apply(update(3, {}, {entry(0xc3, "back")}));
  EXPECT_EQ(readd.lookup(measurement(0xc3), 0).status, LookupStatus::kAllowed);
  EXPECT_EQ(readd.lookup(measurement(0xc3), 0).entry->label, "back");
}

TEST(AllowlistCheckReport, EveryConstraint) {
  const Index index = make_index();
  struct Case {
    const char* name;
    std::uint8_t fill;
    void (*mutate)(ReportFields&);
    std::int64_t height;
    const char* code;  // "" = allowed
    const char* needle;
  };
  const Case cases[] = {
      {"all constraints hold", 0xa1, [](ReportFields&) {}, 10, "", ""},
      {"no constraints", 0xb2,
       [](ReportFields& r) {
         r.guest_svn = 0;
         r.policy = ~0ULL;
       },
       10, "", ""},
      {"guest svn below", 0xa1, [](ReportFields& r) { r.guest_svn = 4; }, 10, "POLICY_VIOLATION",
       "GUEST_SVN is 4, minimum 5"},
      {"host data differs", 0xa1, [](ReportFields& r) { r.host_data[31] = 0; }, 10, "POLICY_VIOLATION",
       "HOST_DATA"},
      {"image id differs", 0xa1, [](ReportFields& r) { r.image_id[0] = 0; }, 10, "POLICY_VIOLATION",
       "IMAGE_ID"},
      {"family id differs", 0xa1, [](ReportFields& r) { r.family_id[3] = 0; }, 10, "POLICY_VIOLATION",
       "FAMILY_ID"},
      {"debug policy bit", 0xa1, [](ReportFields& r) { r.policy |= 1ULL << 19; }, 10, "POLICY_VIOLATION",
       "policy_mask"},
      {"smt bit missing", 0xa1, [](ReportFields& r) { r.policy = 0x20000; }, 10, "POLICY_VIOLATION",
       "policy_value"},
      {"expired entry", 0xa1, [](ReportFields&) {}, 500, "MEASUREMENT_NOT_ALLOWED", "expired at height 500"},
      {"revoked", 0xc3, [](ReportFields&) {}, 10, "MEASUREMENT_NOT_ALLOWED", "revoked"},
      {"not listed", 0x99, [](ReportFields&) {}, 10, "MEASUREMENT_NOT_ALLOWED", "not in the allowlist"},
  };
  for (const auto& c : cases) {
    ReportFields r = report_for(c.fill);
    c.mutate(r);
    const EntryVerdict v = check_report(index, r, c.height);
    if (std::string(c.code).empty()) {
      EXPECT_TRUE(v.ok) << c.name << ": " << v.message;
      continue;
    }
    EXPECT_FALSE(v.ok) << c.name;
    EXPECT_EQ(v.code, c.code) << c.name;
    EXPECT_NE(v.message.find(c.needle), std::string::npos) << c.name << ": " << v.message;
  }
}

}  // namespace
}  // namespace snprelay::allowlist
