// Fuzz target: HTTP requests to the local API (relayer/api/routes.hpp), without a socket.
//
// The input is raw request bytes. Boost.Beast's request parser reads them with the server's default
// limits (8 KiB of header, 64 KiB of body, as HttpServerOptions); a complete request becomes an
// HttpRequest the way the server builds one (header names lower-cased, repeated headers joined with
// ", ") and is answered by two ApiRoutes: one open, one requiring "Authorization: Bearer fuzz-token".
// Their generator returns a fixed 1184-byte report and records the REPORT_DATA it was asked for.
// (The server's own conversion, HttpServer's private to_request in http_server.cpp, is not reachable
// without a socket; this file mirrors its three rules.)
//
// Invariants, for both routers:
//   * the status is one the API documents (200, 400, 401, 404, 405, 503) — never 500;
//   * a 400/401/404/405 is {"error": {"code", ...}} JSON and did not call the generator;
//   * a 200 from generate came from POST with a JSON body whose "nonce" is base64 of 1..64 bytes, the
//     generator was asked once for exactly SHA-512(nonce) (computed here with OpenSSL), and the body
//     is the report (raw) or a JSON object holding it (?format=json);
//   * the token-protected router answers generate with 200 only when the request carried the token.
#include <openssl/sha.h>

#include <array>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/base64.hpp"
#include "fuzz_check.hpp"
#include "relayer/api/routes.hpp"

namespace {

namespace http = boost::beast::http;
using namespace snprelay::api;
using snprelay::fuzz::fuzz_check;

class RecordingGenerator final : public ReportGenerator {
 public:
  snprelay::Result<Generated> generate(const std::array<std::uint8_t, 64>& report_data) override {
    asked = report_data;
    ++calls;
    return Generated{snprelay::Bytes(1184, 0xAB), std::nullopt, false};
  }
  std::array<std::uint8_t, 64> asked{};
  int calls = 0;
};

class HealthyHost final : public HealthSource {
 public:
  HealthSnapshot snapshot() override {
    HealthSnapshot s;
    s.status = HealthStatus::kHealthy;
    return s;
  }
};

// Parses one complete request; false when Beast refuses it or it is incomplete.
bool parse_request(const std::uint8_t* data, std::size_t size, HttpRequest& out) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8192);
  parser.body_limit(65536);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done())
    return false;
  auto message = parser.release();
  out.method = std::string(message.method_string());
  out.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& ch : name)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto [it, fresh] = out.headers.emplace(name, std::string(field.value()));
    if (!fresh)
      it->second += ", " + std::string(field.value());
  }
  out.body = std::move(message.body());
  out.peer = "fuzz";
  return true;
}

// SHA-512 of the request's nonce, or nullopt when the body does not hold a valid 1..64-byte nonce.
std::optional<std::array<std::uint8_t, 64>> expected_report_data(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("nonce") || !doc["nonce"].is_string())
    return std::nullopt;
  const auto nonce = snprelay::decode_base64(doc["nonce"].get<std::string>());
  if (!nonce.ok() || nonce->empty() || nonce->size() > 64)
    return std::nullopt;
  std::array<std::uint8_t, 64> digest{};
  SHA512(nonce->data(), nonce->size(), digest.data());
  return digest;
}

void check_response(const HttpRequest& request, const HttpResponse& r, const RecordingGenerator& generator,
                    int calls_before, bool needs_token) {
  const int status = r.status;
  const bool documented =
      status == 200 || status == 400 || status == 401 || status == 404 || status == 405 || status == 503;
  fuzz_check(documented, "the API answered a status it does not document");
  const int calls = generator.calls - calls_before;
  if (status == 400 || status == 401 || status == 404 || status == 405) {
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    fuzz_check(
        doc.is_object() && doc.contains("error") && doc["error"].is_object() && doc["error"].contains("code"),
        "an API error body is not {\"error\": {\"code\", ...}}");
    fuzz_check(calls == 0, "a refused request reached the report generator");
  }
  if (request.path() != "/v1/attestation/generate" || status != 200)
    return;
  fuzz_check(request.method == "POST", "generate answered 200 to a method other than POST");
  const auto expected = expected_report_data(request.body);
  fuzz_check(expected.has_value(), "generate answered 200 to a body without a valid nonce");
  fuzz_check(calls == 1 && generator.asked == *expected, "the generator was not asked for SHA-512(nonce)");
  if (needs_token)
    fuzz_check(request.header("authorization") == "Bearer fuzz-token",
               "generate answered 200 without the token");
  if (r.content_type == "application/json") {
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    fuzz_check(doc.is_object() && doc.contains("report_base64"),
               "a JSON generate answer has no report_base64");
  } else {
    fuzz_check(r.body == std::string(1184, static_cast<char>(0xAB)),
               "a raw generate answer is not the report");
  }
}

struct Api {
  RecordingGenerator generator;
  HealthyHost health;
  MetricsRegistry open_metrics;
  MetricsRegistry token_metrics;
  ApiRoutes open{generator, health, open_metrics, RoutesOptions{}};
  ApiRoutes protected_routes{generator, health, token_metrics,
                             RoutesOptions{snprelay::SecretBytes::from_string("fuzz-token"), {}, {}}};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api api;
  HttpRequest request;
  if (!parse_request(data, size, request))
    return 0;
  int before = api.generator.calls;
  const HttpResponse open = api.open.handle(request);
  check_response(request, open, api.generator, before, false);
  before = api.generator.calls;
  const HttpResponse guarded = api.protected_routes.handle(request);
  check_response(request, guarded, api.generator, before, true);
  return 0;
}
