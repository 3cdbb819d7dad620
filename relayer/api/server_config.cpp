// Configuration -> ServerOptions (server_config.hpp).
#include "relayer/api/server_config.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "common/file_io.hpp"

namespace snprelay::api {
namespace {

Error bad(const std::string& key, const std::string& what) {
  return make_error("api", "BAD_API_CONFIG", key + ": " + what, ErrorKind::kInput);
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777U));
  return buf;
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

Result<SecretBytes> bearer_token_from(const config::Config& config) {
  const std::string& path = config.api.bearer_token_file;
  if (path.empty())
    return SecretBytes{};
  constexpr std::string_view kKey = "api.bearer_token_file";
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return bad(std::string(kKey), "cannot read " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return bad(std::string(kKey), path + " is not a regular file");
  if ((st.st_mode & 077U) != 0)
    return bad(std::string(kKey),
               path + " is readable by other users (mode " + octal_mode(st.st_mode) + "); chmod 600 it");
  auto token = read_secret_file(path, "API bearer token", 4096, ReadOptions{.no_follow = true});
  if (!token)
    return bad(std::string(kKey), token.error().message);
  if (token->empty())
    return bad(std::string(kKey), path + " is empty");
  return token;
}

}  // namespace snprelay::api
