// Certificates: the compiled-in AMD roots (fingerprints pinned here independently of the library),
// the KDS extensions of the four real VCEKs, the AMD RSA-PSS profile and CRL parsing.
#include "attest/certs.hpp"

#include <gtest/gtest.h>

#include <map>

#include "attest/amd_roots.hpp"
#include "attest_test_util.hpp"
#include "lookalike.hpp"

namespace snprelay::attest {
namespace {

using testing::snp_file;

X509Ptr load_der(const std::string& name) {
  auto cert = parse_cert_der(snp_file(name));
  EXPECT_TRUE(cert.ok()) << name;
  return cert.ok() ? std::move(*cert) : nullptr;
}

TEST(AmdRoots, CompiledInFingerprintsMatchSnpFacts) {
  // docs/snp-report.md "Certificates and trust": SHA-256 over each certificate's DER.
  const std::map<std::string, std::string> expected = {
      {"ARK-Milan", "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"},
      {"SEV-Milan", "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b"},
      {"SEV-VLEK-Milan", "c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5"},
      {"ARK-Genoa", "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"},
      {"SEV-Genoa", "5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521"},
      {"SEV-VLEK-Genoa", "197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372"},
      {"ARK-Turin", "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"},
      {"SEV-Turin", "5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185"},
      {"SEV-VLEK-Turin", "104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c"},
  };
  std::map<std::string, std::string> seen;
  for (const auto& bundle : amd_pem_bundles()) {
    auto certs = parse_certs_pem(bundle.pem);
    ASSERT_TRUE(certs.ok()) << bundle.name;
    ASSERT_EQ(certs->size(), 2u) << bundle.name;
    for (const auto& c : *certs)
      seen[subject_cn(*c)] = to_hex(cert_sha256(*c));
    // The compiled-in text equals the test copy of the AMD bundle byte for byte.
    // (Line endings aside: the Turin files use CRLF, the compiled-in text LF.)
    const Bytes file = snp_file(std::string(bundle.name));
    std::string text(file.begin(), file.end());
    std::erase(text, '\r');
    EXPECT_EQ(text, bundle.pem) << bundle.name;
  }
  EXPECT_EQ(seen, expected);
  const PinnedRoots& roots = amd_pinned_roots();
  EXPECT_EQ(roots.arks.size(), 3u);
  EXPECT_EQ(roots.intermediates.size(), 6u);
  for (const auto& ark : roots.arks)
    EXPECT_TRUE(has_amd_pss_signature(*ark.cert)) << subject_cn(*ark.cert);
}

TEST(Certs, MilanGoVcekExtensions) {
  X509Ptr vcek = load_der("milan_go_vcek.der");
  ASSERT_TRUE(vcek);
  EXPECT_EQ(subject_cn(*vcek), "SEV-VCEK");
  EXPECT_EQ(issuer_cn(*vcek), "SEV-Milan");
  EXPECT_TRUE(has_amd_pss_signature(*vcek));
  auto ext = parse_vek_extensions(*vcek);
  ASSERT_TRUE(ext.ok()) << ext.error().message;
  EXPECT_EQ(ext->struct_version, 0);
  EXPECT_EQ(ext->product_name, "Milan-B0");
  EXPECT_EQ(ext->bl, 2);
  EXPECT_EQ(ext->tee, 0);
  EXPECT_EQ(ext->snp, 5);
  EXPECT_EQ(ext->ucode, 68);
  EXPECT_FALSE(ext->fmc.has_value());
  ASSERT_TRUE(ext->hw_id.has_value());
  EXPECT_EQ(ext->hw_id->size(), 64u);
  EXPECT_EQ(to_hex(*ext->hw_id).substr(0, 16), "3ac3fe21e13fb099");
  EXPECT_EQ(vek_tcb(*ext), 0x4405000000000002u);
  EXPECT_EQ(validity_at(*vcek, testing::kFixedTime), 0);
  EXPECT_EQ(validity_at(*vcek, 1893456000), 1);   // 2030-01-01: expired (README check 9)
  EXPECT_EQ(validity_at(*vcek, 1600000000), -1);  // 2020-09: not yet valid
}

TEST(Certs, GenoaVcekProductNameWithoutStepping) {
  X509Ptr vcek = load_der("genoa_tinfoil_vcek.der");
  ASSERT_TRUE(vcek);
  auto ext = parse_vek_extensions(*vcek);
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->product_name, "Genoa");
  EXPECT_EQ(vek_tcb(*ext), 0x541700000000000Au);
}

TEST(Certs, TurinVcekHasFmcAndEightByteHwid) {
  X509Ptr vcek = load_der("turin_virtee_vcek.der");
  ASSERT_TRUE(vcek);
  auto ext = parse_vek_extensions(*vcek);
  ASSERT_TRUE(ext.ok()) << ext.error().message;
  EXPECT_EQ(ext->struct_version, 1);
  EXPECT_EQ(ext->product_name, "Turin");
  EXPECT_EQ(ext->fmc, 0);
  EXPECT_EQ(ext->ucode, 9);
  EXPECT_FALSE(ext->spl4.has_value());
  ASSERT_TRUE(ext->hw_id.has_value());
  EXPECT_EQ(to_hex(*ext->hw_id), "1e550a8ee5cf9f4d");
  EXPECT_EQ(vek_tcb(*ext), 0x0900000000000000u);
}

TEST(Certs, RejectsGarbageAndTruncation) {
  Bytes der = snp_file("milan_virtee_vcek.der");
  EXPECT_FALSE(parse_cert_der(std::span(der).first(der.size() - 1)).ok());
  der.push_back(0);
  auto trailing = parse_cert_der(der);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code, "CERT_INVALID");
  EXPECT_FALSE(parse_certs_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
  EXPECT_FALSE(parse_crl(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}).ok());
}

TEST(Certs, BerOuterLengthIsNotDer) {
  // The real VCEK with its outer length written in three bytes (30 83 00 05 4c) instead of two: the
  // same certificate to OpenSSL's BER reader, refused by DER (and by the chain's Go parser). Fuzz finding.
  const Bytes der = snp_file("milan_virtee_vcek.der");
  ASSERT_TRUE(parse_cert_der(der).ok());
  ASSERT_EQ(der[0], 0x30);
  ASSERT_EQ(der[1], 0x82);
  Bytes ber = {0x30, 0x83, 0x00};
  ber.insert(ber.end(), der.begin() + 2, der.end());
  auto parsed = parse_cert_der(ber);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "CERT_INVALID");
  EXPECT_NE(parsed.error().message.find("not DER"), std::string::npos) << parsed.error().message;
}

TEST(Certs, DuplicateKdsExtensionIsRejected) {
  testing::LookAlike la(SNPRELAY_TEST_DATA);
  testing::VcekSpec spec;
  spec.hw_id = Bytes(64, 0xAB);
  X509Ptr good = la.vcek(spec);
  ASSERT_TRUE(parse_vek_extensions(*good).ok());
  // Add a second blSPL by hand.
  X509Ptr dup = la.vcek(spec);
  using ObjPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<ASN1_OBJECT_free>>;
  using OctPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<ASN1_OCTET_STRING_free>>;
  ObjPtr obj(OBJ_txt2obj("1.3.6.1.4.1.3704.1.3.1", 1));
  OctPtr data(ASN1_OCTET_STRING_new());
  const Bytes v = testing::der_integer(1);
  ASN1_OCTET_STRING_set(data.get(), v.data(), static_cast<int>(v.size()));
  X509_EXTENSION* e = X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, data.get());
  X509_add_ext(dup.get(), e, -1);
  X509_EXTENSION_free(e);
  auto ext = parse_vek_extensions(*dup);
  ASSERT_FALSE(ext.ok());
  EXPECT_NE(ext.error().message.find("duplicate"), std::string::npos);
}

TEST(Certs, CrlSignedByArkListsRevokedSerial) {
  testing::LookAlike la(SNPRELAY_TEST_DATA);
  X509CrlPtr crl = la.crl(la.ask());
  // Round-trip through DER like a file would.
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &der);
  ASSERT_GT(len, 0);
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  auto parsed = parse_crl(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(crl_signed_by(**parsed, X509_get0_pubkey(la.ark())));
  EXPECT_FALSE(crl_signed_by(**parsed, X509_get0_pubkey(la.ask())));
  EXPECT_TRUE(crl_lists(**parsed, *la.ask()));
  EXPECT_FALSE(crl_lists(**parsed, *la.ark()));
}

TEST(Certs, CrlWithAnOuterSignatureAlgorithmUnlikeItsTbsIsNotSigned) {
  testing::LookAlike la(SNPRELAY_TEST_DATA);
  auto good = parse_crl(testing::snp_file("lookalike/milan_crl.der"));
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(crl_signed_by(**good, X509_get0_pubkey(la.ark())));
  // Same TBS and signature; only the outer algorithm's parameters differ (a fuzz finding).
  auto odd = parse_crl(testing::snp_file("lookalike/milan_crl_outer_sigalg_mismatch.der"));
  ASSERT_TRUE(odd.ok());
  EXPECT_FALSE(crl_signed_by(**odd, X509_get0_pubkey(la.ark())));
}

TEST(Certs, CrlFreshnessFollowsNextUpdate) {
  auto crl = parse_crl(testing::snp_file("lookalike/milan_crl.der"));
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(crl_this_update(**crl), "2024-01-01T00:00:00Z");
  EXPECT_EQ(crl_next_update(**crl), "2045-01-01T00:00:00Z");
  constexpr std::time_t kNextUpdate = 2366841600;  // 2045-01-01T00:00:00Z
  EXPECT_FALSE(crl_expired_at(**crl, testing::kFixedTime));
  EXPECT_FALSE(crl_expired_at(**crl, kNextUpdate - 1));
  EXPECT_TRUE(crl_expired_at(**crl, kNextUpdate));
  EXPECT_TRUE(crl_expired_at(**crl, kNextUpdate + 86400));
}

}  // namespace
}  // namespace snprelay::attest
