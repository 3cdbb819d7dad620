// Issue #13: `snprelay start` as a process against the real devnet, in simulate mode: it attests
// epochs in a row by itself (each once on chain), serves the guide's curl line (a 1184-byte report whose
// REPORT_DATA is SHA-512 of the nonce), /health/enclave, /metrics and /v1/status, and stops cleanly on
// SIGTERM (exit 0).
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "common/base64.hpp"
#include "tests/integration/background_process.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

class DevnetDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_ready());
    setup_ = setup_relayer(dir_, OnchainEnv::devnet().rpc());
    ASSERT_FALSE(HasFailure());
    operator_ = setup_.operator_address;
    relayer_ = setup_.relayer;
    node_ = OnchainEnv::devnet().rpc().at(0);
    port_ = setup_.api_port;
    daemon_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{SNPRELAY_BIN, "start", "--config", setup_.config}, dir_.file("daemon.log"),
        std::chrono::seconds(40));  // SIGTERM lets the pass in progress finish (it may be confirming a tx)
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::string log() const { return file_text(dir_.file("daemon.log")); }
  json get_json(const std::string& path) const { return api_json(url(path)); }

  testing::TempDir dir_{"daemon"};
  RelayerSetup setup_;
  std::string operator_;
  std::string relayer_;
  std::string node_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> daemon_;
};

TEST_F(DevnetDaemon, AttestsEpochsInARowServesTheGuidesApiAndStopsOnSigterm) {
  // Epochs attested by the daemon alone, each visible once on chain.
  std::set<std::uint64_t> committed;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (committed.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(daemon_->exited()) << log();
    const json status = get_json("/v1/status");
    if (status.value("last_status", "") == "committed" || status.value("last_status", "") == "already_done")
      committed.insert(status.value("last_epoch", 0ULL));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_GE(committed.size(), 2u) << log();
  const json status = get_json("/v1/status");
  EXPECT_EQ(status.value("operator", ""), operator_);
  EXPECT_EQ(status.value("relayer", ""), relayer_);
  ASSERT_TRUE(status.contains("epochs") && status["epochs"].size() >= 2) << status.dump();
  EXPECT_EQ(status["epochs"][0].value("state", ""), "committed") << status.dump();
  for (const std::uint64_t e : committed) {
    const json rec = query_snpattest({"attestation", operator_, std::to_string(e)}, node_, dir_.file("keys"));
    EXPECT_EQ(rec.value("relayer", ""), relayer_) << e;
    EXPECT_TRUE(rec.value("simulated", false)) << e;
  }

  // The guide's curl line: raw report, REPORT_DATA = SHA-512(nonce).
  const Bytes nonce = {'s', 'n', 'p', 'r', 'e', 'l', 'a', 'y', '-', 't', 'e', 's', 't'};
  const std::string report_file = dir_.file("report.bin");
  auto gen =
      curl({"-X", "POST", url("/v1/attestation/generate"), "-H", "Content-Type: application/json", "-d",
            "{\"nonce\": \"" + encode_base64(nonce) + "\"}", "-o", report_file, "-w", "%{http_code}"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_EQ(gen.out, "200");
  std::ifstream in(report_file, std::ios::binary);
  const Bytes report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(report.size(), 1184u);
  std::array<std::uint8_t, 64> digest{};
  SHA512(nonce.data(), nonce.size(), digest.data());
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), report.begin() + 0x50));

  const json health = get_json("/health/enclave");
  EXPECT_EQ(health.value("status", ""), "healthy") << health.dump();
  EXPECT_EQ(health.value("platform", ""), "sev-snp");
  EXPECT_TRUE(health.value("simulated", false));
  EXPECT_FALSE(health.value("hardware_enabled", true));
  EXPECT_TRUE(health.value("chain_reachable", false));
  EXPECT_TRUE(health.contains("tcb") && health["tcb"].contains("microcode")) << health.dump();

  const auto metrics = curl({url("/metrics")});
  for (const char* name : {"enclave_attestation_requests_total", "enclave_attestation_failures_total",
                           "enclave_hardware_errors_total", "enclave_tcb_version", "enclave_cert_cache_hits",
                           "snprelay_epochs_total{outcome=\"committed\"}", "snprelay_journal_entries"})
    EXPECT_NE(metrics.out.find(name), std::string::npos) << name;
  // The simulated TCB (microcode 115) is what the gauge says, not the registration's 0.
  EXPECT_NE(metrics.out.find("enclave_tcb_version{component=\"microcode\"} 115"), std::string::npos)
      << metrics.out;

  // SIGTERM: the pass in progress finishes, the API drains, exit 0.
  EXPECT_EQ(daemon_->stop(), 0) << log();
  EXPECT_NE(log().find("stopped"), std::string::npos) << log();
}

}  // namespace
}  // namespace snprelay::testing
