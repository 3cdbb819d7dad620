// The health document (health.hpp).
#include "relayer/api/health.hpp"

#include "relayer/app/text.hpp"

namespace snprelay::api {

const char* health_status_name(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy:
      return "healthy";
    case HealthStatus::kDegraded:
      return "degraded";
    case HealthStatus::kUnhealthy:
      return "unhealthy";
  }
  return "unhealthy";
}

nlohmann::ordered_json health_document(const HealthSnapshot& s, std::uint64_t total_processed,
                                       std::uint64_t active_requests) {
  nlohmann::ordered_json tcb = {{"boot_loader", s.tcb.boot_loader},
                                {"tee", s.tcb.tee},
                                {"snp", s.tcb.snp},
                                {"microcode", s.tcb.microcode}};
  if (s.tcb.fmc)
    tcb["fmc"] = *s.tcb.fmc;
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  for (const auto& r : s.degraded_reasons)
    reasons.push_back(app::escape_text(r));
  nlohmann::ordered_json doc = {{"status", health_status_name(s.status)},
                                {"platform", app::escape_text(s.platform)},
                                {"hardware_enabled", s.hardware_enabled},
                                {"tcb", tcb},
                                {"total_processed", total_processed},
                                {"active_requests", active_requests},
                                {"simulated", s.simulated}};
  doc["last_epoch"] = s.last_epoch ? nlohmann::ordered_json(*s.last_epoch) : nlohmann::ordered_json(nullptr);
  doc["last_status"] = app::escape_text(s.last_status);
  doc["allowlist_version"] = s.allowlist_version;
  doc["chain_reachable"] = s.chain_reachable;
  doc["degraded_reasons"] = reasons;
  return doc;
}

}  // namespace snprelay::api
