#include "common/curl_handle.hpp"

#include <algorithm>

namespace snprelay {

CurlPtr open_curl(std::chrono::milliseconds timeout, const std::string& ca_bundle) {
  static const bool kInit = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!kInit)
    return nullptr;
  CurlPtr curl(curl_easy_init());
  if (!curl)
    return nullptr;
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_bundle.empty())
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_bundle.c_str());
  set_curl_timeout(curl.get(), timeout);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "snprelay");
  return curl;
}

void set_curl_timeout(CURL* curl, std::chrono::milliseconds timeout) {
  // Never 0 (curl's "no timeout"): a deadline already spent still gets one millisecond and fails.
  const long ms = static_cast<long>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 1));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
}

bool is_http_url(const std::string& url) {
  return (url.starts_with("http://") && url.size() > 7) || (url.starts_with("https://") && url.size() > 8);
}

}  // namespace snprelay
