// relayer/api/routes without a socket: the generate endpoint over the simulated firmware (bytes and
// the SHA-512 binding) and over a scripted generator (errors, counters), input errors as JSON,
// authorization, 404/405, the health document and the metrics the guide names.
#include "relayer/api/routes.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <string>

#include "attest/report.hpp"
#include "common/base64.hpp"
#include "relayer/app/evidence.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::api {
namespace {

// Answers every request with `result` and remembers the report_data it was asked for.
class ScriptedGenerator final : public ReportGenerator {
 public:
  Result<Generated> generate(const std::array<std::uint8_t, 64>& report_data) override {
    asked = report_data;
    ++calls;
    return result;
  }
  Result<Generated> result = Generated{Bytes(attest::kReportSize, 0xAB), std::nullopt, false};
  std::array<std::uint8_t, 64> asked{};
  int calls = 0;
};

class FixedHealth final : public HealthSource {
 public:
  HealthSnapshot snapshot() override { return snap; }
  HealthSnapshot snap;
};

HttpRequest post_generate(const std::string& body, const std::string& target = "/v1/attestation/generate") {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.headers["content-type"] = "application/json";
  r.body = body;
  return r;
}

HttpRequest get(const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  return r;
}

std::string nonce_body(const std::string& nonce) {
  return nlohmann::json{{"nonce", encode_base64(Bytes(nonce.begin(), nonce.end()))}}.dump();
}

nlohmann::json error_of(const HttpResponse& r) {
  EXPECT_EQ(r.content_type, "application/json");
  const auto doc = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_TRUE(doc.is_object() && doc.contains("error")) << r.body;
  return doc.is_object() && doc.contains("error") ? doc["error"] : nlohmann::json::object();
}

std::string header_of(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name)
      return v;
  }
  return "";
}

struct Fixture {
  ScriptedGenerator generator;
  FixedHealth health;
  MetricsRegistry metrics;
  ApiRoutes routes{generator, health, metrics, RoutesOptions{}};
};

TEST(ApiRoutes, GenerateOverSimulatedFirmwareBindsSha512OfNonce) {
  testing::TempDir dir;
  app::SimRequest sim;
  sim.state = dir.file("sim");
  auto opened = app::open_simulated_source(sim);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EvidenceReportGenerator generator(*opened->source, opened->vmpl);
  FixedHealth health;
  MetricsRegistry metrics;
  ApiRoutes routes(generator, health, metrics, RoutesOptions{});

  const std::string nonce = "the guide's nonce";
  const HttpResponse r = routes.handle(post_generate(nonce_body(nonce)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/octet-stream");
  ASSERT_EQ(r.body.size(), attest::kReportSize);
  EXPECT_EQ(header_of(r, "X-Snprelay-Simulated"), "true");
  std::array<unsigned char, SHA512_DIGEST_LENGTH> expected{};
  SHA512(reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(), expected.data());
  EXPECT_EQ(r.body.substr(0x50, 64), std::string(expected.begin(), expected.end()));

  const HttpResponse j =
      routes.handle(post_generate(nonce_body(nonce), "/v1/attestation/generate?format=json"));
  ASSERT_EQ(j.status, 200) << j.body;
  const auto doc = nlohmann::json::parse(j.body);
  EXPECT_TRUE(doc["simulated"].get<bool>());
  EXPECT_TRUE(doc["report"].is_object());
  auto raw = decode_base64(doc["report_base64"].get<std::string>());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(std::string(raw->begin() + 0x50, raw->begin() + 0x90),
            std::string(expected.begin(), expected.end()));
  ASSERT_TRUE(doc.contains("vcek"));
  auto vcek = decode_base64(doc["vcek"].get<std::string>());
  ASSERT_TRUE(vcek.ok());
  ASSERT_FALSE(vcek->empty());
  EXPECT_EQ((*vcek)[0], 0x30);  // a DER SEQUENCE
  EXPECT_EQ(metrics.value("enclave_attestation_requests_total", {}), 2);
  EXPECT_EQ(metrics.value("enclave_attestation_failures_total", {}), 0);
}

TEST(ApiRoutes, GeneratePassesTheDigestAndReturnsTheBytes) {
  Fixture f;
  const HttpResponse r = f.routes.handle(post_generate(nonce_body("x")));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(attest::kReportSize, '\xAB'));
  std::array<unsigned char, 64> expected{};
  SHA512(reinterpret_cast<const unsigned char*>("x"), 1, expected.data());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), f.generator.asked.begin()));
  EXPECT_EQ(header_of(r, "X-Snprelay-Simulated"), "");
}

TEST(ApiRoutes, BadBodiesAre400WithJsonError) {
  Fixture f;
  const std::string too_long(65, 'n');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "BAD_REQUEST"},
      {"[1,2]", "BAD_REQUEST"},
      {"{}", "BAD_REQUEST"},
      {R"({"nonce": 5})", "BAD_REQUEST"},
      {R"({"nonce": "****"})", "BAD_BASE64"},
      {R"({"nonce": "abc"})", "BAD_BASE64"},
      {R"({"nonce": "a=bc"})", "BAD_BASE64"},
      {R"({"nonce": ""})", "BAD_NONCE"},
      {nonce_body(too_long), "BAD_NONCE"},
      // Issue 21: the last of two "nonce" keys used to win silently.
      {R"({"nonce": "bm4=", "nonce": "eHg="})", "DUPLICATE_KEY"},
  };
  for (const auto& [body, code] : cases) {
    const HttpResponse r = f.routes.handle(post_generate(body));
    EXPECT_EQ(r.status, 400) << body;
    const auto e = error_of(r);
    EXPECT_EQ(e.value("code", ""), code) << body;
    EXPECT_EQ(e.value("kind", ""), "input") << body;
    EXPECT_FALSE(e.value("message", "").empty()) << body;
  }
  EXPECT_EQ(f.generator.calls, 0);
  EXPECT_EQ(f.routes.handle(post_generate(nonce_body(std::string(64, 'n')))).status, 200);
  EXPECT_EQ(f.routes.handle(post_generate(nonce_body("n"), "/v1/attestation/generate?format=xml")).status,
            400);
  EXPECT_EQ(f.metrics.value("enclave_attestation_requests_total", {}), 12);
  EXPECT_EQ(f.metrics.value("enclave_attestation_failures_total", {}), 11);
}

TEST(ApiRoutes, DeviceUnavailableIs503AndCountsAHardwareError) {
  Fixture f;
  f.generator.result = make_error("attest", "HOST_BUSY", "the host is busy", ErrorKind::kUnavailable);
  HttpResponse r = f.routes.handle(post_generate(nonce_body("n")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_of(r).value("code", ""), "HOST_BUSY");
  f.generator.result = make_error("attest", "BAD_RESPONSE", "garbage", ErrorKind::kInternal);
  r = f.routes.handle(post_generate(nonce_body("n")));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(f.metrics.value("enclave_hardware_errors_total", {}), 1);
  EXPECT_EQ(f.metrics.value("enclave_attestation_failures_total", {}), 2);
}

TEST(ApiRoutes, BearerTokenIsRequiredWhenConfigured) {
  ScriptedGenerator generator;
  FixedHealth health;
  MetricsRegistry metrics;
  RoutesOptions options;
  options.bearer_token = SecretBytes::from_string("s3cret");
  ApiRoutes routes(generator, health, metrics, std::move(options));
  HttpRequest req = post_generate(nonce_body("n"));
  HttpResponse r = routes.handle(req);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header_of(r, "WWW-Authenticate").rfind("Bearer", 0), 0U);
  EXPECT_EQ(error_of(r).value("code", ""), "UNAUTHORIZED");
  for (const char* wrong : {"Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "}) {
    req.headers["authorization"] = wrong;
    EXPECT_EQ(routes.handle(req).status, 401) << wrong;
  }
  EXPECT_EQ(generator.calls, 0);
  req.headers["authorization"] = "Bearer s3cret";
  EXPECT_EQ(routes.handle(req).status, 200);
  // Only generate is protected.
  EXPECT_EQ(routes.handle(get("/metrics")).status, 200);
  // SIGHUP's reload (issue 21): the new token replaces the old one at once.
  routes.set_bearer_token(SecretBytes::from_string("rotated"));
  EXPECT_EQ(routes.handle(req).status, 401);
  req.headers["authorization"] = "Bearer rotated";
  EXPECT_EQ(routes.handle(req).status, 200);
}

TEST(ApiRoutes, UnknownPathsAndMethods) {
  Fixture f;
  HttpResponse r = f.routes.handle(get("/v1/attestation/generate"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header_of(r, "Allow"), "POST");
  HttpRequest del = get("/health/enclave");
  del.method = "DELETE";
  r = f.routes.handle(del);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header_of(r, "Allow"), "GET, HEAD");
  r = f.routes.handle(get("/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r).value("code", ""), "NOT_FOUND");
  EXPECT_EQ(f.routes.handle(get("/v1/status")).status, 503);  // no status callback
}

TEST(ApiRoutes, HealthCarriesTheGuideFields) {
  Fixture f;
  f.health.snap.status = HealthStatus::kDegraded;
  f.health.snap.hardware_enabled = false;
  f.health.snap.simulated = true;
  f.health.snap.tcb = TcbLevels{3, 0, 8, 115, std::nullopt};
  f.health.snap.last_epoch = 42;
  f.health.snap.last_status = "committed";
  f.health.snap.allowlist_version = 7;
  f.health.snap.chain_reachable = true;
  f.health.snap.degraded_reasons = {"self-check failed: TCB_BELOW_MINIMUM"};
  ASSERT_EQ(f.routes.handle(post_generate(nonce_body("n"))).status, 200);

  HttpResponse r = f.routes.handle(get("/health/enclave"));
  ASSERT_EQ(r.status, 200);
  const auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["status"], "degraded");
  EXPECT_EQ(doc["platform"], "sev-snp");
  EXPECT_EQ(doc["hardware_enabled"], false);
  EXPECT_EQ(doc["tcb"]["boot_loader"], 3);
  EXPECT_EQ(doc["tcb"]["tee"], 0);
  EXPECT_EQ(doc["tcb"]["snp"], 8);
  EXPECT_EQ(doc["tcb"]["microcode"], 115);
  EXPECT_FALSE(doc["tcb"].contains("fmc"));
  EXPECT_EQ(doc["total_processed"], 1);
  EXPECT_EQ(doc["active_requests"], 0);
  EXPECT_EQ(doc["simulated"], true);
  EXPECT_EQ(doc["last_epoch"], 42);
  EXPECT_EQ(doc["last_status"], "committed");
  EXPECT_EQ(doc["allowlist_version"], 7);
  EXPECT_EQ(doc["chain_reachable"], true);
  EXPECT_EQ(doc["degraded_reasons"][0], "self-check failed: TCB_BELOW_MINIMUM");

  f.health.snap.status = HealthStatus::kUnhealthy;
  f.health.snap.tcb.fmc = 1;
  r = f.routes.handle(get("/health/enclave"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["tcb"]["fmc"], 1);
}

TEST(ApiRoutes, MetricsShowTheGuideNamesFromTheStart) {
  Fixture f;
  f.health.snap.tcb = TcbLevels{4, 1, 22, 213, std::nullopt};
  int scrapes = 0;
  RoutesOptions options;
  options.on_scrape = [&scrapes](MetricsRegistry&) { ++scrapes; };
  ApiRoutes routes(f.generator, f.health, f.metrics, std::move(options));  // same names again: accepted
  const HttpResponse r = routes.handle(get("/metrics"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  for (const char* line :
       {"# TYPE enclave_attestation_requests_total counter\nenclave_attestation_requests_total 0\n",
        "# TYPE enclave_attestation_failures_total counter\nenclave_attestation_failures_total 0\n",
        "# TYPE enclave_hardware_errors_total counter\nenclave_hardware_errors_total 0\n",
        "# TYPE enclave_cert_cache_hits counter\nenclave_cert_cache_hits 0\n",
        "# TYPE enclave_tcb_version gauge\n", "enclave_tcb_version{component=\"boot_loader\"} 4\n",
        "enclave_tcb_version{component=\"tee\"} 1\n", "enclave_tcb_version{component=\"snp\"} 22\n",
        "enclave_tcb_version{component=\"microcode\"} 213\n"}) {
    EXPECT_NE(r.body.find(line), std::string::npos) << line << "\n---\n" << r.body;
  }
  EXPECT_EQ(scrapes, 1);
}

TEST(ApiRoutes, ConflictingMetricTypeIsAWiringError) {
  ScriptedGenerator generator;
  FixedHealth health;
  MetricsRegistry metrics;
  ASSERT_TRUE(metrics.register_metric("enclave_tcb_version", "wrong", MetricType::kCounter).ok());
  EXPECT_THROW(ApiRoutes(generator, health, metrics, RoutesOptions{}), std::logic_error);
}

TEST(ApiRoutes, StatusComesFromTheCallback) {
  ScriptedGenerator generator;
  FixedHealth health;
  MetricsRegistry metrics;
  RoutesOptions options;
  bool fail = false;
  options.status = [&fail]() -> Result<nlohmann::ordered_json> {
    if (fail)
      return make_error("daemon", "JOURNAL", "journal closed", ErrorKind::kUnavailable);
    return nlohmann::ordered_json{{"operator", "valoper1x"}, {"epochs", nlohmann::ordered_json::array()}};
  };
  ApiRoutes routes(generator, health, metrics, std::move(options));
  HttpResponse r = routes.handle(get("/v1/status"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["operator"], "valoper1x");
  fail = true;
  r = routes.handle(get("/v1/status"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_of(r).value("code", ""), "JOURNAL");
}
}  // namespace
}  // namespace snprelay::api
