// A scripted CometBFT JSON-RPC node on loopback for the RPC client tests: a POSIX socket server on
// 127.0.0.1:<ephemeral>, one thread, one request per connection. The handler sees the JSON-RPC method
// and the full request body and returns the reply body (and an optional delay before replying).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace snprelay::testing {

struct FakeReply {
  std::string body;
  std::chrono::milliseconds delay{0};
};

class FakeNode {
 public:
  using Handler = std::function<FakeReply(const std::string& method, const nlohmann::json& request)>;

  explicit FakeNode(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeNode() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  FakeNode(const FakeNode&) = delete;
  FakeNode& operator=(const FakeNode&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::vector<nlohmann::json> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0)
        return;
      std::string data;
      char buf[4096];
      std::size_t want = std::string::npos;
      while (true) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0)
          break;
        data.append(buf, static_cast<std::size_t>(n));
        const auto hdr_end = data.find("\r\n\r\n");
        if (hdr_end != std::string::npos && want == std::string::npos) {
          const auto cl = data.find("Content-Length: ");
          want = hdr_end + 4 + (cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16)));
        }
        if (want != std::string::npos && data.size() >= want)
          break;
      }
      const auto hdr_end = data.find("\r\n\r\n");
      const auto req = nlohmann::json::parse(hdr_end == std::string::npos ? "{}" : data.substr(hdr_end + 4),
                                             nullptr, false);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      const std::string method =
          req.is_object() && req.contains("method") ? req["method"].get<std::string>() : "";
      FakeReply reply = handler_(method, req);
      // A node answers with the request's id (the client refuses a reply to another request).
      if (auto out = nlohmann::json::parse(reply.body, nullptr, false);
          out.is_object() && out.contains("id") && req.is_object() && req.contains("id")) {
        out["id"] = req["id"];
        reply.body = out.dump();
      }
      std::this_thread::sleep_for(reply.delay);
      const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" +
                               reply.body;
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<nlohmann::json> requests_;
};

// Reply helpers in CometBFT v0.38 shapes.
inline std::string ok_result(const nlohmann::json& result) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", result}}.dump();
}
inline std::string rpc_error(const std::string& message, const std::string& data) {
  return nlohmann::json{
      {"jsonrpc", "2.0"}, {"id", 1}, {"error", {{"code", -32603}, {"message", message}, {"data", data}}}}
      .dump();
}
inline std::string status_reply(const std::string& network, const std::string& block_time, bool catching_up) {
  return ok_result({{"node_info", {{"network", network}, {"version", "0.38.12"}, {"moniker", "fake"}}},
                    {"sync_info",
                     {{"latest_block_height", "1234"},
                      {"latest_block_hash", "AB"},
                      {"latest_block_time", block_time},
                      {"catching_up", catching_up}}}});
}

}  // namespace snprelay::testing
