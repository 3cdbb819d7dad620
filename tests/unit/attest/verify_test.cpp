// Verification: the real reports verify with their real VCEKs against the compiled-in roots, and
// every failure code is triggered — by mutating real reports, or by re-signing mutated reports with
// the look-alike chain (lookalike.hpp) for the checks that sit behind the signature.
#include "attest/verify.hpp"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include <set>

#include "attest_test_util.hpp"
#include "lookalike.hpp"

namespace snprelay::attest {
namespace {

using testing::kFixedTime;
using testing::snp_file;

std::set<std::string> codes(const Verdict& v) {
  std::set<std::string> out;
  for (const auto& f : v.failures)
    out.insert(std::string(failure_code_name(f.code)));
  return out;
}

std::string dump(const Verdict& v) {
  std::string out;
  for (const auto& f : v.failures)
    out += std::string(failure_code_name(f.code)) + ": " + f.message + "\n";
  return out;
}

VerifyOptions base_options() {
  VerifyOptions o;
  o.at = kFixedTime;
  return o;
}

class RealVectors : public ::testing::Test {
 protected:
  Verifier verifier_ = Verifier::create().value();
};

TEST_F(RealVectors, VirteeMilanReportIsAccepted) {
  const Verdict v = verifier_.verify(snp_file("milan_v2_virtee_report.bin"),
                                     snp_file("milan_virtee_vcek.der"), base_options());
  EXPECT_TRUE(v.accepted()) << dump(v);
  EXPECT_EQ(v.product, Product::kMilan);
}

TEST_F(RealVectors, GenoaV3ReportIsAccepted) {
  const Verdict v = verifier_.verify(snp_file("genoa_v3_tinfoil_report.bin"),
                                     snp_file("genoa_tinfoil_vcek.der"), base_options());
  EXPECT_TRUE(v.accepted()) << dump(v);
  EXPECT_EQ(v.product, Product::kGenoa);
}

TEST_F(RealVectors, GoMilanDebugReportNeedsAllowDebug) {
  VerifyOptions o = base_options();
  const Verdict rejected =
      verifier_.verify(snp_file("milan_v2_go_attestation.bin"), snp_file("milan_go_vcek.der"), o);
  EXPECT_EQ(codes(rejected), std::set<std::string>{"DEBUG_POLICY"}) << dump(rejected);
  o.guest_policy.allow_debug = true;
  const Verdict accepted =
      verifier_.verify(snp_file("milan_v2_go_attestation.bin"), snp_file("milan_go_vcek.der"), o);
  EXPECT_TRUE(accepted.accepted()) << dump(accepted);
}

TEST_F(RealVectors, SizeInvalid) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw.pop_back();
  const Verdict v = verifier_.verify(raw, snp_file("milan_virtee_vcek.der"), base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"SIZE_INVALID"});
  EXPECT_FALSE(v.report.has_value());
}

TEST_F(RealVectors, SignatureInvalidWhenReportDataBitFlips) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw[0x50] ^= 1;
  const Verdict v = verifier_.verify(raw, snp_file("milan_virtee_vcek.der"), base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"SIGNATURE_INVALID"}) << dump(v);
}

TEST_F(RealVectors, SignatureEncodingUpperBytesAndOrder) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw[0x2A0 + 60] = 1;  // inside R's upper 24 bytes
  EXPECT_EQ(codes(verifier_.verify(raw, snp_file("milan_virtee_vcek.der"), base_options())),
            std::set<std::string>{"SIGNATURE_ENCODING"});
  raw = snp_file("milan_v2_virtee_report.bin");
  std::fill(raw.begin() + 0x2E8, raw.begin() + 0x2E8 + 48, 0xFF);  // S >= n
  EXPECT_EQ(codes(verifier_.verify(raw, snp_file("milan_virtee_vcek.der"), base_options())),
            std::set<std::string>{"SIGNATURE_ENCODING"});
}

TEST_F(RealVectors, UnsignedTailMustBeZero) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw[0x400] = 0x5A;  // after the signature: not covered by it, still must be zero
  const Verdict v = verifier_.verify(raw, snp_file("milan_virtee_vcek.der"), base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"RESERVED_NONZERO"}) << dump(v);
  EXPECT_NE(v.failures[0].message.find("0x400"), std::string::npos);
}

TEST_F(RealVectors, OptionalPolicyChecks) {
  const Bytes raw = snp_file("milan_v2_virtee_report.bin");
  const Bytes vcek = snp_file("milan_virtee_vcek.der");
  VerifyOptions o = base_options();
  o.report_data = ByteArray<64>{};
  EXPECT_EQ(codes(verifier_.verify(raw, vcek, o)), std::set<std::string>{"REPORT_DATA_MISMATCH"});
  o = base_options();
  o.vmpls = {1, 2};
  EXPECT_EQ(codes(verifier_.verify(raw, vcek, o)), std::set<std::string>{"VMPL_NOT_ALLOWED"});
  o = base_options();
  o.measurements = {ByteArray<48>{}};
  const Verdict m = verifier_.verify(raw, vcek, o);
  EXPECT_EQ(codes(m), std::set<std::string>{"MEASUREMENT_NOT_ALLOWED"});
  EXPECT_NE(m.failures[0].message.find("7a1e5c266c0108db"), std::string::npos);
  o = base_options();
  o.minimum_tcb = MinTcb{3, 0, 9, 115, 0};
  const Verdict t = verifier_.verify(raw, vcek, o);
  EXPECT_EQ(codes(t), std::set<std::string>{"TCB_BELOW_MINIMUM"});
  EXPECT_NE(t.failures[0].message.find("snp=8"), std::string::npos);
  o.minimum_tcb = MinTcb{3, 0, 8, 115, 0};
  EXPECT_TRUE(verifier_.verify(raw, vcek, o).accepted());
  o = base_options();
  o.guest_policy.allow_smt = false;
  EXPECT_EQ(codes(verifier_.verify(raw, vcek, o)), std::set<std::string>{"POLICY_VIOLATION"});
  o = base_options();
  o.product = Product::kGenoa;
  EXPECT_EQ(codes(verifier_.verify(raw, vcek, o)), std::set<std::string>{"PRODUCT_MISMATCH"});
}

TEST_F(RealVectors, ExpiredVcekAtLaterTime) {
  VerifyOptions o = base_options();
  o.guest_policy.allow_debug = true;
  o.at = 1893456000;  // 2030-01-01: the go VCEK expired 2029-09-24
  const Verdict v =
      verifier_.verify(snp_file("milan_v2_go_attestation.bin"), snp_file("milan_go_vcek.der"), o);
  EXPECT_EQ(codes(v), std::set<std::string>{"CERT_NOT_VALID_AT_TIME"}) << dump(v);
}

TEST_F(RealVectors, CrossedVcekFailsBindingAndSignature) {
  const Verdict v =
      verifier_.verify(snp_file("milan_v2_virtee_report.bin"), snp_file("milan_go_vcek.der"), base_options());
  EXPECT_EQ(codes(v), (std::set<std::string>{"VCEK_CHIP_MISMATCH", "VCEK_TCB_MISMATCH", "SIGNATURE_INVALID"}))
      << dump(v);
}

TEST_F(RealVectors, CachedChainGivesTheSameVerdictAndRechecksTime) {
  const Bytes raw = snp_file("milan_v2_virtee_report.bin");
  const Bytes vcek = snp_file("milan_virtee_vcek.der");
  VerifyOptions o = base_options();
  const Verdict first = verifier_.verify(raw, vcek, o);
  const Verdict second = verifier_.verify(raw, vcek, o);
  EXPECT_FALSE(first.chain_from_cache);
  EXPECT_TRUE(second.chain_from_cache);
  EXPECT_TRUE(second.accepted());
  o.at = 2000000000;  // 2033: the cached chain's VCEK has expired
  const Verdict late = verifier_.verify(raw, vcek, o);
  EXPECT_TRUE(late.chain_from_cache);
  EXPECT_EQ(codes(late), std::set<std::string>{"CERT_NOT_VALID_AT_TIME"});
}

TEST(Verify, GarbageVcekIsUntrusted) {
  auto verifier = Verifier::create();
  ASSERT_TRUE(verifier.ok());
  const Verdict v = verifier->verify(snp_file("milan_v2_virtee_report.bin"), Bytes{1, 2, 3}, base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"CHAIN_UNTRUSTED"});
}

TEST(Verify, ExtraRootMustBeSelfSigned) {
  testing::LookAlike la(SNPRELAY_TEST_DATA);
  TrustConfig trust;
  X509_up_ref(const_cast<X509*>(la.ask()));
  trust.extra_roots.emplace_back(const_cast<X509*>(la.ask()));
  auto verifier = Verifier::create(std::move(trust));
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.error().code, "TRUST_ROOT_INVALID");
}

TEST(Verify, EveryFailureCodeHasAStableName) {
  std::set<std::string> names;
  for (FailureCode c : all_failure_codes())
    names.insert(std::string(failure_code_name(c)));
  EXPECT_EQ(names.size(), 20u);
  EXPECT_TRUE(names.contains("TCB_BELOW_MINIMUM"));
  EXPECT_FALSE(names.contains("UNKNOWN"));
}

// Look-alike chain: mutated copies of the virtee report, re-signed.
class LookAlikeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = snp_file("milan_v2_virtee_report.bin");
    spec_.hw_id = Bytes(base_.begin() + 0x1A0, base_.begin() + 0x1E0);
    spec_.bl = 3;
    spec_.snp = 8;
    spec_.ucode = 115;
  }

  Verdict run(Bytes raw, const testing::VcekSpec& spec, const VerifyOptions& o, bool trust_root = true,
              X509CrlPtr crl = nullptr) {
    la_.sign(raw);
    TrustConfig trust;
    if (trust_root)
      trust.extra_roots.push_back(la_.ark_copy());
    if (crl)
      trust.crls.push_back(std::move(crl));
    auto verifier = Verifier::create(std::move(trust));
    EXPECT_TRUE(verifier.ok());
    X509Ptr vcek = la_.vcek(spec);
    const Bytes der = cert_der(*vcek);
    const X509* inter[] = {la_.ask()};
    return verifier->verify(raw, der, o, inter);
  }

  Verdict run(Bytes raw) { return run(std::move(raw), spec_, base_options()); }

  testing::LookAlike la_{SNPRELAY_TEST_DATA};
  Bytes base_;
  testing::VcekSpec spec_;
};

TEST_F(LookAlikeTest, UnmodifiedReportIsAcceptedWithExplicitRoot) {
  const Verdict v = run(base_);
  EXPECT_TRUE(v.accepted()) << dump(v);
  EXPECT_EQ(v.product, Product::kMilan);
}

TEST_F(LookAlikeTest, WithoutTrustRootTheChainIsUntrusted) {
  const Verdict v = run(base_, spec_, base_options(), /*trust_root=*/false);
  EXPECT_EQ(codes(v), std::set<std::string>{"CHAIN_UNTRUSTED"}) << dump(v);
}

TEST_F(LookAlikeTest, VersionUnsupported) {
  for (std::uint8_t version : {1, 6}) {
    Bytes raw = base_;
    raw[0] = version;
    if (version >= 3) {
      raw[0x188] = 0x19;  // v3+ carry CPUID: Milan, matching the chain
      raw[0x189] = 0x01;
    }
    EXPECT_EQ(codes(run(raw)), std::set<std::string>{"VERSION_UNSUPPORTED"}) << int{version};
  }
  Bytes raw = base_;
  raw[0] = 5;  // v5 parses and verifies with its layout
  raw[0x188] = 0x19;
  raw[0x189] = 0x01;
  EXPECT_TRUE(run(raw).accepted());
}

TEST_F(LookAlikeTest, SignatureAlgoUnsupported) {
  Bytes raw = base_;
  raw[0x34] = 2;
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"SIGNATURE_ALGO_UNSUPPORTED"});
}

TEST_F(LookAlikeTest, ReservedNonzeroInSignedArea) {
  for (std::size_t off : {0x04Du, 0x190u, 0x1EBu, 0x1EFu, 0x1F8u, 0x29Fu}) {
    Bytes raw = base_;
    raw[off] = 1;
    const Verdict v = run(raw);
    EXPECT_EQ(codes(v), std::set<std::string>{"RESERVED_NONZERO"}) << off << "\n" << dump(v);
  }
  Bytes raw = base_;
  raw[0x0B] = 0x10;  // POLICY bit 28 (reserved)
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"RESERVED_NONZERO"});
  raw = base_;
  raw[0x48] = 0x20;  // KEY_INFO bit 5
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"RESERVED_NONZERO"});
}

TEST_F(LookAlikeTest, VmplAboveThree) {
  Bytes raw = base_;
  raw[0x30] = 4;
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"VMPL_NOT_ALLOWED"});
}

TEST_F(LookAlikeTest, PolicyBits) {
  Bytes raw = base_;
  raw[0x0A] &= static_cast<std::uint8_t>(~0x02);  // bit 17 cleared
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"POLICY_VIOLATION"});
  raw = base_;
  raw[0x0A] |= 0x04;  // MIGRATE_MA
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"POLICY_VIOLATION"});
  raw = base_;
  raw[0x0A] |= 0x08;  // DEBUG
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"DEBUG_POLICY"});
  raw = base_;
  raw[0x09] = 0x01;  // ABI major 1
  VerifyOptions o = base_options();
  o.guest_policy.min_abi_major = 2;
  EXPECT_EQ(codes(run(raw, spec_, o)), std::set<std::string>{"POLICY_VIOLATION"});
}

TEST_F(LookAlikeTest, ProvisionalFirmwareNeedsPermission) {
  Bytes raw = base_;
  raw[0x1E6] = 7;  // COMMITTED_TCB SNP 7 < CURRENT 8
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"POLICY_VIOLATION"});
  VerifyOptions o = base_options();
  o.permit_provisional_firmware = true;
  EXPECT_TRUE(run(raw, spec_, o).accepted());
}

// Issue 11 point 6: with permit-provisional-firmware a committed firmware build or version ABOVE the
// current one was accepted; go-sev-guest rejects it (committed <= current is what "provisional" means).
TEST_F(LookAlikeTest, ProvisionalFirmwareCommittedAboveCurrentIsRejected) {
  VerifyOptions o = base_options();
  o.permit_provisional_firmware = true;
  Bytes newer_build = base_;
  newer_build[0x1EC] = static_cast<std::uint8_t>(newer_build[0x1E8] + 1);  // COMMITTED_BUILD > CURRENT_BUILD
  EXPECT_EQ(codes(run(newer_build, spec_, o)), std::set<std::string>{"POLICY_VIOLATION"});
  Bytes newer_minor = base_;
  newer_minor[0x1ED] = static_cast<std::uint8_t>(newer_minor[0x1E9] + 1);  // COMMITTED_MINOR > CURRENT_MINOR
  EXPECT_EQ(codes(run(newer_minor, spec_, o)), std::set<std::string>{"POLICY_VIOLATION"});
  Bytes newer_major = base_;
  newer_major[0x1EE] = static_cast<std::uint8_t>(newer_major[0x1EA] + 1);
  newer_major[0x1ED] = 0;  // 1.0 above 0.x even with a lower minor
  EXPECT_EQ(codes(run(newer_major, spec_, o)), std::set<std::string>{"POLICY_VIOLATION"});
  // The other way round is what provisional firmware is: current newer than committed.
  Bytes older = base_;
  older[0x1E8] = static_cast<std::uint8_t>(older[0x1EC] + 1);
  EXPECT_TRUE(run(older, spec_, o).accepted());
  EXPECT_EQ(codes(run(older)), std::set<std::string>{"POLICY_VIOLATION"});
}

TEST_F(LookAlikeTest, SignerNotAllowed) {
  Bytes raw = base_;
  raw[0x48] = 1 << 2;  // SIGNING_KEY = VLEK, but the certificate is a VCEK
  VerifyOptions o = base_options();
  o.allow_vlek = true;
  const Verdict v = run(raw, spec_, o);
  EXPECT_EQ(codes(v), std::set<std::string>{"SIGNER_NOT_ALLOWED"}) << dump(v);
  raw[0x48] = 7 << 2;  // NONE
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"SIGNER_NOT_ALLOWED"});
  raw[0x48] = 1 << 2;  // VLEK without allow_vlek
  EXPECT_TRUE(codes(run(raw)).contains("SIGNER_NOT_ALLOWED"));
}

TEST_F(LookAlikeTest, ChipIdMasked) {
  Bytes raw = base_;
  std::fill(raw.begin() + 0x1A0, raw.begin() + 0x1E0, 0);
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"CHIP_ID_MASKED"});
  VerifyOptions o = base_options();
  o.allow_chip_id_masked = true;
  EXPECT_TRUE(run(raw, spec_, o).accepted());
}

TEST_F(LookAlikeTest, VcekChipMismatch) {
  testing::VcekSpec spec = spec_;
  spec.hw_id[5] ^= 0xFF;
  const Verdict v = run(base_, spec, base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"VCEK_CHIP_MISMATCH"}) << dump(v);
}

TEST_F(LookAlikeTest, VcekTcbMismatch) {
  testing::VcekSpec spec = spec_;
  spec.snp = 7;
  const Verdict v = run(base_, spec, base_options());
  EXPECT_EQ(codes(v), std::set<std::string>{"VCEK_TCB_MISMATCH"}) << dump(v);
  EXPECT_NE(v.failures[0].message.find("snp=7"), std::string::npos);
  EXPECT_NE(v.failures[0].message.find("snp=8"), std::string::npos);
}

TEST_F(LookAlikeTest, ProductMismatchFromVcekProductName) {
  testing::VcekSpec spec = spec_;
  spec.product_name = "Genoa";
  EXPECT_EQ(codes(run(base_, spec, base_options())), std::set<std::string>{"PRODUCT_MISMATCH"});
}

TEST_F(LookAlikeTest, ProductMismatchFromCpuid) {
  Bytes raw = base_;
  raw[0] = 3;
  raw[0x188] = 0x19;
  raw[0x189] = 0x11;  // Genoa, but the chain is Milan
  EXPECT_EQ(codes(run(raw)), std::set<std::string>{"PRODUCT_MISMATCH"});
  raw[0x189] = 0x01;  // Milan
  EXPECT_TRUE(run(raw).accepted());
}

TEST_F(LookAlikeTest, CertRevokedByArkSignedCrl) {
  const Verdict v = run(base_, spec_, base_options(), true, la_.crl(la_.ask()));
  EXPECT_EQ(codes(v), std::set<std::string>{"CERT_REVOKED"}) << dump(v);
  const Verdict clean = run(base_, spec_, base_options(), true, la_.crl(nullptr));
  EXPECT_TRUE(clean.accepted()) << dump(clean);
}

// Issue 11: a --crl issued by another ARK was skipped, so the report was accepted as if revocation had
// been checked; and one naming the ARK with a bad signature must not count either.
TEST_F(LookAlikeTest, CrlFromAnotherIssuerOrWithABadSignatureIsRefusedNotSkipped) {
  testing::LookAlike genoa{SNPRELAY_TEST_DATA, "Genoa"};
  const Verdict other = run(base_, spec_, base_options(), true, genoa.crl(nullptr));
  EXPECT_EQ(codes(other), std::set<std::string>{"CHAIN_UNTRUSTED"}) << dump(other);
  EXPECT_NE(dump(other).find("ARK-Genoa"), std::string::npos) << dump(other);
  EvpPkeyPtr stranger(EVP_RSA_gen(2048));
  ASSERT_NE(stranger, nullptr);
  auto forged = attest::mint_crl(*la_.ark(), stranger.get(), {}, testing::LookAlike::kT2024,
                                 testing::LookAlike::kT2045);
  ASSERT_TRUE(forged.ok());
  const Verdict bad_sig = run(base_, spec_, base_options(), true, std::move(*forged));
  EXPECT_EQ(codes(bad_sig), std::set<std::string>{"CHAIN_UNTRUSTED"}) << dump(bad_sig);
}

TEST_F(LookAlikeTest, VcekNotYetValid) {
  VerifyOptions o = base_options();
  o.at = testing::LookAlike::kT2020;
  EXPECT_EQ(codes(run(base_, spec_, o)), std::set<std::string>{"CERT_NOT_VALID_AT_TIME"});
}

}  // namespace
}  // namespace snprelay::attest
