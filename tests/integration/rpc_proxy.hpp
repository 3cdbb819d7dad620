// A JSON-RPC fault injector for the daemon's tests: an HTTP/1.1 proxy on 127.0.0.1 (a port the kernel
// picks) in front of one real CometBFT node. Requests are forwarded unchanged, one upstream connection
// each, except those whose JSON-RPC "method" is held: they wait (never forwarded) until release() or
// the proxy's destruction. That freezes a client at an exact step — e.g. holding "broadcast_tx_sync"
// stops the relayer after its journal recorded the signed bytes and before the node saw them — so a
// test can SIGKILL it there. Counts of requests seen per method are kept.
// Fault modes for the fault matrix (tests/integration/faults), off unless asked for: answer() makes the
// proxy itself reply to a method with a canned HTTP status and body (garbage, wrong JSON) without
// forwarding, and delay() forwards a method only after a pause (a slow node); clear_faults() ends both.
// A held method waits first; a canned answer wins over a delay for the same request.
// Two hooks compute a fault from the request itself (both off until asked for, ended by clear_faults()):
// respond() answers a method with a JSON body of its own making (e.g. a JSON-RPC error carrying the
// request's id) or lets the request through; rewrite() forwards and then replaces the node's reply body
// (e.g. a forged or stale query result) before the client sees it.
// Every connection gets its own thread; the destructor stops accepting, releases held requests, and
// joins. Test-only code (tests/integration), never linked into the product.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace snprelay::testing {

class RpcProxy {
 public:
  RpcProxy(std::string upstream_host, int upstream_port)
      : host_(std::move(upstream_host)), upstream_port_(upstream_port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0)
      std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  RpcProxy(const RpcProxy&) = delete;
  RpcProxy& operator=(const RpcProxy&) = delete;
  ~RpcProxy() {
    stop_ = true;
    release();
    accept_thread_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers)
      t.join();
    ::close(fd_);
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Requests with this JSON-RPC method wait from now on.
  void hold(const std::string& method) {
    std::lock_guard lock(mu_);
    held_.insert(method);
  }
  // Held requests go on; nothing is held any more.
  void release() {
    {
      std::lock_guard lock(mu_);
      held_.clear();
      ++generation_;
    }
    cv_.notify_all();
  }
  // Held requests are dropped (their connections closed, nothing forwarded): what a client killed
  // while waiting would leave behind. Nothing is held any more.
  void discard() {
    {
      std::lock_guard lock(mu_);
      held_.clear();
      discard_generation_ = ++generation_;
    }
    cv_.notify_all();
  }
  // From now on, requests of `method` ("*": every method) are answered by the proxy with HTTP `status`
  // and `body` (Content-Length framed, then the connection is closed); nothing is forwarded.
  void answer(const std::string& method, int status, std::string body) {
    std::lock_guard lock(mu_);
    canned_[method] = {status, std::move(body)};
  }
  // From now on, requests of `method` ("*": every method) are forwarded after `pause` (cut short only
  // by the proxy's destruction).
  void delay(const std::string& method, std::chrono::milliseconds pause) {
    std::lock_guard lock(mu_);
    delays_[method] = pause;
  }
  // The request's JSON-RPC body -> the JSON body to answer it with (HTTP 200, nothing forwarded), or
  // nullopt to forward it as usual. Called on the connection's thread, never two at once.
  using Responder = std::function<std::optional<std::string>(const std::string& request_body)>;
  // The request's JSON-RPC body and the node's reply body -> the body the client gets instead (HTTP 200).
  using Rewriter = std::function<std::string(const std::string& request_body, const std::string& reply_body)>;
  // From now on, requests of `method` ("*": every method) go to `fn` first (a canned answer() wins).
  void respond(const std::string& method, Responder fn) {
    std::lock_guard lock(mu_);
    responders_[method] = std::move(fn);
  }
  // From now on, the node's replies to `method` ("*": every method) pass through `fn`.
  void rewrite(const std::string& method, Rewriter fn) {
    std::lock_guard lock(mu_);
    rewriters_[method] = std::move(fn);
  }
  // Ends every answer(), delay(), respond() and rewrite(); held methods are unaffected.
  void clear_faults() {
    std::lock_guard lock(mu_);
    canned_.clear();
    delays_.clear();
    responders_.clear();
    rewriters_.clear();
  }
  // How many requests of `method` arrived (held or forwarded).
  [[nodiscard]] int seen(const std::string& method) const {
    std::lock_guard lock(mu_);
    const auto it = seen_.find(method);
    return it == seen_.end() ? 0 : it->second;
  }
  // How many requests are waiting right now.
  [[nodiscard]] int waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  static bool write_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  // One HTTP message (headers + Content-Length body) from `fd`, with `buffer` carrying leftovers;
  // nullopt when the peer closes or `stop` is set.
  static std::optional<std::string> read_message(int fd, std::string& buffer, const std::atomic<bool>& stop) {
    while (!stop) {
      const auto end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        std::string lower = buffer.substr(0, end);
        for (auto& c : lower)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const auto cl = lower.find("content-length:"); cl != std::string::npos)
          length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
        if (buffer.size() >= end + 4 + length) {
          std::string message = buffer.substr(0, end + 4 + length);
          buffer.erase(0, end + 4 + length);
          return message;
        }
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0)
        continue;
      char chunk[16384];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0)
        return std::nullopt;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    return std::nullopt;
  }

  static std::string method_of(const std::string& message) {
    const auto key = message.find("\"method\"");
    if (key == std::string::npos)
      return "";
    const auto open = message.find('"', message.find(':', key) + 1);
    const auto close = message.find('"', open + 1);
    return open == std::string::npos || close == std::string::npos
               ? ""
               : message.substr(open + 1, close - open - 1);
  }

  // Sends `request` upstream with "Connection: close" and returns the whole response as sent (length-
  // delimited or chunked: whatever the node wrote until it closed).
  std::optional<std::string> forward(const std::string& request) const {
    const int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(upstream_port_));
    ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    const auto line_end = request.find("\r\n");
    const std::string closing =
        request.substr(0, line_end + 2) + "Connection: close\r\n" + request.substr(line_end + 2);
    std::optional<std::string> response;
    if (::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && write_all(up, closing)) {
      std::string all;
      while (!stop_) {
        pollfd p{up, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0)
          continue;
        char chunk[16384];
        const ssize_t n = ::recv(up, chunk, sizeof chunk, 0);
        if (n <= 0)
          break;
        all.append(chunk, static_cast<std::size_t>(n));
      }
      if (!all.empty())
        response = std::move(all);
    }
    ::close(up);
    return response;
  }

  // An HTTP 200 JSON reply framed by Content-Length, the connection kept open.
  static std::string json_reply(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  // The body of a whole HTTP response as read by forward(): Content-Length or chunked, or everything
  // after the header when neither (the node closed the connection); "" when malformed.
  static std::string body_of(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    if (end == std::string::npos)
      return "";
    std::string head = response.substr(0, end);
    for (auto& c : head)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string rest = response.substr(end + 4);
    if (head.find("transfer-encoding: chunked") == std::string::npos)
      return rest;
    std::string body;
    std::size_t at = 0;
    for (;;) {
      const auto line = rest.find("\r\n", at);
      if (line == std::string::npos)
        return "";
      const std::size_t size = std::strtoul(rest.substr(at, line - at).c_str(), nullptr, 16);
      if (size == 0 || line + 2 + size > rest.size())
        return body;
      body += rest.substr(line + 2, size);
      at = line + 2 + size + 2;
    }
  }
  static std::string body_of_request(const std::string& request) {
    const auto end = request.find("\r\n\r\n");
    return end == std::string::npos ? "" : request.substr(end + 4);
  }

  void serve(int client) {
    std::string buffer;
    while (!stop_) {
      auto request = read_message(client, buffer, stop_);
      if (!request)
        break;
      const std::string method = method_of(*request);
      Rewriter rewriter;
      {
        std::unique_lock lock(mu_);
        ++seen_[method];
        if (held_.contains(method)) {
          ++waiting_;
          const auto gen = generation_;
          cv_.wait(lock, [&] { return stop_ || generation_ != gen; });
          --waiting_;
          if (stop_ || discard_generation_ == generation_)
            break;
        }
        if (const auto* canned = fault_for(canned_, method)) {
          const std::string reply = "HTTP/1.1 " + std::to_string(canned->first) +
                                    " Fault\r\nContent-Type: text/plain\r\nContent-Length: " +
                                    std::to_string(canned->second.size()) + "\r\nConnection: close\r\n\r\n" +
                                    canned->second;
          lock.unlock();
          write_all(client, reply);
          break;
        }
        if (const auto* responder = fault_for(responders_, method)) {
          const Responder fn = *responder;
          lock.unlock();
          if (const auto body = fn(body_of_request(*request))) {
            if (!write_all(client, json_reply(*body)))
              break;
            continue;
          }
          lock.lock();
        }
        if (const auto* found = fault_for(rewriters_, method))
          rewriter = *found;
        if (const auto* pause = fault_for(delays_, method)) {
          const auto until = std::chrono::steady_clock::now() + *pause;
          cv_.wait_until(lock, until, [&] { return stop_.load(); });
          if (stop_)
            break;
        }
      }
      auto response = forward(*request);
      if (response && rewriter)
        response = json_reply(rewriter(body_of_request(*request), body_of(*response)));
      if (!response || !write_all(client, *response))
        break;
    }
    ::close(client);
  }

  // The fault configured for `method`, else for "*", else nullptr (mu_ held).
  template <typename Map>
  static const typename Map::mapped_type* fault_for(const Map& faults, const std::string& method) {
    if (const auto it = faults.find(method); it != faults.end())
      return &it->second;
    if (const auto it = faults.find("*"); it != faults.end())
      return &it->second;
    return nullptr;
  }

  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0)
        continue;
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0)
        continue;
      std::lock_guard lock(mu_);
      workers_.emplace_back([this, client] { serve(client); });
    }
  }

  std::string host_;
  int upstream_port_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> workers_;
  std::set<std::string> held_;
  std::map<std::string, int> seen_;
  int waiting_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t discard_generation_ = 0;                       // generation_ at the last discard()
  std::map<std::string, std::pair<int, std::string>> canned_;  // answer(): method -> (status, body)
  std::map<std::string, std::chrono::milliseconds> delays_;    // delay(): method -> pause
  std::map<std::string, Responder> responders_;                // respond(): method -> fn
  std::map<std::string, Rewriter> rewriters_;                  // rewrite(): method -> fn
};

// A proxy in front of the loopback node at `rpc` ("http://127.0.0.1:PORT").
inline std::unique_ptr<RpcProxy> proxy_for(const std::string& rpc) {
  return std::make_unique<RpcProxy>("127.0.0.1", std::stoi(rpc.substr(rpc.rfind(':') + 1)));
}

}  // namespace snprelay::testing
