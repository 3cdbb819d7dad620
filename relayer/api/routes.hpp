// The guide's local API as a Router (http_types.hpp), with no transport in it:
//
//   POST /v1/attestation/generate   body {"nonce": "<base64 of 1..64 bytes>"}
//        200 application/octet-stream: the raw 1184-byte report, REPORT_DATA = SHA-512(nonce)
//            (app::report_data_for_nonce); X-Snprelay-Simulated: true when the report is simulated.
//        ?format=json: 200 application/json {"report": app::report_json(...), "simulated",
//            "report_base64", "vcek" (base64 DER, when the generator supplied one)}.
//        400 api BAD_REQUEST (body not a JSON object with a string "nonce", unknown format),
//            BAD_BASE64, BAD_NONCE (0 or more than 64 bytes); 401 when a bearer token is configured
//            and the request does not carry it (WWW-Authenticate: Bearer); the generator's error with
//            http_status_for(kind) (common/error.hpp) otherwise (503 for an unavailable device).
//   GET  /health/enclave            health_document() of the HealthSource; 200, or 503 when unhealthy
//   GET  /metrics                   the registry, text/plain; version=0.0.4
//   GET  /v1/status                 the status callback's JSON; 503 api NO_STATUS without a callback
//   another method on those paths   405 with Allow; another path: 404 api NOT_FOUND
// Every error body is {"error": {"kind", "component", "code", "message"}} (app::error_json).
//
// Metrics the routes register at construction (so a scrape shows them at 0 from the start):
//   enclave_attestation_requests_total   counter, every generate request that reached the route
//   enclave_attestation_failures_total   counter, every generate request not answered 200
//   enclave_hardware_errors_total        counter, generate failures of kind kUnavailable (the device)
//   enclave_tcb_version{component}       gauge, boot_loader|tee|snp|microcode from the last health
//                                        snapshot (refreshed on every scrape)
//   enclave_cert_cache_hits              counter, owned by whoever holds the certificate cache
// Registering fails only if the registry already holds one of these names as the other type; the
// constructor then throws std::logic_error (a wiring mistake, found at start-up).
//
// Ownership and threads: ApiRoutes borrows the generator, the health source and the registry; they
// must outlive it. handle() is safe to call from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "common/secret.hpp"
#include "relayer/api/health.hpp"
#include "relayer/api/http_types.hpp"
#include "relayer/api/metrics.hpp"
#include "relayer/api/report_source.hpp"

namespace snprelay::api {

struct RoutesOptions {
  // When non-empty, generate requires "Authorization: Bearer <token>" (compared in constant time).
  SecretBytes bearer_token;
  // The daemon's /v1/status document; unset = 503.
  std::function<Result<nlohmann::ordered_json>()> status;
  // Called before each /metrics render, e.g. to publish the HTTP server's counters into the registry.
  std::function<void(MetricsRegistry&)> on_scrape;
};

class ApiRoutes final : public Router {
 public:
  ApiRoutes(ReportGenerator& generator, HealthSource& health, MetricsRegistry& metrics,
            RoutesOptions options);
  [[nodiscard]] HttpResponse handle(const HttpRequest& request) override;

  // Replaces the bearer token generate requires (empty: none), e.g. on SIGHUP. Safe from any thread:
  // a request sees the old token or the new one, never a mix.
  void set_bearer_token(SecretBytes token);

 private:
  [[nodiscard]] HttpResponse generate(const HttpRequest& request);
  [[nodiscard]] HttpResponse generate_checked(const HttpRequest& request);
  [[nodiscard]] HttpResponse health();
  [[nodiscard]] HttpResponse metrics();
  [[nodiscard]] HttpResponse status() const;
  [[nodiscard]] bool authorized(const HttpRequest& request) const;
  void count(const std::string& name);

  ReportGenerator& generator_;
  HealthSource& health_;
  MetricsRegistry& metrics_;
  RoutesOptions options_;
  mutable std::mutex token_mu_;  // guards options_.bearer_token
  std::atomic<std::uint64_t> total_processed_{0};
  std::atomic<std::uint64_t> active_requests_{0};
};

// The error response: status http_status_for(e.kind), body app::error_json(e).
[[nodiscard]] HttpResponse error_response(const Error& e);

}  // namespace snprelay::api
