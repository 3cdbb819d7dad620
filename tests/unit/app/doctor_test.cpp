// The pure parts of `snprelay doctor` (relayer/app/doctor.hpp): the line and JSON forms, the exit rule,
// the pinned-vs-chain signer set comparison and the TCB comparison.
#include "relayer/app/doctor.hpp"

#include <gtest/gtest.h>

namespace snprelay::app {
namespace {

// The REPORTED_TCB of a report of the simulated firmware (attest/sim, default TCB), as its Milan
// layout prints it: bl=3 tee=0 snp=8 ucode=115.
constexpr std::uint64_t kSimReportedTcb = 0x7308000000000003;

allowlist::SignerKey key(const std::string& id, std::uint8_t fill) {
  Bytes pub(33, fill);
  pub[0] = 0x02;
  return {id, pub};
}

TEST(DoctorFormat, LineHasLevelCheckAndDetailInColumns) {
  EXPECT_EQ(format_check_line({"evidence", CheckLevel::kWarn, "simulated firmware in /s"}),
            "warn  evidence   simulated firmware in /s");
  EXPECT_EQ(format_check_line({"tcb", CheckLevel::kOk, "meets"}), "ok    tcb        meets");
  EXPECT_EQ(format_check_line({"allowlist", CheckLevel::kFail, "x"}), "fail  allowlist  x");
}

TEST(DoctorFormat, DetailFromOutsideCannotStartALineOfItsOwn) {
  const std::string line = format_check_line({"chain", CheckLevel::kFail, "node says\nok    chain  fine"});
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("\\x0a"), std::string::npos) << line;
}

TEST(DoctorFormat, JsonIsAnArrayOfCheckLevelDetailInOrder) {
  const auto j =
      checks_json({{"evidence", CheckLevel::kWarn, "simulated"}, {"kds", CheckLevel::kFail, "cold"}});
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0].dump(), R"({"check":"evidence","level":"warn","detail":"simulated"})");
  EXPECT_EQ(j[1]["level"], "fail");
  EXPECT_EQ(j[1]["check"], "kds");
}

TEST(DoctorExitRule, OnlyAFailCounts) {
  EXPECT_FALSE(any_failed({}));
  EXPECT_FALSE(any_failed({{"evidence", CheckLevel::kWarn, ""}, {"tpm", CheckLevel::kOk, ""}}));
  EXPECT_TRUE(any_failed({{"evidence", CheckLevel::kWarn, ""}, {"tcb", CheckLevel::kFail, ""}}));
}

TEST(DoctorSigners, SameKeysInAnotherOrderAndSameThresholdAreTheSameSet) {
  const allowlist::SignerSet pinned{{key("alice", 1), key("bob", 2)}, 2};
  const allowlist::SignerSet chain{{key("bob", 2), key("alice", 1)}, 2};
  EXPECT_EQ(signer_set_difference(pinned, chain), std::nullopt);
}

TEST(DoctorSigners, EachDifferenceIsNamed) {
  const allowlist::SignerSet pinned{{key("alice", 1), key("bob", 2)}, 2};
  const auto other_key = signer_set_difference(pinned, {{key("alice", 1), key("bob", 3)}, 2});
  ASSERT_TRUE(other_key);
  EXPECT_NE(other_key->find("key bob has another public key on chain"), std::string::npos) << *other_key;

  const auto rotated = signer_set_difference(pinned, {{key("alice", 1), key("carol", 4)}, 2});
  ASSERT_TRUE(rotated);
  EXPECT_NE(rotated->find("key bob is pinned but not in the chain's set"), std::string::npos) << *rotated;
  EXPECT_NE(rotated->find("the chain's key carol"), std::string::npos) << *rotated;

  const auto threshold = signer_set_difference(pinned, {{key("alice", 1), key("bob", 2)}, 1});
  ASSERT_TRUE(threshold);
  EXPECT_EQ(*threshold, "threshold 2 pinned, 1 on chain");
}

TEST(DoctorTcb, SimulatedReportMeetsAMinimumAtOrBelowIt) {
  const auto tcb = attest::decode_tcb(kSimReportedTcb, attest::Product::kMilan);
  EXPECT_TRUE(tcb_shortfalls(tcb, {"Milan", 3, 0, 8, 115, 0}).empty());
  EXPECT_TRUE(tcb_shortfalls(tcb, {"Milan", 0, 0, 0, 0, 0}).empty());
}

TEST(DoctorTcb, EachComponentBelowTheMinimumIsNamedInLayoutOrder) {
  const auto tcb = attest::decode_tcb(kSimReportedTcb, attest::Product::kMilan);
  const auto below = tcb_shortfalls(tcb, {"Milan", 4, 0, 10, 115, 9});
  // fmc is not compared on Milan (its TCB has none); boot loader and SNP are below.
  ASSERT_EQ(below.size(), 2u);
  EXPECT_EQ(below[0], "boot_loader 3 < 4");
  EXPECT_EQ(below[1], "snp 8 < 10");
}

TEST(DoctorTcb, ComponentsAreComparedOneByOneNotAsAnInteger) {
  // A higher microcode does not make up for a lower SNP level.
  attest::TcbParts tcb;
  tcb.bootloader = 9;
  tcb.snp = 1;
  tcb.microcode = 250;
  const auto below = tcb_shortfalls(tcb, {"Milan", 1, 0, 2, 1, 0});
  ASSERT_EQ(below.size(), 1u);
  EXPECT_EQ(below[0], "snp 1 < 2");
}

TEST(DoctorTcb, TurinFmcIsCompared) {
  attest::TcbParts tcb;
  tcb.fmc = 1;
  const auto below = tcb_shortfalls(tcb, {"Turin", 0, 0, 0, 0, 2});
  ASSERT_EQ(below.size(), 1u);
  EXPECT_EQ(below[0], "fmc 1 < 2");
}

}  // namespace
}  // namespace snprelay::app
