#include "chain/rpc/curl_transport.hpp"

#include <memory>

#include "common/curl_handle.hpp"

namespace snprelay::chain::rpc {
namespace {

std::size_t on_data(char* ptr, std::size_t size, std::size_t nmemb, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * nmemb > (16u << 20))
    return 0;  // replies over 16 MiB are refused
  out->append(ptr, size * nmemb);
  return size * nmemb;
}

}  // namespace

CurlTransport::CurlTransport() = default;

CurlPtr CurlTransport::take(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CurlPtr curl = std::move(idle_.back());
      idle_.pop_back();
      set_curl_timeout(curl.get(), timeout);
      return curl;
    }
  }
  return open_curl(timeout);
}

void CurlTransport::give_back(CurlPtr curl) {
  // Nothing of the finished call may outlive it in the handle: its header list and reply buffer die now.
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, nullptr);
  std::lock_guard lock(mu_);
  if (idle_.size() < kIdleHandles)
    idle_.push_back(std::move(curl));
}

Result<HttpResponse> CurlTransport::post(const std::string& url, const std::string& body,
                                         std::chrono::milliseconds timeout) {
  if (!is_http_url(url))
    return make_error("rpc", "BAD_URL", "RPC URL must be http:// or https://: " + url, ErrorKind::kInput);
  CurlPtr curl = take(timeout);
  if (!curl)
    return make_error("rpc", "TRANSPORT", "curl_easy_init failed", ErrorKind::kUnavailable);
  // No "Expect: 100-continue": libcurl adds it to bodies over 1 KiB (a signed attestation tx) and then
  // waits up to a second for a reply CometBFT never needs to send.
  CurlSlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  if (headers)
    (void)curl_slist_append(headers.get(), "Expect:");  // appends in place; the head is unchanged
  HttpResponse out;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return make_error("rpc", "TIMEOUT", url + ": no reply within " + std::to_string(timeout.count()) + " ms",
                      ErrorKind::kUnavailable);
  if (rc != CURLE_OK)
    return make_error("rpc", "TRANSPORT",
                      url + ": " + curl_easy_strerror(rc) + " (curl " + std::to_string(rc) + ")",
                      ErrorKind::kUnavailable);
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  give_back(std::move(curl));
  return out;
}

}  // namespace snprelay::chain::rpc
