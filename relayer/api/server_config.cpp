// Configuration -> ServerOptions (server_config.hpp).
#include "relayer/api/server_config.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace snprelay::api {
namespace {

Error bad(const std::string& key, const std::string& what) {
  return make_error("api", "BAD_API_CONFIG", key + ": " + what, ErrorKind::kInput);
}

Result<std::size_t> positive(const std::string& key, std::int64_t value) {
  if (value <= 0)
    return bad(key, "must be at least 1, not " + std::to_string(value));
  return static_cast<std::size_t>(value);
}

}  // namespace

Result<ServerOptions> server_options_from(const config::Config& config) {
  ServerOptions o;
  o.tcp_listen = config.api.listen;
  auto body = positive("api.max_body_bytes", config.api.max_body_bytes);
  if (!body)
    return body.error();
  o.max_body_bytes = *body;
  auto connections = positive("api.max_connections", config.api.max_connections);
  if (!connections)
    return connections.error();
  o.max_connections = *connections;
  auto concurrent =
      positive("enclave.runtime.max_concurrent_requests", config.enclave.runtime.max_concurrent_requests);
  if (!concurrent)
    return concurrent.error();
  o.max_concurrent_requests = *concurrent;
  if (config.enclave.runtime.request_timeout.count() <= 0)
    return bad("enclave.runtime.request_timeout", "must be positive");
  o.request_timeout = config.enclave.runtime.request_timeout;
  const std::string& endpoint = config.enclave.sev_snp.endpoint;
  constexpr std::string_view kScheme = "unix://";
  if (!endpoint.empty()) {
    if (!endpoint.starts_with(kScheme) || endpoint.size() == kScheme.size())
      return bad("enclave.sev_snp.endpoint", "expected unix:///path/to/socket, not \"" + endpoint + "\"");
    o.unix_path = endpoint.substr(kScheme.size());
  }
  return o;
}

}  // namespace snprelay::api
