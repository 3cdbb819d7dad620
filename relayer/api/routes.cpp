// The API's routes (routes.hpp): dispatch, the generate endpoint, health, metrics and status.
#include "relayer/api/routes.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "attest/report.hpp"
#include "common/base64.hpp"
#include "common/json_strict.hpp"
#include "relayer/app/binding.hpp"
#include "relayer/app/report_json.hpp"
#include "relayer/app/text.hpp"

namespace snprelay::api {
namespace {

constexpr const char* kRequests = "enclave_attestation_requests_total";
constexpr const char* kFailures = "enclave_attestation_failures_total";
constexpr const char* kHardwareErrors = "enclave_hardware_errors_total";
constexpr const char* kTcbVersion = "enclave_tcb_version";
constexpr const char* kCertCacheHits = "enclave_cert_cache_hits";
constexpr std::size_t kMaxNonceBytes = 64;

Error bad_request(const std::string& code, const std::string& message) {
  return make_error("api", code, message, ErrorKind::kInput);
}

HttpResponse json_response(int status, const nlohmann::ordered_json& doc) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = doc.dump() + "\n";
  return r;
}

HttpResponse method_not_allowed(const char* allow) {
  HttpResponse r = error_response(make_error(
      "api", "METHOD_NOT_ALLOWED", std::string("this path answers ") + allow + " only", ErrorKind::kInput));
  r.status = 405;
  r.headers.emplace_back("Allow", allow);
  return r;
}

void must(const Status& s) {
  if (!s)
    throw std::logic_error(s.error().to_string());
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::span<const std::uint8_t> bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(bytes.data(), bytes.size(), out.data());
  return out;
}

// The nonce of a generate body: {"nonce": "<base64>"} decoding to 1..64 bytes.
Result<Bytes> parse_nonce(const std::string& body) {
  auto parsed = parse_json_strict<nlohmann::json>(body, "the body");
  if (!parsed && parsed.error().code == "DUPLICATE_KEY")
    return bad_request("DUPLICATE_KEY", parsed.error().message);
  if (!parsed || !parsed->is_object())
    return bad_request("BAD_REQUEST", "the body is not a JSON object; send {\"nonce\": \"<base64>\"}");
  const nlohmann::json& doc = *parsed;
  const auto it = doc.find("nonce");
  if (it == doc.end() || !it->is_string())
    return bad_request("BAD_REQUEST", "the body has no string field \"nonce\"");
  auto nonce = decode_base64(it->get<std::string>());
  if (!nonce)
    return bad_request("BAD_BASE64", "nonce: " + nonce.error().message);
  if (nonce->empty() || nonce->size() > kMaxNonceBytes) {
    return bad_request("BAD_NONCE", "the nonce decodes to " + std::to_string(nonce->size()) +
                                        " bytes; 1 to 64 are accepted");
  }
  return nonce;
}

}  // namespace

HttpResponse error_response(const Error& e) {
  return json_response(http_status_for(e.kind), app::error_json(e));
}

ApiRoutes::ApiRoutes(ReportGenerator& generator, HealthSource& health, MetricsRegistry& metrics,
                     RoutesOptions options)
    : generator_(generator), health_(health), metrics_(metrics), options_(std::move(options)) {
  must(metrics_.register_metric(kRequests, "Attestation report requests received by the local API.",
                                MetricType::kCounter));
  must(metrics_.register_metric(kFailures, "Attestation report requests that did not return a report.",
                                MetricType::kCounter));
  must(metrics_.register_metric(kHardwareErrors,
                                "Attestation requests failed by an unavailable SEV-SNP device.",
                                MetricType::kCounter));
  must(metrics_.register_metric(kTcbVersion, "The platform's current TCB security patch level by component.",
                                MetricType::kGauge));
  must(metrics_.register_metric(kCertCacheHits, "VCEK lookups answered from the certificate cache.",
                                MetricType::kCounter));
  for (const char* name : {kRequests, kFailures, kHardwareErrors, kCertCacheHits})
    must(metrics_.add(name, {}, 0));
  for (const char* component : {"boot_loader", "tee", "snp", "microcode"})
    must(metrics_.set(kTcbVersion, {{"component", component}}, 0));
}

HttpResponse ApiRoutes::handle(const HttpRequest& request) {
  const std::string_view path = request.path();
  if (path == "/v1/attestation/generate")
    return request.method == "POST" ? generate(request) : method_not_allowed("POST");
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/health/enclave")
    return get ? health() : method_not_allowed("GET, HEAD");
  if (path == "/metrics")
    return get ? metrics() : method_not_allowed("GET, HEAD");
  if (path == "/v1/status")
    return get ? status() : method_not_allowed("GET, HEAD");
  HttpResponse r = error_response(
      make_error("api", "NOT_FOUND", "no such path: " + app::escape_text(path), ErrorKind::kInput));
  r.status = 404;
  return r;
}

void ApiRoutes::count(const std::string& name) {
  must(metrics_.add(name, {}, 1));
}

void ApiRoutes::set_bearer_token(SecretBytes token) {
  std::lock_guard lock(token_mu_);
  options_.bearer_token = std::move(token);
}

bool ApiRoutes::authorized(const HttpRequest& request) const {
  std::lock_guard lock(token_mu_);
  if (options_.bearer_token.empty())
    return true;
  const std::string header = request.header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || header.compare(0, kScheme.size(), kScheme) != 0)
    return false;
  const std::string_view given = std::string_view(header).substr(kScheme.size());
  // Hashing first makes the comparison independent of both lengths.
  const auto a = digest({reinterpret_cast<const std::uint8_t*>(given.data()), given.size()});
  const auto b = digest(options_.bearer_token.view());
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

HttpResponse ApiRoutes::generate(const HttpRequest& request) {
  count(kRequests);
  ++active_requests_;
  HttpResponse r = generate_checked(request);
  --active_requests_;
  ++total_processed_;
  if (r.status != 200)
    count(kFailures);
  return r;
}

HttpResponse ApiRoutes::generate_checked(const HttpRequest& request) {
  if (!authorized(request)) {
    HttpResponse r = error_response(make_error(
        "api", "UNAUTHORIZED", "generate needs the header Authorization: Bearer <token>", ErrorKind::kInput));
    r.status = 401;
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"snprelay\"");
    return r;
  }
  const std::string_view query = request.query();
  const bool as_json = query == "format=json";
  if (!query.empty() && !as_json && query != "format=raw") {
    return error_response(bad_request(
        "BAD_REQUEST", "unknown query \"" + app::escape_text(query) + "\"; use format=json or format=raw"));
  }
  auto nonce = parse_nonce(request.body);
  if (!nonce)
    return error_response(nonce.error());
  auto generated = generator_.generate(app::report_data_for_nonce(*nonce));
  if (!generated) {
    if (generated.error().kind == ErrorKind::kUnavailable)
      count(kHardwareErrors);
    return error_response(generated.error());
  }
  if (!as_json) {
    HttpResponse r;
    r.content_type = "application/octet-stream";
    r.body.assign(generated->report.begin(), generated->report.end());
    if (generated->simulated)
      r.headers.emplace_back("X-Snprelay-Simulated", "true");
    return r;
  }
  auto parsed = attest::parse_report(generated->report);
  if (!parsed)
    return error_response(parsed.error());
  nlohmann::ordered_json doc;
  doc["report"] = app::report_json(*parsed, app::show_product(*parsed, std::nullopt));
  doc["simulated"] = generated->simulated;
  doc["report_base64"] = encode_base64(generated->report);
  if (generated->vcek_der)
    doc["vcek"] = encode_base64(*generated->vcek_der);
  return json_response(200, doc);
}

HttpResponse ApiRoutes::health() {
  const HealthSnapshot s = health_.snapshot();
  const int status = s.status == HealthStatus::kUnhealthy ? 503 : 200;
  return json_response(status, health_document(s, total_processed_.load(), active_requests_.load()));
}

HttpResponse ApiRoutes::metrics() {
  const HealthSnapshot s = health_.snapshot();
  must(metrics_.set(kTcbVersion, {{"component", "boot_loader"}}, s.tcb.boot_loader));
  must(metrics_.set(kTcbVersion, {{"component", "tee"}}, s.tcb.tee));
  must(metrics_.set(kTcbVersion, {{"component", "snp"}}, s.tcb.snp));
  must(metrics_.set(kTcbVersion, {{"component", "microcode"}}, s.tcb.microcode));
  if (options_.on_scrape)
    options_.on_scrape(metrics_);
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_.render();
  return r;
}

HttpResponse ApiRoutes::status() const {
  if (!options_.status) {
    return error_response(
        make_error("api", "NO_STATUS", "this process has no daemon status to show", ErrorKind::kUnavailable));
  }
  auto doc = options_.status();
  if (!doc)
    return error_response(doc.error());
  return json_response(200, *doc);
}

}  // namespace snprelay::api
