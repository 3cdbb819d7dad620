// CurlTransport's kept connections, against a raw HTTP/1.1 server on a loopback socket that counts the
// connections it accepts: requests in a row share one connection, and a server that drops a connection
// after answering (as a restarted node does) costs a new connection, never a failed request.
#include "chain/rpc/curl_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace snprelay::chain::rpc {
namespace {

using namespace std::chrono_literals;

// Answers every request on a connection with `{"n": <request number>}` and keeps the connection, or
// closes it after one answer when `drop_after_answer` (without saying so in a Connection header).
class KeepAliveServer {
 public:
  explicit KeepAliveServer(bool drop_after_answer) : drop_(drop_after_answer) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0)
      std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  KeepAliveServer(const KeepAliveServer&) = delete;
  KeepAliveServer& operator=(const KeepAliveServer&) = delete;
  ~KeepAliveServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  [[nodiscard]] int connections() const { return connections_; }

 private:
  // Serves one connection until the client closes it (or after one answer when dropping).
  void serve_connection(int c) {
    std::string in;
    char buf[4096];
    while (!stop_) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0)
        break;
      in.append(buf, static_cast<std::size_t>(n));
      const auto head_end = in.find("\r\n\r\n");
      if (head_end == std::string::npos)
        continue;
      const auto cl = in.find("Content-Length: ");
      const std::size_t body = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
      if (in.size() < head_end + 4 + body)
        continue;
      in.erase(0, head_end + 4 + body);
      const std::string reply = "{\"n\": " + std::to_string(++requests_) + "}";
      const std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(reply.size()) + "\r\n\r\n" + reply;
      if (::write(c, out.data(), out.size()) != static_cast<ssize_t>(out.size()) || drop_)
        break;
    }
    ::close(c);
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0)
        continue;
      ++connections_;
      serve_connection(c);  // one at a time: the client under test sends one request at a time
    }
  }

  bool drop_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  int requests_ = 0;
  std::thread thread_;
};

TEST(CurlTransport, RequestsInARowShareOneConnection) {
  KeepAliveServer server(false);
  CurlTransport transport;
  for (int i = 1; i <= 3; ++i) {
    auto r = transport.post(server.url(), R"({"jsonrpc":"2.0"})", 2s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"n\": " + std::to_string(i) + "}");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransport, ADroppedConnectionCostsANewOneNotAnError) {
  KeepAliveServer server(true);
  CurlTransport transport;
  for (int i = 1; i <= 3; ++i) {
    auto r = transport.post(server.url(), R"({"jsonrpc":"2.0"})", 2s);
    ASSERT_TRUE(r.ok()) << "request " << i << ": " << r.error().to_string();
    EXPECT_EQ(r->body, "{\"n\": " + std::to_string(i) + "}");
  }
  EXPECT_EQ(server.connections(), 3);
}

}  // namespace
}  // namespace snprelay::chain::rpc
