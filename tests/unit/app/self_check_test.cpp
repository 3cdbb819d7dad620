// The self-check (relayer/app/self_check.hpp) on reports of the simulated firmware: what the chain's
// params, allowlist and binding say decides the verdict, failures come in the chain's order, and the
// simulated root is never trusted in require mode.
#include "relayer/app/self_check.hpp"

#include <gtest/gtest.h>

#include <ctime>

#include "attest/certs.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::app {
namespace {

// The simulated firmware (RSA-4096 roots: seconds to make) is shared by the suite; each test gets
// its own params, allowlist and binding.
struct SimEvidence {
  testing::TempDir dir;
  std::shared_ptr<attest::SimFirmware> fw;
  std::array<std::uint8_t, 64> binding{};
  Bytes report;
  Bytes vcek;
};

class SelfCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = new SimEvidence();  // NOLINT(cppcoreguidelines-owning-memory): freed in TearDownTestSuite
    auto fw = attest::SimFirmware::open(sim_->dir.file("sim"), attest::SimSettings{});
    ASSERT_TRUE(fw.ok()) << fw.error().to_string();
    sim_->fw = *fw;
    sim_->binding.fill(0x5A);
    auto report = sim_->fw->report(sim_->binding, 0);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    sim_->report = *report;
    auto vcek = sim_->fw->vcek_der(sim_->fw->settings().tcb);
    ASSERT_TRUE(vcek.ok()) << vcek.error().to_string();
    sim_->vcek = *vcek;
  }
  static void TearDownTestSuite() {
    delete sim_;  // NOLINT(cppcoreguidelines-owning-memory)
    sim_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(sim_, nullptr);
    ASSERT_NE(sim_->fw, nullptr);
    fw_ = sim_->fw;
    binding_ = sim_->binding;
    report_ = sim_->report;
    vcek_ = sim_->vcek;

    params_.epoch_blocks = 10;
    params_.allowed_report_versions = {2, 3, 5};
    params_.allowed_products = {attest::Product::kMilan, attest::Product::kGenoa, attest::Product::kTurin};
    params_.allowed_vmpls = {0};
    params_.allow_smt = true;
    params_.simulated_roots = {attest::cert_der(fw_->ark()), attest::cert_der(fw_->ask())};

    allowlist::Update u;
    u.version = 1;
    allowlist::Entry e;
    const auto m = attest::SimSettings::default_measurement();
    e.measurement.assign(m.begin(), m.end());
    e.label = "sim guest";
    u.add.push_back(e);
    index_.apply(u);
  }

  SelfCheckResult check(config::HardwareMode mode = config::HardwareMode::kSimulate) {
    auto trust = self_check_trust(params_, mode);
    EXPECT_TRUE(trust.ok()) << trust.error().to_string();
    std::vector<const X509*> inter;
    for (const auto& x : trust->intermediates)
      inter.push_back(x.get());
    auto verifier = attest::Verifier::create(std::move(trust->trust));
    EXPECT_TRUE(verifier.ok());
    SelfCheckRequest r;
    r.report = report_;
    r.vcek_der = vcek_;
    r.report_data = binding_;
    r.height = 100;
    r.at = std::time(nullptr);
    return self_check(*verifier, inter, params_, index_, r);
  }

  static inline SimEvidence* sim_ = nullptr;
  std::shared_ptr<attest::SimFirmware> fw_;
  std::array<std::uint8_t, 64> binding_{};
  Bytes report_;
  Bytes vcek_;
  ChainParams params_;
  allowlist::Index index_;
};

TEST_F(SelfCheckTest, AcceptedWhenParamsAllowlistAndBindingAgree) {
  const auto r = check();
  EXPECT_TRUE(r.passed()) << r.first_code();
  EXPECT_EQ(r.product, attest::Product::kMilan);
  EXPECT_EQ(r.entry_label, "sim guest");
}

TEST_F(SelfCheckTest, MeasurementNotInTheAllowlist) {
  index_ = allowlist::Index{};
  EXPECT_EQ(check().first_code(), "MEASUREMENT_NOT_ALLOWED");
}

TEST_F(SelfCheckTest, RevokedMeasurementIsRefused) {
  allowlist::Update revoke;
  revoke.version = 2;
  const auto m = attest::SimSettings::default_measurement();
  revoke.revoke.emplace_back(m.begin(), m.end());
  index_.apply(revoke);
  EXPECT_EQ(check().first_code(), "MEASUREMENT_NOT_ALLOWED");
}

// REPORT_DATA_MISMATCH comes before MEASUREMENT_NOT_ALLOWED in the chain's order.
TEST_F(SelfCheckTest, FailuresComeInTheChainsOrder) {
  index_ = allowlist::Index{};
  binding_[0] ^= 1;
  const auto r = check();
  ASSERT_GE(r.failures.size(), 2u);
  EXPECT_EQ(r.first_code(), "REPORT_DATA_MISMATCH");
  EXPECT_EQ(attest::failure_code_name(r.failures[1].code), "MEASUREMENT_NOT_ALLOWED");
}

TEST_F(SelfCheckTest, SimulatedRootNeverTrustedInRequireMode) {
  auto trust = self_check_trust(params_, config::HardwareMode::kRequire);
  ASSERT_TRUE(trust.ok());
  EXPECT_FALSE(trust->simulated);
  EXPECT_TRUE(trust->trust.extra_roots.empty());
  EXPECT_EQ(check(config::HardwareMode::kRequire).first_code(), "CHAIN_UNTRUSTED");
}

TEST_F(SelfCheckTest, AllowlistMinimumTcbOfTheProductApplies) {
  allowlist::Update u;
  u.version = 2;
  u.min_tcb.push_back({"Milan", 3, 0, 9, 115, 0});  // snp 9 > the simulated 8
  index_.apply(u);
  EXPECT_EQ(check().first_code(), "TCB_BELOW_MINIMUM");

  allowlist::Update other;
  other.version = 3;
  other.min_tcb.push_back({"Milan", 3, 0, 8, 115, 0});
  other.min_tcb.push_back({"Genoa", 99, 99, 99, 99, 0});  // another product's minimum does not apply
  index_.apply(other);
  EXPECT_TRUE(check().passed());
}

TEST_F(SelfCheckTest, ParamsDecideProductVmplAndVersion) {
  params_.allowed_products = {attest::Product::kGenoa};
  EXPECT_EQ(check().first_code(), "PRODUCT_MISMATCH");
  params_.allowed_products = {attest::Product::kMilan};
  params_.allowed_vmpls = {1};
  EXPECT_EQ(check().first_code(), "VMPL_NOT_ALLOWED");
  params_.allowed_vmpls = {};  // nothing on chain, "anything" to a bare VerifyOptions
  EXPECT_EQ(check().first_code(), "VMPL_NOT_ALLOWED");
  params_.allowed_vmpls = {0};
  params_.allowed_report_versions = {2};  // the simulated report is v3
  EXPECT_EQ(check().first_code(), "VERSION_UNSUPPORTED");
}

TEST(ChainParams, ParsesTheQueryJson) {
  const auto p = parse_chain_params(
      R"({"epoch_blocks":10,"submit_window_blocks":8,"accept_previous_epoch":true,"validity_epochs":3,)"
      R"("allowed_report_versions":[2,3,5],"allowed_products":["Milan","Genoa"],"allowed_vmpls":[0,1],)"
      R"("allow_smt":true,"allow_vlek":false,"allow_debug":false,"max_vcek_bytes":4096,)"
      R"("max_submissions_per_block":50,"simulated_roots":["3000","3001"]})");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->epoch_blocks, 10u);
  EXPECT_EQ(p->submit_window_blocks, 8u);
  EXPECT_TRUE(p->accept_previous_epoch);
  EXPECT_EQ(p->allowed_products,
            (std::vector<attest::Product>{attest::Product::kMilan, attest::Product::kGenoa}));
  EXPECT_EQ(p->allowed_vmpls, (std::vector<std::uint32_t>{0, 1}));
  ASSERT_EQ(p->simulated_roots.size(), 2u);
  EXPECT_EQ(p->simulated_roots[1], (Bytes{0x30, 0x01}));
}

TEST(ChainParams, UnreadableParamsAreNamed) {
  for (const char* bad : {"[]", "{", R"({"epoch_blocks":10,"allowed_products":["Rome"]})",
                          R"({"epoch_blocks":10,"simulated_roots":["zz"]})", R"({"epoch_blocks":"x"})",
                          R"({"allowed_products":["Milan"]})"}) {
    const auto p = parse_chain_params(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code, "BAD_CHAIN_PARAMS") << bad;
    EXPECT_EQ(p.error().kind, ErrorKind::kUnavailable) << bad;
  }
}

TEST(ChainParams, SimulatedRootsMustBeArkAndAsk) {
  ChainParams p;
  p.simulated_roots = {Bytes{0x30, 0x00}};
  const auto t = self_check_trust(p, config::HardwareMode::kSimulate);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "BAD_CHAIN_PARAMS");
}

}  // namespace
}  // namespace snprelay::app
