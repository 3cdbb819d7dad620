#include "attest/kds/kds_url.hpp"

#include <gtest/gtest.h>

#include "common/hex.hpp"

namespace snprelay::attest {
namespace {

// CHIP_IDs of the real reports in tests/data (tests/data/snp/PROVENANCE.md; URL form of AMD KDS spec 57230).
const char* kGoChip =
    "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40"
    "c05f63"
    "c9b610c5068b006b5d";
const char* kGenoaChip =
    "1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f053218c437f33ba183e4e415b039b37f8205250ad15f8b88a0a3add9f4"
    "c081c0"
    "779a48ed2214378e44";

TcbParts tcb(std::uint8_t bl, std::uint8_t tee, std::uint8_t snp, std::uint8_t ucode,
             std::optional<std::uint8_t> fmc = std::nullopt) {
  TcbParts t;
  t.bootloader = bl;
  t.tee = tee;
  t.snp = snp;
  t.microcode = ucode;
  t.fmc = fmc;
  return t;
}

TEST(KdsProduct, OneRuleWithParseProduct) {
  // Operators may type any case (as everywhere else: --min-tcb, --product); URLs use product_name().
  for (const char* name : {"Genoa", "genoa", "GENOA"}) {
    ASSERT_TRUE(kds_product(name).ok()) << name;
    EXPECT_EQ(*kds_product(name), Product::kGenoa);
    EXPECT_EQ(parse_product(name), Product::kGenoa);
  }
  EXPECT_EQ(kds_product("Rome").error().code, "BAD_PRODUCT");
  EXPECT_EQ(kds_product("Rome").error().kind, ErrorKind::kInput);
  EXPECT_FALSE(parse_product("Rome").has_value());
  EXPECT_EQ(*chain_url("https://kds/vcek/v1", *kds_product("milan"), KdsSigner::kVcek),
            "https://kds/vcek/v1/Milan/cert_chain");
}

TEST(KdsUrl, MilanVcekMatchesWorkedExample) {
  auto url =
      vcek_url("https://kdsintf.amd.com/vcek/v1", Product::kMilan, *from_hex(kGoChip), tcb(2, 0, 5, 68));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, std::string("https://kdsintf.amd.com/vcek/v1/Milan/") + kGoChip +
                      "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68");
}

TEST(KdsUrl, GenoaVcekMatchesWorkedExample) {
  auto url = vcek_url("https://kdsintf.amd.com/vcek/v1/", Product::kGenoa, *from_hex(kGenoaChip),
                      tcb(10, 0, 23, 84));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, std::string("https://kdsintf.amd.com/vcek/v1/Genoa/") + kGenoaChip +
                      "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84");
}

TEST(KdsUrl, TurinUsesEightByteHwidAndFmcFirst) {
  Bytes chip(64, 0);
  const Bytes hwid = *from_hex("1e550a8ee5cf9f4d");
  std::copy(hwid.begin(), hwid.end(), chip.begin());
  chip[63] = 0x99;  // bytes past the first 8 are not part of a Turin hwID
  auto url = vcek_url("https://kdsintf.amd.com/vcek/v1", Product::kTurin, chip, tcb(0, 0, 0, 9, 0));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(
      *url,
      "https://kdsintf.amd.com/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9");
  auto no_fmc = vcek_url("https://k/vcek/v1", Product::kTurin, chip, tcb(0, 0, 0, 9));
  ASSERT_FALSE(no_fmc.ok());
  EXPECT_EQ(no_fmc.error().code, "BAD_TCB");
}

TEST(KdsUrl, MaskedChipIdAndBadProductRefused) {
  auto masked = vcek_url("https://k/vcek/v1", Product::kMilan, Bytes(64, 0), TcbParts{});
  ASSERT_FALSE(masked.ok());
  EXPECT_EQ(masked.error().code, "BAD_CHIP_ID");
  auto product = vcek_url("https://k/vcek/v1", Product::kUnknown, Bytes(64, 1), TcbParts{});
  ASSERT_FALSE(product.ok());
  EXPECT_EQ(product.error().code, "BAD_PRODUCT");
  auto short_chip = vcek_url("https://k/vcek/v1", Product::kMilan, Bytes(8, 1), TcbParts{});
  ASSERT_FALSE(short_chip.ok());
}

TEST(KdsUrl, ChainCrlAndVlekSiblings) {
  const std::string base = "http://127.0.0.1:8999/vcek/v1";
  EXPECT_EQ(*chain_url(base, Product::kMilan, KdsSigner::kVcek),
            "http://127.0.0.1:8999/vcek/v1/Milan/cert_chain");
  EXPECT_EQ(*chain_url(base, Product::kGenoa, KdsSigner::kVlek),
            "http://127.0.0.1:8999/vlek/v1/Genoa/cert_chain");
  EXPECT_EQ(*crl_url(base, Product::kTurin, KdsSigner::kVcek), "http://127.0.0.1:8999/vcek/v1/Turin/crl");
  EXPECT_EQ(*crl_url(base, Product::kMilan, KdsSigner::kVlek), "http://127.0.0.1:8999/vlek/v1/Milan/crl");
  auto bad = chain_url("http://h/other", Product::kMilan, KdsSigner::kVlek);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_URL");
}

}  // namespace
}  // namespace snprelay::attest
