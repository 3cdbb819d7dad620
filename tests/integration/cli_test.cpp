// The snprelay binary, end to end: exit codes, output formats and error messages are a contract.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../unit/temp_dir.hpp"
#include "run_process.hpp"

namespace snprelay {
namespace {

using testing::ProcessResult;
using testing::run_process;

const std::string kBin = SNPRELAY_BIN;
const std::string kData = SNPRELAY_TEST_DATA;

ProcessResult snprelay(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), kBin);
  return run_process(args, env);
}

std::string guide_with(const std::string& from, const std::string& to, const testing::TempDir& dir) {
  std::ifstream in(kData + "/config/guide-enclave.toml");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos);
  text.replace(pos, from.size(), to);
  const auto path = dir.file("enclave.toml");
  std::ofstream(path) << text;
  return path;
}

TEST(CliVersion, JsonListsLinkedLibraries) {
  auto r = snprelay({"version", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["version"].get<std::string>().empty());
  EXPECT_FALSE(j["git_commit"].get<std::string>().empty());
  EXPECT_FALSE(j["build_type"].get<std::string>().empty());
  for (const char* lib : {"openssl", "libcurl", "sqlite", "protobuf", "libsecp256k1", "tpm2-tss", "boost"}) {
    ASSERT_TRUE(j["libraries"].contains(lib)) << lib;
    const auto v = j["libraries"][lib].get<std::string>();
    EXPECT_FALSE(v.empty()) << lib;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(v[0]))) << lib << " = " << v;
  }
  EXPECT_EQ(j["libraries"]["openssl"].get<std::string>()[0], '3');
}

TEST(CliVersion, TextNamesLibraries) {
  auto r = snprelay({"version"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("snprelay "), std::string::npos);
  EXPECT_NE(r.out.find("  sqlite 3."), std::string::npos) << r.out;
}

TEST(CliConfigCheck, GuideFileIsValid) {
  auto r = snprelay({"config", "check", kData + "/config/guide-enclave.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[enclave.sev_snp]\n"), std::string::npos);
  EXPECT_NE(r.out.find("kds_timeout = \"30s\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("microcode = 115"), std::string::npos);
  EXPECT_NE(r.err.find("configuration is valid"), std::string::npos);
}

TEST(CliConfigCheck, MisspelledKeyExits2NamingKeyAndLine) {
  testing::TempDir dir;
  const auto path = guide_with("kds_timeout", "kds_timeut", dir);
  auto r = snprelay({"config", "check", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":9: unknown key enclave.sev_snp.kds_timeut"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliConfigCheck, OutOfRangeExits2NamingRange) {
  testing::TempDir dir;
  const auto path = guide_with("snp = 8", "snp = 300", dir);
  auto r = snprelay({"config", "check", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("enclave.sev_snp.min_tcb.snp = 300 is out of range (allowed: 0..255)"),
            std::string::npos)
      << r.err;
}

TEST(CliConfigCheck, EnvironmentOverrideShowsInJson) {
  auto r = snprelay({"config", "check", "--json", kData + "/config/guide-enclave.toml"},
                    {{"SNPRELAY_LOG_FORMAT", "json"}, {"SNPRELAY_ENCLAVE_SEV_SNP_MIN_TCB_SNP", "10"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["log"]["format"], "json");
  EXPECT_EQ(j["enclave"]["sev_snp"]["min_tcb"]["snp"], 10);
  EXPECT_EQ(j["enclave"]["hardware_mode"], "require");
}

TEST(CliConfigCheck, DebugInRequireModeRefused) {
  testing::TempDir dir;
  const auto path = guide_with("allow_debug_policy = false", "allow_debug_policy = true", dir);
  auto r = snprelay({"config", "check", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("config CONFLICT"), std::string::npos) << r.err;
}

TEST(CliConfigCheck, SecretsRedacted) {
  auto r = snprelay({"config", "check", kData + "/config/full.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_NE(r.out.find("<redacted>"), std::string::npos);
}

TEST(CliConfigCheck, MissingFileExits2) {
  auto r = snprelay({"config", "check", "/nonexistent/snprelay.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("config NOT_FOUND"), std::string::npos) << r.err;
}

TEST(CliUsage, BadInvocationsExit2) {
  EXPECT_EQ(snprelay({}).exit_code, 2);
  EXPECT_EQ(snprelay({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(snprelay({"config"}).exit_code, 2);
  EXPECT_EQ(snprelay({"config", "check"}).exit_code, 2);
  EXPECT_EQ(snprelay({"--log-level", "loud", "version"}).exit_code, 2);
}

TEST(CliUsage, HelpOnEveryCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"version", "--help"}, {"config", "--help"}, {"config", "check", "--help"}}) {
    auto r = snprelay(args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace snprelay
