// HttpFetcher over real loopback HTTP: success, Retry-After honoured (measured), 5xx retried until
// the budget is spent, 404 not retried, oversized bodies refused, a dead port reported.
#include "attest/kds/http_fetcher.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

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

// A loopback port that accepts connections (the kernel's backlog) but never answers: a KDS that hangs.
class SilentPort {
 public:
  SilentPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  SilentPort(const SilentPort&) = delete;
  SilentPort& operator=(const SilentPort&) = delete;
  ~SilentPort() { ::close(fd_); }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Issue 11 point 8: against a hanging KDS each try had the full timeout, so `--timeout` bounded each
// try and not the fetch (3 tries of 1 s ran past a 2.5 s deadline), and retries were silent.
TEST(HttpFetcher, HangingKdsGivesUpAtTheOneOverallDeadlineAndLogsEachRetry) {
  SilentPort kds;
  HttpFetcherOptions o = fast();
  o.timeout = 1s;
  o.deadline = 2500ms;
  o.max_attempts = 6;
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(32);
  auto saved = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  HttpFetcher f(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = f.fetch(kds.url());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  spdlog::set_default_logger(saved);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KDS_UNAVAILABLE");
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(elapsed, 2s);
  EXPECT_LT(elapsed, 2800ms) << "the deadline bounds the whole fetch";
  const auto lines = sink->last_formatted();
  ASSERT_GE(lines.size(), 2U);
  EXPECT_NE(lines[0].find("attempt 1 of 6 failed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("attempt 2 of 6 failed"), std::string::npos) << lines[1];
}

// The RPC transport and the KDS fetcher share one libcurl set-up: no scheme but http and https.
TEST(HttpFetcher, OtherSchemesAreRefusedBeforeAnyRequest) {
  HttpFetcher f(fast());
  for (const char* url : {"ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http://", "dict://127.0.0.1/"}) {
    auto r = f.fetch(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, "BAD_URL") << url;
  }
  EXPECT_EQ(f.requests_sent(), 0U);
}

}  // namespace
}  // namespace snprelay::attest
