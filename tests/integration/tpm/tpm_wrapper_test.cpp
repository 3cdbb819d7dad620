// attest/tpm against a real swtpm per test: seal/unseal, restart, policy mismatch, foreign blobs,
// quotes, and that every path (errors included) leaves no object or session loaded in the TPM.
#include <gtest/gtest.h>

#include <algorithm>

#include "../swtpm_fixture.hpp"
#include "attest/tpm/sealed_blob.hpp"
#include "attest/tpm/tpm.hpp"
#include "esys_probe.hpp"
#include "tpm_test_values.hpp"

namespace snprelay::attest::tpm {
namespace {

using snprelay::testing::EsysProbe;
using snprelay::testing::Swtpm;

class TpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TSS2_LOG", "all+none", 0);  // expected TPM errors would otherwise print ESYS warnings
    const std::string why = swtpm_.start();
    ASSERT_EQ(why, "");
  }
  std::unique_ptr<Tpm> open() {
    auto t = Tpm::open(swtpm_.tcti());
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().to_string());
    return t.ok() ? std::move(*t) : nullptr;
  }
  void expect_nothing_loaded() {
    EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    EXPECT_EQ(probe.loaded_handles(), 0) << "a transient object or session was not flushed";
  }
  Swtpm swtpm_;
};

TEST_F(TpmTest, SealUnsealRoundTripLeavesNothingLoaded) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  const SecretBytes secret = test_secret();
  auto blob = tpm->seal(secret, pcrs("0,1,7"));
  ASSERT_TRUE(blob.ok()) << blob.error().to_string();
  auto parsed = decode_sealed_blob(*blob);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->pcrs.to_string(), "0,1,7");
  // The sealed blob never contains the secret in clear.
  EXPECT_EQ(std::search(blob->begin(), blob->end(), secret.data(), secret.data() + secret.size()),
            blob->end());
  expect_nothing_loaded();

  auto opened = tpm->unseal(*blob);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->equals(secret));
  expect_nothing_loaded();
}

TEST_F(TpmTest, SecretSizeLimits) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto max = tpm->seal(test_secret(kMaxSealedSecret), pcrs("16"));
  ASSERT_TRUE(max.ok()) << max.error().to_string();
  auto back = tpm->unseal(*max);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size(), kMaxSealedSecret);

  auto too_big = tpm->seal(test_secret(kMaxSealedSecret + 1), pcrs("16"));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, "BAD_SECRET");
  auto empty = tpm->seal(SecretBytes(), pcrs("16"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "BAD_SECRET");
  auto no_pcrs = tpm->seal(test_secret(), PcrSelection{});
  ASSERT_FALSE(no_pcrs.ok());
  EXPECT_EQ(no_pcrs.error().code, "BAD_PCRS");
}

TEST_F(TpmTest, UnsealsAgainAfterSwtpmRestartOnSameState) {
  Bytes blob;
  {
    auto tpm = open();
    ASSERT_TRUE(tpm);
    auto sealed = tpm->seal(test_secret(), pcrs("0,1,7"));
    ASSERT_TRUE(sealed.ok()) << sealed.error().to_string();
    blob = *sealed;
  }
  ASSERT_EQ(swtpm_.restart(), "");
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto opened = tpm->unseal(blob);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->equals(test_secret()));
}

TEST_F(TpmTest, PcrExtendMakesUnsealFailWithPolicyMismatch) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto blob = tpm->seal(test_secret(), pcrs("7,16"));
  ASSERT_TRUE(blob.ok()) << blob.error().to_string();
  {
    EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    ASSERT_EQ(probe.extend(16), TSS2_RC_SUCCESS);
  }
  auto opened = tpm->unseal(*blob);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().component, "tpm");
  EXPECT_EQ(opened.error().code, "TPM_POLICY_MISMATCH");
  EXPECT_NE(opened.error().message.find("PCR policy mismatch"), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find("0x0000099d"), std::string::npos) << opened.error().message;
  expect_nothing_loaded();  // the failed unseal flushed its object and policy session

  // Back to the sealed value (PCR 16 is resettable at locality 0): it opens again.
  {
    EsysProbe probe(swtpm_.tcti());
    ASSERT_EQ(probe.reset(16), TSS2_RC_SUCCESS);
  }
  auto again = tpm->unseal(*blob);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(again->equals(test_secret()));
}

TEST_F(TpmTest, BlobFromAnotherTpmFailsClearly) {
  Swtpm other;
  ASSERT_EQ(other.start(), "");
  Bytes foreign;
  {
    auto t = Tpm::open(other.tcti());
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    auto sealed = (*t)->seal(test_secret(), pcrs("0"));
    ASSERT_TRUE(sealed.ok()) << sealed.error().to_string();
    foreign = *sealed;
  }
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto opened = tpm->unseal(foreign);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "TPM_BLOB_FOREIGN") << opened.error().to_string();
  EXPECT_NE(opened.error().message.find("does not belong to this TPM"), std::string::npos);
  expect_nothing_loaded();
}

TEST_F(TpmTest, MalformedBlobsAreInputErrors) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto blob = tpm->seal(test_secret(), pcrs("0"));
  ASSERT_TRUE(blob.ok());
  Bytes truncated(blob->begin(), blob->end() - 1);
  auto r = tpm->unseal(truncated);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_BLOB");
  Bytes garbage(40, 0x11);
  r = tpm->unseal(garbage);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_BLOB");
  // A flipped bit inside the TPM's private area: the TPM's integrity check refuses it.
  Bytes tampered = *blob;
  tampered[tampered.size() - 5] ^= 0x01;
  r = tpm->unseal(tampered);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "TPM_BLOB_FOREIGN") << r.error().to_string();
  expect_nothing_loaded();
}

TEST_F(TpmTest, QuoteVerifiesAndTamperingIsDetected) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  const Bytes report(1184, 0x5A);
  const auto nonce = report_nonce(report);
  auto quote = tpm->quote(nonce, pcrs("0,1,7,16"));
  ASSERT_TRUE(quote.ok()) << quote.error().to_string();
  expect_nothing_loaded();
  ASSERT_EQ(quote->pcr_values.size(), 4u);
  EXPECT_NE(quote->ak_public_pem.find("BEGIN PUBLIC KEY"), std::string::npos);

  // Through the file format and back.
  auto decoded = decode_quote(encode_quote(*quote));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  auto verdict = verify_quote(*decoded, nonce, quote->ak_public_pem);
  ASSERT_TRUE(verdict.ok()) << verdict.error().to_string();
  EXPECT_TRUE(verdict->accepted()) << verdict->failures.front().message;
  EXPECT_EQ(verdict->restart_count, 0u);

  // The same AK in a later session (deterministic primary).
  auto second = tpm->quote(nonce, pcrs("0"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ak_public_pem, quote->ak_public_pem);

  auto codes = [](const QuoteVerdict& v) {
    std::vector<std::string> out;
    for (const auto& f : v.failures)
      out.emplace_back(quote_failure_name(f.code));
    return out;
  };
  // Another report: the nonce no longer matches.
  Bytes other_report = report;
  other_report[100] ^= 1;
  auto wrong_report = verify_quote(*decoded, report_nonce(other_report), quote->ak_public_pem);
  ASSERT_TRUE(wrong_report.ok());
  EXPECT_EQ(codes(*wrong_report), std::vector<std::string>{"NONCE_MISMATCH"});

  // One byte flipped in the signed attestation data (in the clock info): the signature fails.
  Quote flipped = *decoded;
  flipped.attest[flipped.attest.size() - 60] ^= 0x01;
  auto bad_sig = verify_quote(flipped, nonce, quote->ak_public_pem);
  ASSERT_TRUE(bad_sig.ok());
  EXPECT_FALSE(bad_sig->accepted());
  const auto bad_sig_codes = codes(*bad_sig);
  EXPECT_NE(std::find(bad_sig_codes.begin(), bad_sig_codes.end(), "SIGNATURE_INVALID"), bad_sig_codes.end());

  // A PCR value that is not what was quoted.
  Quote lied = *decoded;
  lied.pcr_values[2][0] ^= 0xFF;
  auto bad_pcr = verify_quote(lied, nonce, quote->ak_public_pem);
  ASSERT_TRUE(bad_pcr.ok());
  EXPECT_EQ(codes(*bad_pcr), std::vector<std::string>{"PCR_DIGEST_MISMATCH"});

  // An AK from another TPM.
  Swtpm other;
  ASSERT_EQ(other.start(), "");
  auto other_tpm = Tpm::open(other.tcti());
  ASSERT_TRUE(other_tpm.ok());
  auto other_quote = (*other_tpm)->quote(nonce, pcrs("0"));
  ASSERT_TRUE(other_quote.ok());
  EXPECT_NE(other_quote->ak_public_pem, quote->ak_public_pem);
  auto wrong_key = verify_quote(*decoded, nonce, other_quote->ak_public_pem);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(codes(*wrong_key), std::vector<std::string>{"SIGNATURE_INVALID"});
}

TEST_F(TpmTest, QuoteRejectsBadInput) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  auto r = tpm->quote(Bytes{}, pcrs("0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_NONCE");
  r = tpm->quote(Bytes(65, 1), pcrs("0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_NONCE");
}

TEST_F(TpmTest, ReadsPcrsBeyondEightPerCall) {
  auto tpm = open();
  ASSERT_TRUE(tpm);
  {
    EsysProbe probe(swtpm_.tcti());
    ASSERT_EQ(probe.extend(23), TSS2_RC_SUCCESS);
  }
  PcrSelection all{0xFFFFFF};
  auto values = tpm->read_pcrs(all);
  ASSERT_TRUE(values.ok()) << values.error().to_string();
  ASSERT_EQ(values->size(), 24u);
  EXPECT_EQ((*values)[0], PcrValue{});
  EXPECT_NE((*values)[23], PcrValue{});
}

TEST(TpmOpen, ConnectionErrorsAreNamed) {
  ::setenv("TSS2_LOG", "all+none", 1);
  auto empty = Tpm::open("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "BAD_TCTI");

  Swtpm stopped;  // a directory with nothing listening
  auto unreachable = Tpm::open(stopped.tcti());
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, "TPM_UNREACHABLE") << unreachable.error().to_string();

  auto unknown = Tpm::open("no-such-tcti:foo");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().code == "TPM_BAD_TCTI" || unknown.error().code == "TPM_UNREACHABLE")
      << unknown.error().to_string();
}

}  // namespace
}  // namespace snprelay::attest::tpm
