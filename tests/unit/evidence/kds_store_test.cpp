#include "attest/sim/kds_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"

namespace snprelay::attest {
namespace {

const std::string kChip128(128, 'a');

TEST(KdsTarget, ParsesVcekRequest) {
  auto r = parse_kds_target("/vcek/v1/Milan/" + kChip128 + "?blSPL=2&teeSPL=0&snpSPL=05&ucodeSPL=68");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->kind, KdsRequest::Kind::kVcek);
  EXPECT_EQ(r->product, Product::kMilan);
  EXPECT_EQ(r->hwid, Bytes(64, 0xaa));
  EXPECT_EQ(r->tcb.bootloader, 2);
  EXPECT_EQ(r->tcb.snp, 5);  // zero-padded form accepted
  EXPECT_EQ(r->tcb.microcode, 68);
  EXPECT_FALSE(r->tcb.fmc.has_value());
}

TEST(KdsTarget, ParsesTurinAndChains) {
  auto t = parse_kds_target("/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=1&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9");
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->hwid.size(), 8u);
  EXPECT_EQ(t->tcb.fmc, 1);
  auto chain = parse_kds_target("/vlek/v1/Genoa/cert_chain");
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->kind, KdsRequest::Kind::kChain);
  EXPECT_EQ(chain->signer, KdsSigner::kVlek);
  auto crl = parse_kds_target("/vcek/v1/Milan/crl");
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(crl->kind, KdsRequest::Kind::kCrl);
}

TEST(KdsTarget, RejectsMalformedRequestsWithReasons) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/vcek/v2/Milan/cert_chain", "unknown path"},
      {"/vcek/v1/Rome/cert_chain", "unknown AMD product"},
      {"/vcek/v1/milan/cert_chain", "must be spelled Milan"},
      {"/vcek/v1/Milan/abcd?blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0", "128 hex digits"},
      {"/vcek/v1/Milan/" + std::string(128, 'z') + "?blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0", "not hex"},
      {"/vcek/v1/Milan/" + kChip128 + "?blSPL=1&teeSPL=0&snpSPL=0", "missing query parameter ucodeSPL"},
      {"/vcek/v1/Milan/" + kChip128 + "?blSPL=1&blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0", "repeated"},
      {"/vcek/v1/Milan/" + kChip128 + "?blSPL=256&teeSPL=0&snpSPL=0&ucodeSPL=0", "out of range"},
      {"/vcek/v1/Milan/" + kChip128 + "?blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0&x=1", "unknown query parameter"},
      {"/vcek/v1/Milan/" + kChip128 + "?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0",
       "only valid for Turin"},
      {"/vcek/v1/Turin/1e550a8ee5cf9f4d?blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9", "need fmcSPL"},
      {"/vcek/v1/Milan/cert_chain?x=1", "takes no query"},
      {"/vlek/v1/Milan/" + kChip128 + "?blSPL=1&teeSPL=0&snpSPL=0&ucodeSPL=0", "cloud providers"},
  };
  for (const auto& [target, reason] : cases) {
    auto r = parse_kds_target(target);
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.error().code, "BAD_REQUEST") << target;
    EXPECT_NE(r.error().message.find(reason), std::string::npos) << target << " -> " << r.error().message;
  }
}

TEST(DirectoryStore, ServesLaidOutFiles) {
  testing::TempDir dir;
  DirectoryStore store(dir.path().string());
  auto vcek = parse_kds_target("/vcek/v1/Milan/" + kChip128 + "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68");
  ASSERT_TRUE(vcek.ok());
  const std::string path = store.path_for(*vcek);
  EXPECT_EQ(path, dir.path().string() + "/vcek/Milan/" + kChip128 + "/bl2-tee0-snp5-ucode68.der");
  auto missing = store.serve(*vcek);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NOT_FOUND");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << "VCEK";
  auto found = store.serve(*vcek);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(std::string(found->begin(), found->end()), "VCEK");
}

}  // namespace
}  // namespace snprelay::attest
