// HTTP POST transport for JSON-RPC, and its libcurl implementation.
//
// HttpTransport is the seam below CometClient: post() sends one request and returns the status and
// body. Errors (component "rpc"): TRANSPORT (connect/resolve/send failure — the kind that triggers
// failover), TIMEOUT (no complete reply within `timeout`). A reply with any HTTP status is a value.
//
// CurlTransport: one easy handle per call (owned by a unique_ptr), curl_global_init once through a
// function-local static. TLS verification stays on for https URLs. Thread-safety: post() may be called
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
