// The acceptance loop from the command line alone: `report get` from the simulated firmware, the
// stand-in KDS serving that firmware (`sim kds --state`), `fetch vcek` through the real KDS client
// and cache, and `verify` — accepted with the simulated root trusted explicitly, CHAIN_UNTRUSTED
// without it. Plus `key derive` and the simulated markings on standard error.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../../unit/temp_dir.hpp"
#include "../background_process.hpp"
#include "../run_process.hpp"
#include "common/hex.hpp"

namespace snprelay {
namespace {

namespace fs = std::filesystem;
const std::string kBin = SNPRELAY_BIN;
const std::string kData = SNPRELAY_TEST_DATA;

class CliLoopTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string state = dir.file("sim");

  void SetUp() override {
    // Fixed test RSA keys: the firmware then only mints certificates (RSA-4096 generation takes seconds).
    fs::create_directories(state);
    fs::copy_file(kData + "/snp/lookalike/ark_key.pem", state + "/ark.key");
    fs::copy_file(kData + "/snp/lookalike/ask_key.pem", state + "/ask.key");
  }
  testing::ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), kBin);
    return testing::run_process(args);
  }
};

TEST_F(CliLoopTest, ReportGetFetchVcekVerify) {
  for (const std::string version : {"2", "3", "5"}) {
    const std::string report = dir.file("report-v" + version + ".bin");
    auto got = run({"report", "get", "--simulate", "--sim-state", state, "--sim-version", version, "--nonce",
                    "c0ffee", "-o", report});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_NE(got.err.find("SIMULATED"), std::string::npos);
    EXPECT_EQ(fs::file_size(report), 1184u);

    testing::BackgroundProcess kds({kBin, "sim", "kds", "--listen", "127.0.0.1:0", "--state", state});
    auto line = kds.read_line();
    ASSERT_TRUE(line.has_value());
    const std::string base = "http://" + line->substr(std::string("listening on ").size()) + "/vcek/v1";
    const std::string vcek = dir.file("vcek-v" + version + ".der");
    auto fetched = run({"fetch", "vcek", "--report", report, "--product", "Milan", "--kds", base, "--cache",
                        dir.file("cache"), "--out", vcek});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;

    // REPORT_DATA = SHA-512(nonce), so the verifier can check the binding too.
    const Bytes nonce = *from_hex("c0ffee");
    std::uint8_t digest[64];
    SHA512(nonce.data(), nonce.size(), digest);
    auto accepted = run({"verify", "--report", report, "--vcek", vcek, "--chain", state + "/ask.pem",
                         "--trust-root", state + "/ark.pem", "--report-data",
                         to_hex(std::span<const std::uint8_t>(digest, 64)), "--json"});
    EXPECT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;
    EXPECT_TRUE(nlohmann::json::parse(accepted.out)["accepted"].get<bool>());

    auto untrusted =
        run({"verify", "--report", report, "--vcek", vcek, "--chain", state + "/ask.pem", "--json"});
    EXPECT_EQ(untrusted.exit_code, 1);
    const auto j = nlohmann::json::parse(untrusted.out);
    EXPECT_FALSE(j["accepted"].get<bool>());
    EXPECT_EQ(j["failures"][0]["code"], "CHAIN_UNTRUSTED");
  }
}

TEST_F(CliLoopTest, HostCertificatesAreWrittenOut) {
  auto got = run({"report", "get", "--simulate", "--sim-state", state, "--report-data", "01", "-o",
                  dir.file("r.bin"), "--certs-out", dir.file("certs"), "--json"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  const auto j = nlohmann::json::parse(got.out);
  EXPECT_TRUE(j["simulated"].get<bool>());
  EXPECT_EQ(j["backend"], "simulated");
  EXPECT_EQ(j["report_data"].get<std::string>(), "01" + std::string(126, '0'));
  EXPECT_EQ(j["certs"].size(), 3u);
  for (const char* f : {"vcek.der", "ask.der", "ark.der"})
    EXPECT_TRUE(fs::exists(dir.file("certs") + "/" + f)) << f;
  auto shown = run({"report", "show", dir.file("r.bin"), "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out)["report_data"].get<std::string>().substr(0, 4), "0100");
}

TEST_F(CliLoopTest, KeyDeriveDependsOnMeasurement) {
  auto a = run({"key", "derive", "--simulate", "--sim-state", state, "--json"});
  auto b = run({"key", "derive", "--simulate", "--sim-state", state, "--json"});
  auto c = run({"key", "derive", "--simulate", "--sim-state", state, "--json", "--sim-measurement",
                std::string(96, 'a')});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto ka = nlohmann::json::parse(a.out);
  EXPECT_EQ(ka["key"].get<std::string>().size(), 64u);
  EXPECT_TRUE(ka["simulated"].get<bool>());
  EXPECT_EQ(ka["key"], nlohmann::json::parse(b.out)["key"]);
  EXPECT_NE(ka["key"], nlohmann::json::parse(c.out)["key"]);
  auto policy_only = run({"key", "derive", "--simulate", "--sim-state", state, "--fields", "policy"});
  EXPECT_EQ(policy_only.exit_code, 0);
  EXPECT_EQ(policy_only.out.size(), 65u);  // 64 hex digits and a newline
}

TEST_F(CliLoopTest, InputErrorsExit2) {
  EXPECT_EQ(run({"report", "get", "-o", dir.file("r")}).exit_code, 2);                // no source named
  EXPECT_EQ(run({"report", "get", "--simulate", "-o", dir.file("r")}).exit_code, 2);  // no --sim-state
  auto bad_hex =
      run({"report", "get", "--simulate", "--sim-state", state, "--report-data", "xyz", "-o", dir.file("r")});
  EXPECT_EQ(bad_hex.exit_code, 2);
  EXPECT_NE(bad_hex.err.find("--report-data"), std::string::npos);
  auto too_long = run({"report", "get", "--simulate", "--sim-state", state, "--report-data",
                       std::string(130, 'a'), "-o", "x"});
  EXPECT_EQ(too_long.exit_code, 2);
  auto field = run({"key", "derive", "--simulate", "--sim-state", state, "--fields", "colour"});
  EXPECT_EQ(field.exit_code, 2);
  EXPECT_NE(field.err.find("unknown field \"colour\""), std::string::npos);
  auto version = run({"report", "get", "--simulate", "--sim-state", state, "--sim-version", "4", "-o", "x"});
  EXPECT_NE(version.exit_code, 0);
  EXPECT_NE(version.err.find("not one of 2, 3, 5"), std::string::npos);
}

TEST_F(CliLoopTest, RequireModeFailsWithoutHardwareAndExplains) {
  const std::string config = dir.file("enclave.toml");
  std::ofstream(config) << "[enclave]\nhardware_mode = \"require\"\n[enclave.sev_snp]\ndevice = \""
                        << dir.file("no-sev-guest") << "\"\nconfigfs_path = \"" << dir.file("no-tsm")
                        << "\"\n";
  auto r = run({"report", "get", "--config", config, "-o", dir.file("r")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("NO_SNP_HARDWARE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CONFIG_SEV_GUEST"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("r")));
}

TEST_F(CliLoopTest, AutoModeFallsBackToSimulationLoudly) {
  const std::string config = dir.file("enclave.toml");
  std::ofstream(config) << "[enclave]\nhardware_mode = \"auto\"\n[enclave.sev_snp]\ndevice = \""
                        << dir.file("no-sev-guest") << "\"\nconfigfs_path = \"" << dir.file("no-tsm")
                        << "\"\nsim_state_dir = \"" << state << "\"\n";
  auto r = run({"report", "get", "--config", config, "-o", dir.file("r")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("SIMULATED firmware (hardware_mode = \"auto\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace snprelay
