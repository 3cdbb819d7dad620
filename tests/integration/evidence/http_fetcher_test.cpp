// HttpFetcher over real loopback HTTP: success, Retry-After honoured (measured), 5xx retried until
// the budget is spent, 404 not retried, oversized bodies refused, a dead port reported.
#include "attest/kds/http_fetcher.hpp"

#include <gtest/gtest.h>

#include "../loopback_http.hpp"

namespace snprelay::attest {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackHttp;
using testing::ScriptedResponse;

HttpFetcherOptions fast() {
  HttpFetcherOptions o;
  o.timeout = 2s;
  o.deadline = 10s;
  o.max_attempts = 4;
  o.initial_backoff = 20ms;
  o.max_backoff = 100ms;
  return o;
}

TEST(HttpFetcher, FetchesBody) {
  LoopbackHttp server({{200, "DER-BYTES", {}}});
  HttpFetcher f(fast());
  auto r = f.fetch(server.base() + "/vcek/v1/Milan/cert_chain");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(std::string(r->begin(), r->end()), "DER-BYTES");
  ASSERT_EQ(server.count(), 1u);
  EXPECT_EQ(server.requests()[0], "GET /vcek/v1/Milan/cert_chain HTTP/1.1");
}

TEST(HttpFetcher, HonoursRetryAfterOn429) {
  LoopbackHttp server({{429, "slow down", {"Retry-After: 1"}}, {200, "OK", {}}});
  HttpFetcher f(fast());
  auto r = f.fetch(server.base() + "/x");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(server.count(), 2u);
  const auto gap = server.times()[1] - server.times()[0];
  EXPECT_GE(gap, 950ms);  // waited the server's Retry-After, not the 20 ms backoff
  EXPECT_LT(gap, 3s);
}

TEST(HttpFetcher, RetriesServerErrorsThenFailsClearly) {
  LoopbackHttp server({{503, "down", {}}, {500, "down", {}}});
  HttpFetcher f(fast());
  const std::string url = server.base() + "/vcek/v1/Milan/abc";
  auto r = f.fetch(url);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KDS_UNAVAILABLE");
  EXPECT_NE(r.error().message.find("after 4 attempt(s)"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_NE(r.error().message.find(url), std::string::npos);
  EXPECT_EQ(server.count(), 4u);
  EXPECT_EQ(f.requests_sent(), 4u);
}

TEST(HttpFetcher, RecoversAfterTransientError) {
  LoopbackHttp server({{502, "", {}}, {200, "good", {}}});
  HttpFetcher f(fast());
  auto r = f.fetch(server.base() + "/x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(server.count(), 2u);
}

TEST(HttpFetcher, NotFoundIsFinal) {
  LoopbackHttp server({{404, "no such chip", {}}});
  HttpFetcher f(fast());
  auto r = f.fetch(server.base() + "/vcek/v1/Milan/00");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KDS_HTTP_STATUS");
  EXPECT_NE(r.error().message.find("HTTP 404"), std::string::npos);
  EXPECT_EQ(server.count(), 1u);
}

TEST(HttpFetcher, OversizedBodyRefused) {
  LoopbackHttp server({{200, std::string(2 << 20, 'x'), {}}});
  HttpFetcher f(fast());
  auto r = f.fetch(server.base() + "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("1 MiB"), std::string::npos);
}

TEST(HttpFetcher, DeadlineStopsLongRetryAfter) {
  LoopbackHttp server({{429, "", {"Retry-After: 3600"}}});
  HttpFetcher f(fast());
  const auto start = std::chrono::steady_clock::now();
  auto r = f.fetch(server.base() + "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_NE(r.error().message.find("deadline"), std::string::npos) << r.error().message;
}

TEST(HttpFetcher, RefusedConnectionIsRetriedThenReported) {
  int port = 0;
  {
    LoopbackHttp gone({{200, "", {}}});
    port = std::stoi(gone.base().substr(17));
  }
  HttpFetcherOptions o = fast();
  o.max_attempts = 2;
  HttpFetcher f(o);
  auto r = f.fetch("http://127.0.0.1:" + std::to_string(port) + "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KDS_UNAVAILABLE");
  EXPECT_NE(r.error().message.find("curl error"), std::string::npos);
}

TEST(HttpFetcher, NonHttpUrlRefused) {
  HttpFetcher f(fast());
  auto r = f.fetch("file:///etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_URL");
}

}  // namespace
}  // namespace snprelay::attest
