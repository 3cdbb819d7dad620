// The HTTP server's options as the configuration sets them, so the daemon and its tests map the
// file to the server in one place:
//   [api] listen                          -> tcp_listen ("host:port")
//   [api] max_body_bytes, max_connections -> the same limits
//   [enclave.runtime] max_concurrent_requests, request_timeout -> the same limits
//   [enclave.sev_snp] endpoint "unix:///path" -> unix_path "/path" (empty: no unix socket)
// Everything else (worker threads, header limit, idle timeout, stop grace, the socket's mode) keeps the
// ServerOptions defaults. The configuration is validated when it is loaded; what remains to refuse here
// is a value the server cannot represent: api BAD_API_CONFIG (kInput) naming the key, for a negative or
// zero limit or an endpoint without the unix:// scheme.
//
// bearer_token_from() reads [api] bearer_token_file (empty key: no token, an empty SecretBytes). The file
// must be a regular file that is not group- or world-accessible (like ssh's private keys: a token others
// can read protects nothing) and hold a non-empty token; one trailing newline is dropped. Errors: api
// BAD_API_CONFIG (kInput) naming the file and what is wrong with it; the token is never quoted.
// Thread-safety: pure functions (bearer_token_from reads the file system).
#pragma once

#include "common/error.hpp"
#include "common/secret.hpp"
#include "config/config.hpp"
#include "relayer/api/http_server.hpp"

namespace snprelay::api {

[[nodiscard]] Result<ServerOptions> server_options_from(const config::Config& config);
[[nodiscard]] Result<SecretBytes> bearer_token_from(const config::Config& config);

}  // namespace snprelay::api
