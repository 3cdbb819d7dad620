#include "attest/kds/http_fetcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "common/ascii.hpp"
#include "common/curl_handle.hpp"

namespace snprelay::attest {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;

struct Response {
  Bytes body;
  bool too_large = false;
  std::optional<std::chrono::milliseconds> retry_after;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  const std::size_t len = size * n;
  if (r->body.size() + len > kMaxBody) {
    r->too_large = true;
    return 0;  // aborts the transfer
  }
  r->body.insert(r->body.end(), data, data + len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  const std::size_t len = size * n;
  std::string line(data, len);
  const std::string name = "retry-after:";
  if (line.size() > name.size() && ascii_istarts_with(line, name)) {
    std::string value = line.substr(name.size());
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    if (!value.empty() && std::all_of(value.begin(), value.end(), ::isdigit) && value.size() < 9) {
      r->retry_after = std::chrono::seconds(std::stol(value));
    } else if (const time_t when = curl_getdate(value.c_str(), nullptr); when > 0) {
      const auto delta = std::chrono::system_clock::from_time_t(when) - std::chrono::system_clock::now();
      r->retry_after = std::max(std::chrono::milliseconds(0),
                                std::chrono::duration_cast<std::chrono::milliseconds>(delta));
    }
  }
  return len;
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.75, 1.25);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * dist(rng)));
}

}  // namespace

HttpFetcher::HttpFetcher(HttpFetcherOptions options) : options_(std::move(options)) {}

Result<Bytes> HttpFetcher::fetch(const std::string& url) {
  if (!is_http_url(url)) {
    return make_error("attest", "BAD_URL", "KDS URL must be http:// or https://: " + url, ErrorKind::kInput);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options_.deadline;
  auto backoff = options_.initial_backoff;
  std::string last;
  int attempt = 0;
  while (attempt < options_.max_attempts) {
    ++attempt;
    // Each attempt gets what is left of the one overall deadline at most: the deadline bounds the
    // whole fetch, retries and waits included, not each try.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      last += (last.empty() ? "" : "; ") + std::string("the ") + std::to_string(options_.deadline.count()) +
              " ms deadline passed";
      break;
    }
    CurlPtr curl = open_curl(std::min(options_.timeout, left), options_.ca_bundle);
    if (!curl)
      return make_error("attest", "KDS_UNAVAILABLE", "curl_easy_init failed", ErrorKind::kUnavailable);
    Response resp;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CurlSlistPtr headers(curl_slist_append(nullptr, "Accept: */*"));
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &resp);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errbuf);
    ++requests_;
    const CURLcode rc = curl_easy_perform(curl.get());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);

    std::optional<std::chrono::milliseconds> wait;
    if (rc == CURLE_OK && status == 200) {
      if (resp.body.empty()) {
        last = "HTTP 200 with an empty body";
      } else {
        return std::move(resp.body);
      }
    } else if (resp.too_large) {
      return make_error("attest", "KDS_UNAVAILABLE", url + " sent more than 1 MiB; refusing it",
                        ErrorKind::kUnavailable);
    } else if (rc != CURLE_OK) {
      last = std::string("curl error ") + std::to_string(rc) + ": " +
             (errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc));
      if (rc == CURLE_SSL_CACERT || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
        return make_error("attest", "KDS_UNAVAILABLE", url + ": TLS verification failed (" + last + ")",
                          ErrorKind::kUnavailable);
      }
    } else if (status == 429 || status == 503) {
      last = "HTTP " + std::to_string(status);
      wait = resp.retry_after;
    } else if (status >= 500) {
      last = "HTTP " + std::to_string(status);
    } else {
      return make_error("attest", "KDS_HTTP_STATUS",
                        url + " answered HTTP " + std::to_string(status) +
                            (status == 404 ? " (KDS does not know this hwID/TCB/product combination)" : "") +
                            (status == 400 ? " (KDS rejected the request parameters)" : ""),
                        ErrorKind::kUnavailable);
    }
    if (attempt >= options_.max_attempts)
      break;
    const auto pause = wait ? *wait : jittered(backoff);
    if (!wait)
      backoff = std::min(backoff * 2, options_.max_backoff);
    if (std::chrono::steady_clock::now() + pause >= deadline) {
      last += "; the next retry would pass the " + std::to_string(options_.deadline.count()) + " ms deadline";
      break;
    }
    spdlog::warn("KDS fetch {}: attempt {} of {} failed ({}); retrying in {} ms", url, attempt,
                 options_.max_attempts, last, pause.count());
    std::this_thread::sleep_for(pause);
  }
  return make_error("attest", "KDS_UNAVAILABLE",
                    url + " failed after " + std::to_string(attempt) + " attempt(s): " + last,
                    ErrorKind::kUnavailable);
}

}  // namespace snprelay::attest
