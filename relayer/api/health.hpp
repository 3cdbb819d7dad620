// The daemon's health as `GET /health/enclave` shows it: the guide's fields (status, platform,
// hardware_enabled, tcb, total_processed, active_requests) plus what the relayer adds (simulated,
// last_epoch, last_status, allowlist_version, chain_reachable, degraded_reasons).
//
// The daemon implements HealthSource; the routes ask it on every health request and scrape, and add
// the two request counters they keep themselves (total_processed, active_requests).
// Thread-safety: snapshot() is called from the API's worker threads, concurrently with the daemon;
// implementations must return a consistent copy.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace snprelay::api {

// "healthy": attesting normally. "degraded": serving, but something needs attention (the reasons say
// what: a failed self-check, an allowlist gap, an unreachable RPC node). "unhealthy": cannot attest
// (no evidence source, no key). HTTP 200 for the first two, 503 for the last.
enum class HealthStatus { kHealthy, kDegraded, kUnhealthy };

// "healthy", "degraded", "unhealthy".
[[nodiscard]] const char* health_status_name(HealthStatus status);

// The platform's current TCB, decoded for its product (fmc only on Turin).
struct TcbLevels {
  std::uint8_t boot_loader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;
  std::optional<std::uint8_t> fmc;
};

// One consistent view of the daemon, copied out by the source. Every string is shown escaped; the
// reasons are short sentences for operators ("allowlist update 8 has a bad signature").
struct HealthSnapshot {
  HealthStatus status = HealthStatus::kUnhealthy;
  std::string platform = "sev-snp";
  bool hardware_enabled = false;  // a real SNP device (false with the simulated firmware)
  bool simulated = false;
  TcbLevels tcb;
  std::optional<std::uint64_t> last_epoch;  // the last epoch the daemon handled, if any
  std::string last_status;                  // its journal state: "committed", "failed", "missed", ...
  std::uint64_t allowlist_version = 0;
  bool chain_reachable = false;
  std::vector<std::string> degraded_reasons;
};

// The daemon's side of the seam: snapshot() must not block for long (it runs on a worker thread while
// a scraper or a load balancer waits) and must not fail; an unknown field stays at its default.
class HealthSource {
 public:
  virtual ~HealthSource() = default;
  [[nodiscard]] virtual HealthSnapshot snapshot() = 0;
};

// The health document: the snapshot's fields plus total_processed and active_requests. Reasons are
// escaped (app::escape_text), so dump() never throws.
[[nodiscard]] nlohmann::ordered_json health_document(const HealthSnapshot& s, std::uint64_t total_processed,
                                                     std::uint64_t active_requests);

}  // namespace snprelay::api
