// The HTTP API's plain request and response values and the Router seam between the server and the
// routes. Nothing here knows Boost.Beast: the server (http_server.hpp) converts its wire messages to
// and from these types, and the routes (routes.hpp) are tested without a socket.
//
// Thread-safety: HttpRequest and HttpResponse are plain values. A Router is shared by every
// connection: the server calls handle() concurrently from its worker pool, so implementations must
// be safe to call from several threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snprelay::api {

// One request as it arrived, already bounded by the server's limits (header and body size).
struct HttpRequest {
  std::string method;  // "GET", "POST", ... exactly as sent (upper case in practice)
  std::string target;  // path plus query, e.g. "/v1/attestation/generate?format=json"
  // Header names in lower case; a header sent several times holds its values joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  std::string peer;  // "127.0.0.1:53422" for TCP, "unix" for the unix socket; for logs only

  // The value of header `lower_case_name`, or "" when absent.
  [[nodiscard]] std::string header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The target without its query ("/health/enclave").
  [[nodiscard]] std::string_view path() const {
    const std::string_view t(target);
    return t.substr(0, t.find('?'));
  }
  // The query without its '?', or "" when there is none.
  [[nodiscard]] std::string_view query() const {
    const std::string_view t(target);
    const auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  }
};

// One response. The server adds Content-Length, Connection and Server itself; `headers` carries the
// rest (Allow, WWW-Authenticate, Retry-After ...). `body` is bytes: a raw report is binary.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// What the server asks for every complete request. handle() may block (it runs on the server's
// worker pool, never on the I/O thread) and must not throw: an exception escaping it is answered
// 500 by the server, but a Router should turn its failures into responses itself.
class Router {
 public:
  virtual ~Router() = default;
  [[nodiscard]] virtual HttpResponse handle(const HttpRequest& request) = 0;
};

}  // namespace snprelay::api
