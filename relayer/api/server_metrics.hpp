// The HTTP server's counters as Prometheus series, for the /metrics scrape:
//   snprelay_http_connections_open                 gauge
//   snprelay_http_connections_total                counter, connections accepted and served
//   snprelay_http_responses_total{class}           counter, class "1xx".."5xx"
//   snprelay_http_rejected_total{reason}           counter, reason connections|concurrency|header|body|
//                                                  timeout|malformed (see http_server.hpp's limits)
// publish_server_stats() registers them (idempotent) and copies `stats` in; the daemon calls it from
// RoutesOptions::on_scrape with HttpServer::stats(). Errors: the registry's (METRIC_TYPE when one of
// these names is registered already with the other type; METRIC_NEGATIVE when the totals went back,
// i.e. stats of another server instance were published into the same registry).
// Thread-safety: as the registry's.
#pragma once

#include "common/error.hpp"
#include "relayer/api/http_server.hpp"
#include "relayer/api/metrics.hpp"

namespace snprelay::api {

[[nodiscard]] Status publish_server_stats(const ServerStats& stats, MetricsRegistry& registry);

}  // namespace snprelay::api
