// Report ABI: parse/serialize round trips on every real vector, decoded values (from the vectors'
// README), per-version reserved ranges, bit-field decoders and TCB layouts.
#include "attest/report.hpp"

#include <gtest/gtest.h>

#include "attest/report_bits.hpp"
#include "attest/tcb.hpp"
#include "attest_test_util.hpp"

namespace snprelay::attest {
namespace {

using testing::snp_file;

const char* const kReports[] = {"milan_v2_go_attestation.bin", "milan_v2_virtee_report.bin",
                                "genoa_v3_tinfoil_report.bin", "milan_or_genoa_v2_lit_report_unverified.bin"};

TEST(Report, RoundTripsEveryRealVector) {
  for (const char* name : kReports) {
    const Bytes raw = snp_file(name);
    auto r = parse_report(raw);
    ASSERT_TRUE(r.ok()) << name;
    const auto out = serialize_report(*r);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), raw.begin(), raw.end())) << name;
    EXPECT_TRUE(nonzero_reserved(raw).empty()) << name;
  }
}

TEST(Report, DecodesGoMilanVector) {
  auto r = parse_report(snp_file("milan_v2_go_attestation.bin"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 2u);
  EXPECT_EQ(r->policy, 0xB0000u);
  EXPECT_EQ(r->signature_algo, 1u);
  EXPECT_EQ(r->reported_tcb, 0x4405000000000002u);
  EXPECT_EQ(r->platform_info, 0x1u);
  EXPECT_EQ(
      to_hex(r->measurement),
      "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01");
  EXPECT_EQ(to_hex(std::span(r->report_data).first(5)), "0102030405");
  EXPECT_EQ(to_hex(r->report_id), "8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a");
  EXPECT_EQ(to_hex(std::span(r->chip_id).first(8)), "3ac3fe21e13fb099");
  EXPECT_EQ(r->current_major, 1);
  EXPECT_EQ(r->current_minor, 49);
  EXPECT_EQ(r->current_build, 3);
  // R big-endian from the README = little-endian bytes reversed.
  Bytes r_be(r->signature_r.rbegin() + 24, r->signature_r.rend());
  EXPECT_EQ(
      to_hex(r_be),
      "21c89c9932a2504bd2a590c9c21a32bbba083b2dd6e5bc7438896bf672ae1353aa5fa6bbb6274fca69f9f8b85a8b8e4f");
  const GuestPolicy p = decode_policy(r->policy);
  EXPECT_TRUE(p.debug);
  EXPECT_TRUE(p.smt);
  EXPECT_TRUE(p.reserved_must_be_one);
  EXPECT_FALSE(p.migrate_ma);
  const TcbParts t = decode_tcb(r->reported_tcb, Product::kMilan);
  EXPECT_EQ(t.bootloader, 2);
  EXPECT_EQ(t.tee, 0);
  EXPECT_EQ(t.snp, 5);
  EXPECT_EQ(t.microcode, 68);
  EXPECT_FALSE(t.fmc.has_value());
}

TEST(Report, DecodesGenoaV3CpuidAndPlatformInfo) {
  auto r = parse_report(snp_file("genoa_v3_tinfoil_report.bin"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 3u);
  EXPECT_TRUE(r->has_cpuid());
  EXPECT_EQ(r->cpuid_fam_id, 0x19);
  EXPECT_EQ(r->cpuid_mod_id, 0x11);
  EXPECT_EQ(r->cpuid_step, 0x01);
  EXPECT_EQ(product_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id), Product::kGenoa);
  const PlatformInfo pi = decode_platform_info(r->platform_info);
  EXPECT_TRUE(pi.smt_en && pi.tsme_en && pi.ecc_en && pi.alias_check_complete);
  EXPECT_FALSE(pi.rapl_dis || pi.ciphertext_hiding_en || pi.tio_en);
  const TcbParts t = decode_tcb(r->reported_tcb, Product::kGenoa);
  EXPECT_EQ(t.bootloader, 10);
  EXPECT_EQ(t.snp, 23);
  EXPECT_EQ(t.microcode, 84);
  EXPECT_EQ(r->current_major, 1);
  EXPECT_EQ(r->current_minor, 55);
  EXPECT_EQ(r->current_build, 40);
}

TEST(Report, LitVectorShowsProvisionalFirmware) {
  auto r = parse_report(snp_file("milan_or_genoa_v2_lit_report_unverified.bin"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->committed_tcb, 0x7305000000000002u);
  EXPECT_EQ(r->current_tcb, 0x7306000000000002u);
  EXPECT_EQ(r->committed_minor, 49);
  EXPECT_EQ(r->committed_build, 6);
  EXPECT_EQ(r->current_minor, 51);
}

TEST(Report, RejectsWrongSize) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw.push_back(0);
  auto r = parse_report(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SIZE_INVALID");
  EXPECT_NE(r.error().message.find("1185"), std::string::npos);
  EXPECT_FALSE(parse_report(std::span(raw).first(100)).ok());
}

TEST(Report, V5FieldsRoundTripAndReservedRangesFollowTheVersion) {
  Bytes raw = snp_file("genoa_v3_tinfoil_report.bin");
  raw[0] = 5;
  raw[0x1F8] = 0x03;  // LAUNCH_MIT_VECTOR
  raw[0x200] = 0x01;  // CURRENT_MIT_VECTOR
  auto r = parse_report(raw);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_mitigation_vectors());
  EXPECT_EQ(r->launch_mit_vector, 3u);
  EXPECT_EQ(r->current_mit_vector, 1u);
  const auto out = serialize_report(*r);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), raw.begin(), raw.end()));
  EXPECT_TRUE(nonzero_reserved(raw).empty());  // defined in v5
  raw[0] = 3;                                  // the same bytes are reserved in v3
  const auto ranges = nonzero_reserved(raw);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].offset, 0x1F8u);
  EXPECT_EQ(ranges[0].first_nonzero, 0x1F8u);
}

TEST(Report, V2TreatsCpuidBytesAsReserved) {
  Bytes raw = snp_file("milan_v2_virtee_report.bin");
  raw[0x189] = 0x01;
  auto ranges = nonzero_reserved(raw);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].offset, 0x188u);
  EXPECT_EQ(ranges[0].first_nonzero, 0x189u);
  raw[0] = 3;  // v3 defines the byte
  EXPECT_TRUE(nonzero_reserved(raw).empty());
  raw[0x4A0 - 1] = 1;  // unsigned tail after the signature
  ranges = nonzero_reserved(raw);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].offset, 0x330u);
}

TEST(ReportBits, KeyInfoAndPolicyFields) {
  const KeyInfo k = decode_key_info(0x1F | (1u << 5));
  EXPECT_TRUE(k.author_key_en);
  EXPECT_TRUE(k.mask_chip_key);
  EXPECT_EQ(k.signing_key, 7);
  EXPECT_EQ(k.reserved, 1u << 5);
  const GuestPolicy p = decode_policy(0x0000000003FE1F05ull | (1ull << 40));
  EXPECT_EQ(p.abi_major, 0x1F);
  EXPECT_EQ(p.abi_minor, 0x05);
  EXPECT_TRUE(p.page_swap_disable && p.ciphertext_hiding && p.rapl_dis && p.mem_aes_256_xts && p.cxl_allow &&
              p.single_socket && p.debug && p.migrate_ma && p.reserved_must_be_one);
  EXPECT_FALSE(p.smt);
  EXPECT_EQ(p.reserved, 1ull << 40);
  EXPECT_EQ(decode_platform_info(0x40).reserved, 0x40u);
  EXPECT_TRUE(decode_platform_info(0x80).tio_en);
}

TEST(Tcb, TurinLayoutHasFmcFirst) {
  const std::uint64_t raw = 0x0900000004030201ull;
  const TcbParts t = decode_tcb(raw, Product::kTurin);
  ASSERT_TRUE(t.fmc.has_value());
  EXPECT_EQ(*t.fmc, 1);
  EXPECT_EQ(t.bootloader, 2);
  EXPECT_EQ(t.tee, 3);
  EXPECT_EQ(t.snp, 4);
  EXPECT_EQ(t.microcode, 9);
  EXPECT_EQ(encode_tcb(t, Product::kTurin), raw);
  const TcbParts m = decode_tcb(raw, Product::kMilan);
  EXPECT_EQ(m.bootloader, 1);
  EXPECT_EQ(m.snp, 0);
  EXPECT_NE(m.reserved, 0u);
  EXPECT_EQ(encode_tcb(m, Product::kMilan), raw);
}

TEST(Tcb, ComparisonIsComponentWise) {
  // snp 5 ucode 200 vs snp 6 ucode 100: neither dominates, though one is a larger integer.
  const TcbParts a = decode_tcb(0xC805000000000002ull, Product::kMilan);
  const TcbParts b = decode_tcb(0x6406000000000002ull, Product::kMilan);
  EXPECT_FALSE(tcb_le(a, b));
  EXPECT_FALSE(tcb_le(b, a));
  MinTcb min{2, 0, 6, 100, 0};
  EXPECT_FALSE(tcb_meets(a, min));
  EXPECT_TRUE(tcb_meets(b, min));
}

TEST(Tcb, FmcMinimumBindsOnlyATcbWithFmc) {
  TcbParts turin = decode_tcb(0, Product::kTurin);
  turin.fmc = 1;
  const MinTcb min{0, 0, 0, 0, 2};
  EXPECT_FALSE(tcb_meets(turin, min));
  turin.fmc = 2;
  EXPECT_TRUE(tcb_meets(turin, min));
  EXPECT_TRUE(tcb_meets(decode_tcb(0, Product::kMilan), min));  // Milan has no FMC
  EXPECT_EQ(describe_min_tcb(min), "bl=0 tee=0 snp=0 ucode=0 fmc=2");
  EXPECT_EQ(describe_min_tcb(MinTcb{}), "bl=0 tee=0 snp=0 ucode=0");
}

TEST(Tcb, ParsesMinTcbText) {
  std::string why;
  auto m = parse_min_tcb("snp=8,bl=3,ucode=115,tee=0,fmc=1", &why);
  ASSERT_TRUE(m.has_value()) << why;
  EXPECT_EQ(m->bootloader, 3);
  EXPECT_EQ(m->snp, 8);
  EXPECT_EQ(m->microcode, 115);
  EXPECT_EQ(m->fmc, 1);
  EXPECT_FALSE(parse_min_tcb("bl=256", &why).has_value());
  EXPECT_NE(why.find("0..255"), std::string::npos);
  EXPECT_FALSE(parse_min_tcb("xx=1", &why).has_value());
  EXPECT_FALSE(parse_min_tcb("bl=1,bl=2", &why).has_value());
  EXPECT_FALSE(parse_min_tcb("bl", &why).has_value());
}

TEST(Tcb, ProductFromCpuidRanges) {
  EXPECT_EQ(product_from_cpuid(0x19, 0x01), Product::kMilan);
  EXPECT_EQ(product_from_cpuid(0x19, 0x11), Product::kGenoa);
  EXPECT_EQ(product_from_cpuid(0x19, 0xA0), Product::kGenoa);
  EXPECT_EQ(product_from_cpuid(0x1A, 0x02), Product::kTurin);
  EXPECT_EQ(product_from_cpuid(0x1A, 0x50), Product::kUnknown);
  EXPECT_EQ(product_from_cpuid(0x17, 0x01), Product::kUnknown);
}

}  // namespace
}  // namespace snprelay::attest
