// A scripted HTTP/1.1 server on 127.0.0.1 (a port the kernel picks) for client tests: each
// connection reads one request, answers with the next scripted response (or the last one, repeated),
// and closes. It records every request line and arrival time. Stopped and joined by its destructor.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace snprelay::testing {

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
};

class LoopbackHttp {
 public:
  explicit LoopbackHttp(std::vector<ScriptedResponse> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  LoopbackHttp(const LoopbackHttp&) = delete;
  LoopbackHttp& operator=(const LoopbackHttp&) = delete;
  ~LoopbackHttp() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::size_t count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  [[nodiscard]] std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> times() const {
    std::lock_guard lock(mutex_);
    return times_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(req.substr(0, req.find("\r\n")));
        times_.push_back(std::chrono::steady_clock::now());
        index = std::min(requests_.size() - 1, script_.size() - 1);
      }
      const ScriptedResponse& r = script_[index];
      std::string out = "HTTP/1.1 " + std::to_string(r.status) +
                        " X\r\nContent-Length: " + std::to_string(r.body.size()) +
                        "\r\nConnection: close\r\n";
      for (const auto& h : r.headers)
        out += h + "\r\n";
      out += "\r\n" + r.body;
      (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::vector<ScriptedResponse> script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

}  // namespace snprelay::testing
