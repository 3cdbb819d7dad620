// The KDS stand-in over real loopback HTTP, driven by the real KDS HTTP client: AMD's real Milan
// chain served from a directory, 400/404 answers, and each fault knob (rate limit with Retry-After,
// injected 5xx, latency) observed from the client side.
#include "attest/sim/kds_server.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../../unit/temp_dir.hpp"
#include "attest/kds/http_fetcher.hpp"

namespace snprelay::attest {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kData = SNPRELAY_TEST_DATA;

HttpFetcherOptions fast() {
  HttpFetcherOptions o;
  o.timeout = 2s;
  o.deadline = 10s;
  o.max_attempts = 3;
  o.initial_backoff = 20ms;
  o.max_backoff = 50ms;
  return o;
}

class KdsServerTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  void SetUp() override {
    fs::create_directories(dir.path() / "vcek/Milan");
    fs::copy_file(kData + "/snp/ask_ark_milan.pem", dir.path() / "vcek/Milan/cert_chain.pem");
  }
  std::unique_ptr<KdsServer> start(KdsServerOptions o = {}) {
    auto s = KdsServer::start(o, std::make_shared<DirectoryStore>(dir.path().string()));
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return std::move(s).value();
  }
  static std::string base(const KdsServer& s) {
    return "http://127.0.0.1:" + std::to_string(s.port()) + "/vcek/v1";
  }
};

TEST_F(KdsServerTest, ServesRealChainByteForByte) {
  auto server = start();
  HttpFetcher f(fast());
  auto body = f.fetch(base(*server) + "/Milan/cert_chain");
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  auto expected = read_file(kData + "/snp/ask_ark_milan.pem");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(*body, *expected);
  EXPECT_EQ(server->stats().chain, 1u);
  EXPECT_EQ(server->stats().requests, 1u);
}

TEST_F(KdsServerTest, UnknownCertificateIs404AndBadPathIs400) {
  auto server = start();
  HttpFetcher f(fast());
  auto missing = f.fetch(base(*server) + "/Genoa/cert_chain");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("HTTP 404"), std::string::npos);
  auto bad = f.fetch(base(*server) + "/Milan/nothex?blSPL=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("HTTP 400"), std::string::npos);
  EXPECT_EQ(server->stats().errors, 2u);
}

TEST_F(KdsServerTest, RateLimitAnswers429WithRetryAfterThatTheClientHonours) {
  KdsServerOptions o;
  o.rate_limit = 1;
  o.retry_after = 1;
  auto server = start(o);
  HttpFetcher f(fast());
  ASSERT_TRUE(f.fetch(base(*server) + "/Milan/cert_chain").ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto second = f.fetch(base(*server) + "/Milan/cert_chain");  // 429 first, then allowed after Retry-After
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_GE(waited, 900ms);
  EXPECT_EQ(server->stats().requests, 3u);
  EXPECT_EQ(server->stats().errors, 1u);
}

TEST_F(KdsServerTest, InjectedFailuresExhaustTheRetryBudget) {
  KdsServerOptions o;
  o.fail_rate = 1.0;
  auto server = start(o);
  HttpFetcher f(fast());
  auto r = f.fetch(base(*server) + "/Milan/cert_chain");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KDS_UNAVAILABLE");
  EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(server->stats().requests, 3u);
}

TEST_F(KdsServerTest, LatencyDelaysAnswers) {
  KdsServerOptions o;
  o.latency = 300ms;
  auto server = start(o);
  HttpFetcher f(fast());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(f.fetch(base(*server) + "/Milan/cert_chain").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 290ms);
}

TEST_F(KdsServerTest, StatsEndpointIsNotCounted) {
  auto server = start();
  HttpFetcher f(fast());
  ASSERT_TRUE(f.fetch(base(*server) + "/Milan/cert_chain").ok());
  auto stats = f.fetch("http://127.0.0.1:" + std::to_string(server->port()) + "/_stats");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(std::string(stats->begin(), stats->end()),
            "{\"requests\":1,\"vcek\":0,\"chain\":1,\"crl\":0,\"errors\":0}");
}

TEST_F(KdsServerTest, PortInUseIsReported) {
  auto first = start();
  KdsServerOptions o;
  o.port = first->port();
  auto second = KdsServer::start(o, std::make_shared<DirectoryStore>(dir.path().string()));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "BIND_FAILED");
}

}  // namespace
}  // namespace snprelay::attest
