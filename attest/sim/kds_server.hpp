// A local stand-in for AMD's Key Distribution Service: HTTP/1.1 on a loopback port, serving the
// paths of kdsintf.amd.com from a KdsStore (AMD's real certificates from a directory, or the
// simulated firmware's), with fault knobs for tests of the KDS client:
//   latency    delay every answer by this long
//   fail_rate  answer this fraction of requests 500 (drawn per request)
//   rate_limit answer 429 with "Retry-After: <retry_after>" past this many requests per second
// Bad paths answer 400 with the reason, unknown certificates 404. GET /_stats answers JSON counters
// {"requests", "vcek", "chain", "crl", "errors"} (not itself counted), so a test in another process
// can check how many requests reached the server.
//
// Lifecycle: start() binds and runs one I/O thread (Boost.Asio, C++20 coroutines); stop() or the
// destructor closes the listener, ends sessions and joins the thread. Thread-safety: port(),
// counters and stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "attest/sim/kds_store.hpp"
#include "common/error.hpp"

namespace snprelay::attest {

struct KdsServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the kernel picks one; see port()
  std::chrono::milliseconds latency{0};
  double fail_rate = 0;           // 0..1
  std::uint32_t rate_limit = 0;   // requests per second; 0 = unlimited
  std::uint32_t retry_after = 1;  // seconds, sent with 429
};

struct KdsServerStats {
  std::uint64_t requests = 0;
  std::uint64_t vcek = 0;
  std::uint64_t chain = 0;
  std::uint64_t crl = 0;
  std::uint64_t errors = 0;  // 4xx and 5xx answers
};

class KdsServer {
 public:
  // Binds host:port; host must be a loopback address (127.0.0.0/8 or ::1): the stand-in serves
  // anything in its directory to whoever connects. Errors: BIND_FAILED (kind kInput for a non-loopback
  // or malformed host, kUnavailable when the bind itself fails) naming the address and the reason.
  [[nodiscard]] static Result<std::unique_ptr<KdsServer>> start(KdsServerOptions options,
                                                                std::shared_ptr<KdsStore> store);
  virtual ~KdsServer() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual KdsServerStats stats() const = 0;
  virtual void stop() = 0;
  // Blocks until stop() is called (from a signal handler's thread, for `snprelay sim kds`).
  virtual void wait() = 0;
};

}  // namespace snprelay::attest
