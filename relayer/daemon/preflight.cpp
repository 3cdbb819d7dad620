// Start's own startup checks, for doctor (preflight.hpp).
#include "relayer/daemon/preflight.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/file_io.hpp"
#include "relayer/api/server_config.hpp"
#include "relayer/daemon/journal.hpp"

namespace snprelay::daemon {
namespace {

using app::CheckLevel;
using app::CheckResult;

CheckResult result(const char* name, CheckLevel level, std::string detail) {
  return {name, level, std::move(detail)};
}

// Binds host:port once and closes it: whether `start` could listen there. "" when it could.
std::string try_bind(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return "\"" + listen + "\" is not host:port";
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
      rc != 0)
    return "cannot resolve " + listen + ": " + ::gai_strerror(rc);
  std::string why = "no address for " + listen;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      why = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    const int one = 1;
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) == 0) {
      why.clear();
      break;
    }
    why = "cannot bind " + listen + ": " + std::strerror(errno);
  }
  ::freeaddrinfo(found);
  return why;
}

}  // namespace

CheckResult check_journal(const config::Config& config) {
  const std::string& path = config.relayer.journal_path;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    const bool dir_ok = dir.empty() || std::filesystem::is_directory(dir, ec) ||
                        std::filesystem::path(config.relayer.state_dir) == dir;
    if (!dir_ok)
      return result("journal", CheckLevel::kFail,
                    "no journal at " + path + " and its directory " + dir.string() + " does not exist");
    return result("journal", CheckLevel::kOk, "no journal at " + path + " yet (start creates it)");
  }
  auto journal = Journal::open_read_only(path);
  if (!journal)
    return result("journal", CheckLevel::kFail,
                  path + ": " + journal.error().to_string() + " (start refuses it)");
  auto bad = journal->invalid_rows(std::nullopt);
  if (!bad)
    return result("journal", CheckLevel::kFail, path + ": " + bad.error().to_string());
  auto counts = journal->counts();
  std::int64_t rows = 0;
  if (counts)
    for (const auto n : *counts)
      rows += n;
  if (!bad->empty())
    return result("journal", CheckLevel::kWarn,
                  path + ": " + std::to_string(bad->size()) +
                      " row(s) would be quarantined at start (first: epoch " +
                      std::to_string(bad->front().epoch) + ": " + bad->front().why +
                      "); attestation goes on without them");
  return result("journal", CheckLevel::kOk, path + ": " + std::to_string(rows) + " row(s), all well-formed");
}

CheckResult check_api(const config::Config& config, bool daemon_running) {
  auto options = api::server_options_from(config);
  if (!options)
    return result("api", CheckLevel::kFail, options.error().to_string());
  auto token = api::bearer_token_from(config);
  if (!token)
    return result("api", CheckLevel::kFail, token.error().to_string());
  const std::string auth =
      token->empty() ? "no bearer token" : "bearer token from " + config.api.bearer_token_file;
  if (daemon_running)
    return result("api", CheckLevel::kOk, config.api.listen + " (served by the running daemon); " + auth);
  if (const std::string why = try_bind(config.api.listen); !why.empty())
    return result("api", CheckLevel::kFail, why + " (start could not serve its API)");
  return result("api", CheckLevel::kOk, config.api.listen + " is free to listen on; " + auth);
}

}  // namespace snprelay::daemon
