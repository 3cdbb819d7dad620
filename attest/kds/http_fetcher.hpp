// CertFetcher: gets certificate bytes by URL. HttpFetcher is the libcurl implementation used for
// AMD's KDS (and the local stand-in); tests may substitute any CertFetcher.
//
// HttpFetcher policy (docs/DESIGN.md §5):
//  - TLS peer and host verification are always on; `ca_bundle` adds trust for a local stand-in only.
//  - The whole fetch — every attempt and every wait between them — ends by `deadline` (measured from the
//    call): an attempt gets min(`timeout`, what is left), and no retry starts or sleeps past it. Each
//    retry is logged (spdlog warn) with the attempt number, why it failed and the wait.
//  - libcurl is set up by common/curl_handle.hpp: http and https only, no redirects, TLS verified.
//  - 200 with a body: done. 429 or 503 with Retry-After (seconds or HTTP date): wait that long, then
//    retry. 5xx, 429 without Retry-After, and transport errors: retry after exponential backoff
//    (`initial_backoff` doubling up to `max_backoff`) with ±25% jitter. Other 4xx (400 bad parameters,
//    404 unknown hwID/TCB): fail at once, naming the status and URL — a retry cannot fix them.
//  - Bodies over 1 MiB are refused (a certificate is ~1.5 KiB, a CRL a few KiB).
// Errors (component "attest"): KDS_HTTP_STATUS (final 4xx), KDS_UNAVAILABLE (retry budget spent,
// with the attempts, last status or curl error and the URL), BAD_URL.
// Thread-safety: fetch() may be called from several threads at once (one curl handle per call).
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

class CertFetcher {
 public:
  virtual ~CertFetcher() = default;
  [[nodiscard]] virtual Result<Bytes> fetch(const std::string& url) = 0;
};

struct HttpFetcherOptions {
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds deadline{120'000};
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{30'000};
  std::string ca_bundle;  // extra CA file (PEM); empty = system trust store only
};

class HttpFetcher final : public CertFetcher {
 public:
  explicit HttpFetcher(HttpFetcherOptions options);
  [[nodiscard]] Result<Bytes> fetch(const std::string& url) override;
  // Requests actually sent (attempts), for metrics and tests.
  [[nodiscard]] std::uint64_t requests_sent() const { return requests_.load(); }

 private:
  HttpFetcherOptions options_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace snprelay::attest
