#include "attest/evidence/select_source.hpp"

#include <gtest/gtest.h>

#include "../temp_dir.hpp"

namespace snprelay::attest {
namespace {

// A stand-in simulated source: only describe() matters to the selection.
class FakeSim final : public EvidenceSource {
 public:
  Result<Evidence> get_report(std::span<const std::uint8_t, 64>, std::uint32_t) override {
    return make_error("test", "UNUSED", "");
  }
  Result<SecretBytes> derive_key(const DerivedKeyRequest&) override {
    return make_error("test", "UNUSED", "");
  }
  SourceInfo describe() const override { return {"simulated", "/tmp/sim", true}; }
};

MakeSimulated fake_sim(int* calls) {
  return [calls]() -> Result<std::unique_ptr<EvidenceSource>> {
    ++*calls;
    return std::unique_ptr<EvidenceSource>(std::make_unique<FakeSim>());
  };
}

EvidenceSelection no_hardware(EvidenceMode mode) {
  EvidenceSelection s;
  s.mode = mode;
  s.device = "/nonexistent/sev-guest";
  s.configfs_root = "/nonexistent/tsm/report";
  return s;
}

TEST(SelectSource, RequireFailsWithEveryReasonAndNeverSimulates) {
  int calls = 0;
  auto r = select_evidence_source(no_hardware(EvidenceMode::kRequire), fake_sim(&calls));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NO_SNP_HARDWARE");
  EXPECT_NE(r.error().message.find("configfs-tsm: /nonexistent/tsm/report does not exist"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("ioctl: cannot open /nonexistent/sev-guest"), std::string::npos);
  EXPECT_EQ(calls, 0);
}

TEST(SelectSource, AutoFallsBackLoudly) {
  int calls = 0;
  auto r = select_evidence_source(no_hardware(EvidenceMode::kAuto), fake_sim(&calls));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(r->source->describe().simulated);
  EXPECT_NE(r->why.find("SIMULATED"), std::string::npos);
  EXPECT_NE(r->why.find("no SEV-SNP evidence source is usable"), std::string::npos);
}

TEST(SelectSource, SimulateAlwaysSimulates) {
  int calls = 0;
  auto r = select_evidence_source(no_hardware(EvidenceMode::kSimulate), fake_sim(&calls));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls, 1);
}

TEST(SelectSource, ConfigfsPreferredWhenPresent) {
  testing::TempDir dir;
  EvidenceSelection s = no_hardware(EvidenceMode::kRequire);
  s.configfs_root = dir.path().string();
  int calls = 0;
  auto r = select_evidence_source(s, fake_sim(&calls));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->source->describe().backend, "configfs-tsm");
  s.need_derived_keys = true;  // keys need the ioctl device, which is missing here
  auto keys = select_evidence_source(s, fake_sim(&calls));
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message.find("configfs-tsm:"), std::string::npos);
}

}  // namespace
}  // namespace snprelay::attest
