// attest::tpm::TpmSealer through the Sealer interface against a real swtpm: round trip, a PCR
// extend after sealing gives TPM_POLICY_MISMATCH, errors pass through from Tpm unchanged.
#include "attest/tpm/tpm_sealer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "../swtpm_fixture.hpp"
#include "attest/tpm/sealed_blob.hpp"
#include "esys_probe.hpp"
#include "tpm_test_values.hpp"

namespace snprelay::attest::tpm {
namespace {

using snprelay::testing::EsysProbe;
using snprelay::testing::Swtpm;

class TpmSealerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TSS2_LOG", "all+none", 0);  // expected TPM errors would otherwise print ESYS warnings
    ASSERT_EQ(swtpm_.start(), "");
    auto t = Tpm::open(swtpm_.tcti());
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    tpm_ = std::move(*t);
  }
  // The key store sees only this interface.
  std::unique_ptr<Sealer> sealer(std::string_view list) {
    return std::make_unique<TpmSealer>(tpm_, pcrs(list));
  }

  Swtpm swtpm_;
  std::shared_ptr<Tpm> tpm_;
};

TEST_F(TpmSealerTest, RoundTripThroughSealerInterface) {
  auto s = sealer("7,16");
  EXPECT_EQ(s->mode(), "tpm");
  const SecretBytes secret = test_secret();
  auto env = s->seal(secret);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  EXPECT_EQ(std::search(env->begin(), env->end(), secret.data(), secret.data() + secret.size()), env->end());
  auto blob = decode_sealed_blob(*env);
  ASSERT_TRUE(blob.ok()) << blob.error().to_string();
  EXPECT_EQ(blob->pcrs.to_string(), "7,16");

  // Another sealer on the same TPM with another selection: the envelope carries its own PCRs.
  auto other = sealer("0");
  auto back = other->unseal(*env);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(back->equals(secret));
}

TEST_F(TpmSealerTest, PcrExtendGivesPolicyMismatch) {
  auto s = sealer("7,16");
  auto env = s->seal(test_secret());
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  {
    EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    ASSERT_EQ(probe.extend(16), TSS2_RC_SUCCESS);
  }
  auto r = s->unseal(*env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().component, "tpm");
  EXPECT_EQ(r.error().code, "TPM_POLICY_MISMATCH") << r.error().to_string();
}

TEST_F(TpmSealerTest, ErrorsPassThroughUnchanged) {
  auto s = sealer("16");
  auto too_big = s->seal(test_secret(kMaxSealedSecret + 1));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().component, "tpm");
  EXPECT_EQ(too_big.error().code, "BAD_SECRET");
  auto direct = tpm_->seal(test_secret(kMaxSealedSecret + 1), pcrs("16"));
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(too_big.error().message, direct.error().message);

  auto no_pcrs = TpmSealer(tpm_, PcrSelection{}).seal(test_secret());
  ASSERT_FALSE(no_pcrs.ok());
  EXPECT_EQ(no_pcrs.error().code, "BAD_PCRS");

  const Bytes garbage(40, 0x11);
  auto bad = s->unseal(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_BLOB");
}

}  // namespace
}  // namespace snprelay::attest::tpm
