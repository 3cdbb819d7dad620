// The `report show` and `verify` commands end to end: the real binary on the real vectors, with the
// exit-code contract (0 accepted, 1 rejected, 2 unreadable input) and the JSON shapes scripts use.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../run_process.hpp"

namespace {

using snprelay::testing::run_process;

std::string snp(const std::string& name) {
  return std::string(SNPRELAY_TEST_DATA) + "/snp/" + name;
}

const std::string kAt = "2026-06-01T00:00:00Z";

TEST(AttestCli, ReportShowJsonHasEveryField) {
  auto r = run_process({SNPRELAY_BIN, "report", "show", snp("genoa_v3_tinfoil_report.bin"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key :
       {"version",           "guest_svn",       "policy",         "vmpl",          "signature_algo",
        "current_tcb",       "reported_tcb",    "committed_tcb",  "launch_tcb",    "platform_info",
        "key_info",          "report_data",     "measurement",    "host_data",     "id_key_digest",
        "author_key_digest", "report_id",       "report_id_ma",   "chip_id",       "cpuid_fam_id",
        "cpuid_mod_id",      "cpuid_step",      "current_build",  "current_minor", "current_major",
        "committed_build",   "committed_minor", "committed_major"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["cpuid_mod_id"], 0x11);
  EXPECT_EQ(j["reported_tcb"]["snp"], 23);
  EXPECT_EQ(j["reported_tcb"]["raw"], "0x541700000000000a");
  EXPECT_EQ(
      j["measurement"],
      "09ef32acf90fcfeb6206d1a46c13145cef736ebbb83f18eaff680b686232031546ff5fd39c44599699ee8734cbbeb519");
  EXPECT_EQ(j["policy"]["smt"], true);
  EXPECT_EQ(j["policy"]["debug"], false);
}

TEST(AttestCli, ReportShowRejectsWrongSizeWithExit2) {
  auto r = run_process({SNPRELAY_BIN, "report", "show", snp("milan_go_vcek.der")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("SIZE_INVALID"), std::string::npos) << r.err;
}

TEST(AttestCli, VerifyAcceptsRealReport) {
  auto r = run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_virtee_report.bin"), "--vcek",
                        snp("milan_virtee_vcek.der"), "--at", kAt, "--json", "--vmpl", "0", "--min-tcb",
                        "bl=3,tee=0,snp=8,ucode=115"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["accepted"], true);
  EXPECT_TRUE(j["failures"].empty());
  EXPECT_EQ(j["product"], "Milan");
}

TEST(AttestCli, VerifyDebugReportNeedsAllowDebug) {
  std::vector<std::string> args = {SNPRELAY_BIN, "verify",
                                   "--report",   snp("milan_v2_go_attestation.bin"),
                                   "--vcek",     snp("milan_go_vcek.der"),
                                   "--at",       kAt,
                                   "--json"};
  auto rejected = run_process(args);
  ASSERT_EQ(rejected.exit_code, 1) << rejected.err;
  const auto j = nlohmann::json::parse(rejected.out);
  EXPECT_EQ(j["accepted"], false);
  ASSERT_EQ(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["code"], "DEBUG_POLICY");
  args.push_back("--allow-debug");
  EXPECT_EQ(run_process(args).exit_code, 0);
}

TEST(AttestCli, VerifyRejectsWrongMeasurementAndLateTime) {
  auto r = run_process({SNPRELAY_BIN, "verify", "--report", snp("genoa_v3_tinfoil_report.bin"), "--vcek",
                        snp("genoa_tinfoil_vcek.der"), "--at", "2034-01-01T00:00:00Z", "--measurement",
                        std::string(96, 'a')});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("MEASUREMENT_NOT_ALLOWED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CERT_NOT_VALID_AT_TIME"), std::string::npos) << r.out;
}

TEST(AttestCli, VerifyUnreadableOrInvalidInputIsExit2) {
  EXPECT_EQ(
      run_process({SNPRELAY_BIN, "verify", "--report", "/nonexistent", "--vcek", snp("milan_go_vcek.der")})
          .exit_code,
      2);
  EXPECT_EQ(run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_go_attestation.bin"), "--vcek",
                         snp("milan_v2_go_attestation.bin")})
                .exit_code,
            2);
  EXPECT_EQ(run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_go_attestation.bin"), "--vcek",
                         snp("milan_go_vcek.der"), "--at", "yesterday"})
                .exit_code,
            2);
  EXPECT_EQ(run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_go_attestation.bin"), "--vcek",
                         snp("milan_go_vcek.der"), "--min-tcb", "bl=999"})
                .exit_code,
            2);
}

TEST(AttestCli, ChainFlagNeverAddsTrust) {
  // A self-signed ARK handed over as an "intermediate" does not make the look-alike root trusted: the
  // real VCEK still verifies only because its pinned ASK/ARK are compiled in.
  auto r = run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_virtee_report.bin"), "--vcek",
                        snp("milan_virtee_vcek.der"), "--chain", snp("ask_ark_genoa.pem"), "--at", kAt});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto wrong = run_process({SNPRELAY_BIN, "verify", "--report", snp("milan_v2_virtee_report.bin"), "--vcek",
                            snp("milan_virtee_vcek.der"), "--product", "Turin", "--at", kAt, "--json"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("PRODUCT_MISMATCH"), std::string::npos);
}

}  // namespace
