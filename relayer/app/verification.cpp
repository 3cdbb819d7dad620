#include "relayer/app/verification.hpp"

#include <sys/stat.h>

#include "attest/certs.hpp"
#include "attest/kds/http_fetcher.hpp"
#include "relayer/app/input.hpp"

namespace snprelay::app {
KdsRequest kds_request_from(const config::Config& config) {
  const auto& snp = config.enclave.sev_snp;
  KdsRequest r;
  r.base_url = snp.kds_base_url;
  r.cache_dir = snp.cert_cache_path;
  r.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(snp.kds_timeout);
  r.ca_bundle = snp.kds_ca_bundle;
  r.chain_ttl = std::chrono::duration_cast<std::chrono::seconds>(snp.cert_cache_ttl);
  return r;
}

Result<std::unique_ptr<attest::KdsClient>> make_kds_client(const KdsRequest& r) {
  if (r.base_url.rfind("http://", 0) != 0 && r.base_url.rfind("https://", 0) != 0)
    return make_error("app", "BAD_FLAG",
                      "--kds must be an http:// or https:// URL, got \"" + r.base_url + "\"",
                      ErrorKind::kInput);
  if (r.cache_dir.empty())
    return make_error("app", "BAD_FLAG", "--cache: empty", ErrorKind::kInput);
  if (r.timeout.count() <= 0)
    return make_error("app", "BAD_FLAG", "--timeout must be positive", ErrorKind::kInput);
  auto cache = attest::CertCache::open(r.cache_dir);
  if (!cache)
    return cache.error();
  attest::HttpFetcherOptions fo;
  fo.deadline = r.timeout;  // the whole fetch, every retry included
  fo.timeout = std::min(fo.timeout, r.timeout);
  fo.ca_bundle = r.ca_bundle;
  attest::KdsClientOptions ko;
  ko.base_url = r.base_url;
  ko.chain_ttl = r.chain_ttl;
  return std::make_unique<attest::KdsClient>(ko, std::make_shared<attest::HttpFetcher>(fo),
                                             std::shared_ptr<attest::CertCache>(std::move(*cache)));
}

attest::VerifyOptions verify_options_from(const config::Config& config, std::time_t at) {
  const auto& snp = config.enclave.sev_snp;
  attest::VerifyOptions o;
  o.at = at;
  o.product = snp.product_name;
  o.guest_policy.allow_debug = snp.allow_debug_policy;
  o.minimum_tcb = snp.min_tcb;
  o.vmpls = {static_cast<std::uint32_t>(snp.vmpl)};
  return o;
}

Result<attest::TrustConfig> trust_from(const config::Config& config) {
  attest::TrustConfig trust;
  if (config.enclave.hardware_mode == config::HardwareMode::kRequire)
    return trust;
  const std::string root = config.enclave.sev_snp.sim_state_dir + "/ark.pem";
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0)
    return trust;  // no simulated firmware yet: AMD's roots only
  auto bytes = read_input_file(root, kMaxCertificateFileBytes, "simulated root");
  if (!bytes)
    return bytes.error();
  auto certs = attest::parse_certs_any(*bytes);
  if (!certs)
    return make_error("app", "BAD_TRUST_ROOT", root + ": " + certs.error().message, ErrorKind::kInput);
  for (auto& c : *certs)
    trust.extra_roots.push_back(std::move(c));
  return trust;
}

}  // namespace snprelay::app
