// The HTTP server's counters into the registry (server_metrics.hpp).
#include "relayer/api/server_metrics.hpp"

#include <array>
#include <string>
#include <utility>

namespace snprelay::api {

Status publish_server_stats(const ServerStats& stats, MetricsRegistry& registry) {
  const std::array<std::pair<const char*, MetricType>, 4> families = {{
      {"snprelay_http_connections_open", MetricType::kGauge},
      {"snprelay_http_connections_total", MetricType::kCounter},
      {"snprelay_http_responses_total", MetricType::kCounter},
      {"snprelay_http_rejected_total", MetricType::kCounter},
  }};
  const std::array<const char*, 4> help = {
      "Connections the local API holds open.",
      "Connections the local API accepted and served.",
      "Responses the local API wrote, by status class.",
      "Requests and connections the local API refused at a limit, by reason.",
  };
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (auto s = registry.register_metric(families[i].first, help[i], families[i].second); !s)
      return s;
  }
  Status s = registry.set("snprelay_http_connections_open", {}, static_cast<double>(stats.connections_open));
  if (s)
    s = registry.set_total("snprelay_http_connections_total", {},
                           static_cast<double>(stats.connections_total));
  for (std::size_t cls = 1; s && cls <= 5; ++cls) {
    s = registry.set_total("snprelay_http_responses_total", {{"class", std::to_string(cls) + "xx"}},
                           static_cast<double>(stats.requests_by_class[cls]));
  }
  const std::array<std::pair<const char*, std::uint64_t>, 6> rejected = {{
      {"connections", stats.rejected_connections},
      {"concurrency", stats.rejected_concurrency},
      {"header", stats.rejected_header},
      {"body", stats.rejected_body},
      {"timeout", stats.rejected_timeout},
      {"malformed", stats.rejected_malformed},
  }};
  for (const auto& [reason, count] : rejected) {
    if (!s)
      break;
    s = registry.set_total("snprelay_http_rejected_total", {{"reason", reason}}, static_cast<double>(count));
  }
  return s;
}

}  // namespace snprelay::api
