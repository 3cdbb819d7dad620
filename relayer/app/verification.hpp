// What the relayer needs to check a report: the KDS client with its cache, and the configuration
// mapped to the verifier's options and trust.
//
//   kds_request_from()   [enclave.sev_snp] kds_base_url, kds_timeout, kds_ca_bundle, cert_cache_path,
//                        cert_cache_ttl as a KdsRequest (the CLI's `fetch` fills one from its flags)
//   make_kds_client()    the cache directory opened and a KdsClient over libcurl. `timeout` bounds the
//                        whole fetch (every retry included), not each try.
//   verify_options_from() product, allow_debug_policy, min_tcb, vmpl -> VerifyOptions at time `at`
//   trust_from()         AMD's compiled-in roots only with hardware_mode = "require"; otherwise also
//                        the simulated firmware's own root (sim_state_dir/ark.pem) when present, so a
//                        simulated report verifies in "auto"/"simulate" mode and never in "require".
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include "attest/kds/kds_client.hpp"
#include "attest/verify.hpp"
#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::app {

struct KdsRequest {
  std::string base_url = "https://kdsintf.amd.com/vcek/v1";
  std::string cache_dir;
  std::chrono::milliseconds timeout{30'000};
  std::string ca_bundle;
  std::chrono::seconds chain_ttl{24 * 3600};
};

[[nodiscard]] KdsRequest kds_request_from(const config::Config& config);

// Errors: app BAD_FLAG (kInput) for a URL that is not http(s):// or an empty cache directory; the
// cache's own errors when the directory cannot be opened.
[[nodiscard]] Result<std::unique_ptr<attest::KdsClient>> make_kds_client(const KdsRequest& r);

[[nodiscard]] attest::VerifyOptions verify_options_from(const config::Config& config, std::time_t at);

// Errors: app BAD_TRUST_ROOT (kInput) when the simulated root exists but does not parse.
[[nodiscard]] Result<attest::TrustConfig> trust_from(const config::Config& config);

}  // namespace snprelay::app
