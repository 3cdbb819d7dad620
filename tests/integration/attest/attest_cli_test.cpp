// The `report show` and `verify` commands end to end: the real binary on the real vectors, with the
// exit-code contract (0 accepted, 1 rejected, 2 unreadable input) and the JSON shapes scripts use.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_process.hpp"

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

// The virtee Milan report with its VCEK, accepted with these arguments; each test adds flags.
std::vector<std::string> virtee_args() {
  return {SNPRELAY_BIN, "verify",
          "--report",   snp("milan_v2_virtee_report.bin"),
          "--vcek",     snp("milan_virtee_vcek.der"),
          "--at",       kAt,
          "--json"};
}

nlohmann::json virtee_fields() {
  auto r = run_process({SNPRELAY_BIN, "report", "show", snp("milan_v2_virtee_report.bin"), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// Runs verify with `extra` flags; expects `exit_code` and, for a rejection, exactly `code` failures.
nlohmann::json verify_with(std::vector<std::string> extra, int exit_code) {
  auto args = virtee_args();
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_process(args);
  EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
  return r.exit_code == 2 || r.out.empty() ? nlohmann::json{{"stderr", r.err}} : nlohmann::json::parse(r.out);
}

TEST(AttestCli, VerifyExactFieldFlagsAcceptTheReportsOwnValues) {
  const auto f = virtee_fields();
  const auto j = verify_with(
      {"--host-data",
       f["host_data"].get<std::string>(),
       "--image-id",
       f["image_id"].get<std::string>(),
       "--family-id",
       f["family_id"].get<std::string>(),
       "--report-id",
       f["report_id"].get<std::string>(),
       "--report-id-ma",
       f["report_id_ma"].get<std::string>(),
       "--chip-id",
       f["chip_id"].get<std::string>(),
       "--report-data",
       f["report_data"].get<std::string>(),
       "--min-guest-svn",
       std::to_string(f["guest_svn"].get<int>()),
       "--min-build",
       std::to_string(f["current_build"].get<int>()),
       "--min-version",
       std::to_string(f["current_major"].get<int>()) + "." + std::to_string(f["current_minor"].get<int>()),
       "--min-launch-tcb",
       "bl=0",
       "--allow-chip-id-masked",
       "--allow-migrate-ma"},
      0);
  EXPECT_EQ(j["accepted"], true) << j.dump();
}

TEST(AttestCli, VerifyExactFieldFlagsRejectOtherValues) {
  for (const auto& [flag, hex_chars] :
       std::vector<std::pair<std::string, std::size_t>>{{"--host-data", 64},
                                                        {"--image-id", 32},
                                                        {"--family-id", 32},
                                                        {"--report-id", 64},
                                                        {"--report-id-ma", 64},
                                                        {"--chip-id", 128}}) {
    const auto j = verify_with({flag, std::string(hex_chars, '7')}, 1);
    ASSERT_EQ(j["failures"].size(), 1u) << flag << j.dump();
    EXPECT_EQ(j["failures"][0]["code"], "POLICY_VIOLATION") << flag;
  }
}

TEST(AttestCli, VerifyMinimumFlagsReportTheirFailureCodes) {
  auto code_of = [](const nlohmann::json& j) {
    return j["failures"].size() == 1 ? j["failures"][0]["code"].get<std::string>() : j.dump();
  };
  EXPECT_EQ(code_of(verify_with({"--min-guest-svn", "4294967295"}, 1)), "POLICY_VIOLATION");
  EXPECT_EQ(code_of(verify_with({"--min-build", "255"}, 1)), "TCB_BELOW_MINIMUM");
  EXPECT_EQ(code_of(verify_with({"--min-version", "255.255"}, 1)), "TCB_BELOW_MINIMUM");
  EXPECT_EQ(code_of(verify_with({"--min-launch-tcb", "bl=255"}, 1)), "TCB_BELOW_MINIMUM");
  EXPECT_EQ(code_of(verify_with({"--min-abi", "255.0"}, 1)), "POLICY_VIOLATION");
  EXPECT_EQ(code_of(verify_with({"--min-launch-mit-vector", "0x1"}, 1)), "POLICY_VIOLATION");
}

TEST(AttestCli, VerifyIdBlockFlags) {
  const auto f = virtee_fields();
  auto author = verify_with({"--require-author-key"}, 1);
  EXPECT_NE(author.dump().find("AUTHOR_KEY_DIGEST"), std::string::npos) << author.dump();
  auto id = verify_with({"--require-id-block", "--trusted-id-key-hash", std::string(96, 'e')}, 1);
  EXPECT_NE(id.dump().find("ID_KEY_DIGEST"), std::string::npos) << id.dump();
  verify_with({"--require-id-block", "--trusted-id-key-hash", std::string(96, 'e'), "--trusted-id-key-hash",
               f["id_key_digest"].get<std::string>()},
              0);
}

TEST(AttestCli, VerifyBadFlagValuesAreExit2NamingTheFlag) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--host-data", "zz"},
                                                        {"--host-data", std::string(62, 'a')},
                                                        {"--image-id", std::string(34, 'a')},
                                                        {"--family-id", "0x"},
                                                        {"--report-id", std::string(63, 'a')},
                                                        {"--report-id-ma", "xyz"},
                                                        {"--chip-id", std::string(126, 'a')},
                                                        {"--report-data", "12"},
                                                        {"--measurement", "12"},
                                                        {"--trusted-id-key-hash", std::string(94, 'a')},
                                                        {"--trusted-author-key-hash", "nothex"},
                                                        {"--min-guest-svn", "4294967296"},
                                                        {"--min-guest-svn", "-1"},
                                                        {"--min-build", "256"},
                                                        {"--min-build", "ten"},
                                                        {"--min-version", "1"},
                                                        {"--min-version", "1.256"},
                                                        {"--min-abi", "a.b"},
                                                        {"--min-launch-tcb", "bl=999"},
                                                        {"--min-launch-mit-vector", "0x10000000000000000"},
                                                        {"--min-current-mit-vector", "0xg"}}) {
    const auto j = verify_with({flag, value}, 2);
    EXPECT_NE(j["stderr"].get<std::string>().find(flag), std::string::npos)
        << flag << " " << value << ": " << j["stderr"];
  }
}

// A CRL whose nextUpdate is before --at is an input error (exit 2), not a verdict.
TEST(AttestCli, VerifyStaleCrlIsExit2) {
  auto args = virtee_args();
  args.push_back("--crl");
  args.push_back(snp("lookalike/milan_crl.der"));
  args[7] = "2045-06-01T00:00:00Z";  // --at after the CRL's nextUpdate (2045-01-01)
  auto stale = run_process(args);
  EXPECT_EQ(stale.exit_code, 2) << stale.out << stale.err;
  EXPECT_NE(stale.err.find("CRL expired at 2045-01-01T00:00:00Z"), std::string::npos) << stale.err;
  // Fresh at kAt: the look-alike CRL names ARK-Milan but is not signed by AMD's ARK-Milan.
  args[7] = kAt;
  auto fresh = run_process(args);
  EXPECT_EQ(fresh.exit_code, 1) << fresh.out << fresh.err;
  EXPECT_NE(fresh.out.find("CHAIN_UNTRUSTED"), std::string::npos) << fresh.out;
}

}  // namespace
