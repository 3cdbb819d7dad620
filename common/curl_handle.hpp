// The one libcurl set-up every HTTP client of snprelay uses (the KDS fetcher, the CometBFT RPC
// transport): so the protocol and TLS policy is written once.
//
// open_curl() returns an easy handle owned by a unique_ptr, with curl_global_init done once through a
// function-local static, and this policy applied: protocols http and https only (CURLOPT_PROTOCOLS_STR,
// so a URL or a redirect cannot reach file://, gopher:// ...), redirects not followed, no signals
// (safe in threads), TLS peer and host verification on (`ca_bundle` adds a CA file, e.g. for a local
// stand-in), and the whole transfer bounded by `timeout` (connect included). The caller sets the URL,
// method, headers and callbacks. Returns nullptr when libcurl cannot allocate a handle.
//
// Thread-safety: each call returns an independent handle; use one handle from one thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

namespace snprelay {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

[[nodiscard]] CurlPtr open_curl(std::chrono::milliseconds timeout, const std::string& ca_bundle = {});

// Sets the whole-transfer and connect deadlines of a handle to `timeout` (at least 1 ms: never curl's
// "no timeout"), as open_curl does: for a handle kept for another request.
void set_curl_timeout(CURL* curl, std::chrono::milliseconds timeout);

// True for "http://..." and "https://..." with something after the scheme.
[[nodiscard]] bool is_http_url(const std::string& url);

}  // namespace snprelay
