// HTTP POST transport for JSON-RPC, and its libcurl implementation.
//
// HttpTransport is the seam below CometClient: post() sends one request and returns the status and
// body. Errors (component "rpc"): TRANSPORT (connect/resolve/send failure — the kind that triggers
// failover), TIMEOUT (no complete reply within `timeout`). A reply with any HTTP status is a value.
//
// CurlTransport: easy handles from common/curl_handle.hpp (http and https only, no redirects, TLS
// verified, `timeout` bounding the whole request). A URL of any other scheme is refused (rpc BAD_URL,
// kind kInput). A handle that finished a request cleanly goes back to a small idle pool (at most
// kIdleHandles) and keeps its connection: the next request to the same node reuses it (HTTP/1.1
// keep-alive; on a loopback CometBFT node that halves a query's round trip, 1.4 -> 0.7 ms). libcurl
// checks a kept connection before reuse and connects afresh when the node closed it, so a node that
// restarted costs one new connection, not an error. A handle whose request failed is closed, not kept.
// Thread-safety: post() may be called from several threads at once (each call has a handle of its
// own; the pool is guarded by a mutex).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "common/curl_handle.hpp"
#include "common/error.hpp"

namespace snprelay::chain::rpc {

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  [[nodiscard]] virtual Result<HttpResponse> post(const std::string& url, const std::string& body,
                                                  std::chrono::milliseconds timeout) = 0;
};

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  [[nodiscard]] Result<HttpResponse> post(const std::string& url, const std::string& body,
                                          std::chrono::milliseconds timeout) override;

  static constexpr std::size_t kIdleHandles = 4;

 private:
  [[nodiscard]] CurlPtr take(std::chrono::milliseconds timeout);  // an idle handle, or a new one
  void give_back(CurlPtr curl);

  std::mutex mu_;
  std::vector<CurlPtr> idle_;  // guarded by mu_
};

}  // namespace snprelay::chain::rpc
