// HTTP POST transport for JSON-RPC, and its libcurl implementation.
//
// HttpTransport is the seam below CometClient: post() sends one request and returns the status and
// body. Errors (component "rpc"): TRANSPORT (connect/resolve/send failure — the kind that triggers
// failover), TIMEOUT (no complete reply within `timeout`). A reply with any HTTP status is a value.
//
// CurlTransport: one easy handle per call from common/curl_handle.hpp (http and https only, no
// redirects, TLS verified, `timeout` bounding the whole request). A URL of any other scheme is refused
// (rpc BAD_URL, kind kInput). Thread-safety: post() may be called
// from several threads at once (no shared handle).
#pragma once

#include <chrono>
#include <string>

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
};

}  // namespace snprelay::chain::rpc
