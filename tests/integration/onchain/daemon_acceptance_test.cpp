// Issue #13 acceptance for `snprelay start` on a devnet of its own, one daemon run through four phases:
//   1. the VCEK comes from the KDS stand-in (vcek_source = "kds"), which is rate-limited to 1 request a
//      second while another client keeps it busy: the daemon's fetch is answered 429 with Retry-After: 1,
//      it waits exactly that long (its log says so), and the epoch still lands. The generate route wants
//      the bearer token from [api] bearer_token_file; [log] format = "json" makes the log JSON lines.
//   2. the KDS stand-in is stopped: with the VCEK in the cache, the next epoch still lands (cache hits).
//   3. governance applies allowlist version 2 mid-run: the next attestation is verified against it (the
//      record on chain says version 2).
//   4. governance revokes the simulated measurement (version 3): the chain marks the operator REVOKED at
//      once, and the daemon does not broadcast: its self-check fails with the chain's code, health is
//      degraded and says why, and no record appears for the epochs after the revocation.
// At the end, every metric named by packaging/monitoring's alert rules and dashboard is in the scrape.
// Revoking the simulated measurement breaks every later simulated submission, hence this binary's own
// devnet (tests/chain_tests.cmake).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/integration/background_process.hpp"
#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/integration/onchain/relayer_setup.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class DaemonAcceptance : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(devnet_ready()); }

  Devnet& net() const { return OnchainEnv::devnet(); }
  std::string node() const { return net().rpc().at(0); }
  std::string url(const std::string& path) const { return setup_.api(path); }

  std::string log() const { return file_text(dir_.file("daemon.log")); }
  json get_json(const std::string& path) const { return api_json(url(path)); }

  // The newest epoch above `after` that the daemon's journal has committed, waiting up to `limit`.
  std::uint64_t committed_after(std::uint64_t after, seconds limit = seconds(90)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (daemon_->exited()) {
        ADD_FAILURE() << "the daemon exited:\n" << log();
        return 0;
      }
      const json status = get_json("/v1/status");
      for (const auto& e : status.value("epochs", json::array())) {
        if (e.value("state", "") == "committed" && e.value("epoch", 0ULL) > after)
          return e.value("epoch", 0ULL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ADD_FAILURE() << "no epoch above " << after << " committed within " << limit.count() << " s\n" << log();
    return 0;
  }

  json record(std::uint64_t epoch) const {
    return query_snpattest({"attestation", setup_.operator_address, std::to_string(epoch)}, node(),
                           setup_.keyring);
  }

  std::uint64_t metric(const std::string& series) const {
    const auto scrape = curl({url("/metrics")});
    const std::regex line("(^|\n)" + std::regex_replace(series, std::regex(R"([{}"])"), R"(\$&)") +
                          " ([0-9.e+]+)");
    std::smatch m;
    if (!std::regex_search(scrape.out, m, line))
      return 0;
    return static_cast<std::uint64_t>(std::stod(m[2].str()));
  }

  // Governance: onchain_env.hpp's apply_allowlist_update, its files in this case's directory.
  int apply_update(const std::vector<std::string>& change, const std::string& name) {
    return apply_allowlist_update(node(), setup_.keyring, dir_.path().string(), change, name);
  }

  testing::TempDir dir_{"daemon-acceptance"};
  RelayerSetup setup_;
  std::unique_ptr<BackgroundProcess> daemon_;
};

TEST_F(DaemonAcceptance, KdsRetryAfterAndOutageAllowlistUpdateAndRevocation) {
  // The KDS stand-in serving the devnet's simulated firmware, at most one request a second.
  auto kds = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{SNPRELAY_BIN, "sim", "kds", "--listen", "127.0.0.1:0", "--state",
                               net().sim_state(), "--rate-limit", "1"});
  const auto listening = kds->read_line(seconds(20));
  ASSERT_TRUE(listening && listening->starts_with("listening on ")) << listening.value_or("(nothing)");
  const std::string kds_base = "http://" + listening->substr(13) + "/vcek/v1";

  const std::string token_file = dir_.file("api-token");
  std::ofstream(token_file) << "acceptance-token\n";
  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  RelayerOptions options;
  options.kds_base_url = kds_base;
  options.sev_snp_extra = "vcek_source = \"kds\"\nkds_timeout = \"60s\"\n";
  options.api_extra = "bearer_token_file = \"" + token_file + "\"\n";
  options.sections = "[log]\nformat = \"json\"\n";  // the daemon's log as JSON lines, from the file
  setup_ = setup_relayer(dir_, net().rpc(), options);
  ASSERT_FALSE(HasFailure());
  for (const auto& s : net().info().at("signers")) {
    auto r = snprelay({"keys", "add", s.at("key_id").get<std::string>(), "--recover", "--mnemonic-file",
                       s.at("mnemonic").get<std::string>()},
                      setup_.keyring);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Phase 1: once an epoch is open, another client takes the stand-in's one request a second for four
  // seconds, from just before the daemon starts: its first VCEK fetch is answered 429 + Retry-After: 1.
  {
    auto client = client_for(net().rpc());
    const auto open_by = std::chrono::steady_clock::now() + seconds(60);
    while (!chain::rpc::query_current_epoch(*client).ok() && std::chrono::steady_clock::now() < open_by)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BackgroundProcess busy({"/usr/bin/curl", "-s", "--rate", "10/s", "-o", "/dev/null",
                          "http://" + listening->substr(13) + "/vcek/v1/Milan/cert_chain?n=[1-40]"},
                         dir_.file("busy.log"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  daemon_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{SNPRELAY_BIN, "start", "--config", setup_.config}, dir_.file("daemon.log"),
      seconds(40));
  const std::uint64_t first = committed_after(0);
  ASSERT_GT(first, 0u);
  EXPECT_NE(log().find("failed (HTTP 429); retrying in 1000 ms"), std::string::npos) << log();
  EXPECT_TRUE(record(first).value("simulated", false));
  const std::string lines = log();
  EXPECT_NE(lines.find(R"("component":"daemon")"), std::string::npos) << lines;
  EXPECT_TRUE(json::accept(lines.substr(0, lines.find('\n')))) << lines;

  // The generate route wants the token from bearer_token_file.
  const std::string body = R"({"nonce": "c25wcmVsYXk="})";
  auto no_token = curl({"-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                        url("/v1/attestation/generate"), "-H", "Content-Type: application/json", "-d", body});
  EXPECT_EQ(no_token.out, "401");
  auto with_token =
      curl({"-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url("/v1/attestation/generate"), "-H",
            "Authorization: Bearer acceptance-token", "-H", "Content-Type: application/json", "-d", body});
  EXPECT_EQ(with_token.out, "200");

  // Phase 2: the KDS is gone; the cached VCEK carries the next epoch.
  kds.reset();
  const std::uint64_t hits_before = metric("enclave_cert_cache_hits");
  const std::uint64_t second = committed_after(first);
  ASSERT_GT(second, first);
  EXPECT_GT(metric("enclave_cert_cache_hits"), hits_before);
  EXPECT_EQ(curl({"http://" + listening->substr(13) + "/_stats"}).exit_code, 7)
      << "the stand-in still answers";

  // Phase 3: allowlist version 2 (one more measurement) mid-run: the next attestation is verified
  // against it.
  const int v2 = apply_update({"--add", std::string(96, 'a') + ":image v2"}, "v2");
  ASSERT_EQ(v2, 2);
  std::uint64_t third = second;
  for (int i = 0; i < 3 && record(third).value("allowlist_version", 0) != 2; ++i) {
    third = committed_after(third);
    ASSERT_GT(third, 0u);
  }
  EXPECT_EQ(record(third).value("allowlist_version", 0), 2) << "epoch " << third;
  EXPECT_EQ(get_json("/health/enclave").value("allowlist_version", 0), 2);

  // Phase 4: the simulated measurement is revoked (version 3).
  auto measured = snprelay({"report", "get", "--simulate", "--sim-state", net().sim_state(), "--report-data",
                            "00", "-o", dir_.file("probe.report")});
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  auto m = snprelay({"allowlist", "measure", dir_.file("probe.report"), "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const std::string simulated = json_of(m).value("measurement", "");
  ASSERT_EQ(simulated.size(), 96u);
  const std::uint64_t submissions = metric(R"(snprelay_submissions_total{result="committed"})");
  ASSERT_EQ(apply_update({"--revoke", simulated}, "v3"), 3);
  EXPECT_EQ(query_snpattest({"status", setup_.operator_address}, node(), setup_.keyring).value("status", ""),
            "REVOKED");
  const std::uint64_t revoked_at = chain::rpc::query_current_epoch(*client_for(net().rpc()))->epoch;

  // The daemon syncs version 3, its self-check refuses the report, and health says why.
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  json health;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(daemon_->exited()) << log();
    health = get_json("/health/enclave");
    if (health.value("allowlist_version", 0) == 3 && health.value("status", "") == "degraded" &&
        metric(R"(snprelay_self_check_failures_total{code="MEASUREMENT_NOT_ALLOWED"})") > 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_EQ(health.value("status", ""), "degraded") << health.dump() << log();
  EXPECT_NE(health.dump().find("MEASUREMENT_NOT_ALLOWED"), std::string::npos) << health.dump();
  // Not broadcast: once an epoch opened after the revocation has been tried, no new committed
  // submission and no record for it.
  const std::uint64_t after = wait_for_new_epoch(*client_for(net().rpc()));
  ASSERT_GT(after, revoked_at);
  json status;
  const auto tried_by = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < tried_by) {
    status = get_json("/v1/status");
    if (status.value("last_epoch", 0ULL) >= after && status.value("last_status", "") == "self_check_failed")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_EQ(status.value("last_status", ""), "self_check_failed") << status.dump();
  EXPECT_EQ(metric(R"(snprelay_submissions_total{result="committed"})"), submissions);
  auto none = snprelay({"query", "snpattest", "attestation", setup_.operator_address, std::to_string(after),
                        "--node", node(), "--json"},
                       setup_.keyring);
  EXPECT_NE(none.exit_code, 0) << "epoch " << after << " has a record: " << none.out;
  for (const auto& e : status.value("epochs", json::array()))
    EXPECT_FALSE(e.value("epoch", 0ULL) >= after &&
                 (e.value("state", "") == "broadcast" || e.value("state", "") == "committed"))
        << e.dump();
  EXPECT_NE(log().find("not submitted"), std::string::npos) << log();
  EXPECT_EQ(query_snpattest({"status", setup_.operator_address}, node(), setup_.keyring).value("status", ""),
            "REVOKED");

  // Every metric the shipped alert rules and dashboard name is in this daemon's scrape.
  const std::string scrape = curl({url("/metrics")}).out;
  for (const char* file : {"/packaging/monitoring/alerts.yml", "/packaging/monitoring/dashboard.json"}) {
    const std::string text = file_text(std::string(SNPRELAY_SOURCE_DIR) + file);
    ASSERT_FALSE(text.empty()) << file;
    const std::regex metric(R"(\b(?:snprelay|enclave)_[a-z_]+)");
    std::set<std::string> named;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), metric); it != std::sregex_iterator(); ++it)
      named.insert(it->str());
    EXPECT_GE(named.size(), 5u) << file;
    for (const std::string& name : named)
      EXPECT_NE(scrape.find("# TYPE " + name + " "), std::string::npos) << file << " names " << name;
  }

  EXPECT_EQ(daemon_->stop(), 0) << log();
}

}  // namespace
}  // namespace snprelay::testing
