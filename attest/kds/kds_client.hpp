// KdsClient: AMD certificates for a report, from the on-disk cache or from KDS.
//
// vcek() asks for the VCEK of one chip at one TCB (the report's REPORTED_TCB and CHIP_ID). The
// answer is checked before it is cached or returned: it must be one X.509 certificate whose KDS
// extensions carry exactly the requested hwID (64 bytes; Turin 8) and the requested SPLs (bl, tee,
// snp, ucode; fmc on Turin). Anything else — a wrong chip, a wrong TCB, garbage, an HTML error
// page with status 200 — is refused with VCEK_MISMATCH or CERT_INVALID and never cached, so a bad
// answer cannot poison later runs. VCEK entries never expire (immutable per chip and TCB).
//
// chain() returns the PEM ASK-then-ARK (or ASVK-then-ARK) bundle and crl() the DER CRL; both must
// parse and are cached for `chain_ttl`. Trust is not decided here: the verifier checks every
// certificate against the pinned AMD roots on every use, so a tampered cache can only cause a
// rejection, never an acceptance.
//
// Thread-safety: all methods may be called concurrently (the cache is single-flight per key).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "attest/kds/cert_cache.hpp"
#include "attest/kds/http_fetcher.hpp"
#include "attest/kds/kds_url.hpp"
#include "attest/tcb.hpp"

namespace snprelay::attest {

struct KdsClientOptions {
  std::string base_url = "https://kdsintf.amd.com/vcek/v1";
  std::chrono::seconds chain_ttl{24 * 3600};
};

class KdsClient {
 public:
  KdsClient(KdsClientOptions options, std::shared_ptr<CertFetcher> fetcher, std::shared_ptr<CertCache> cache);

  // DER VCEK for `chip_id` (the report's 64-byte CHIP_ID) at `reported_tcb` (decoded for `product`).
  [[nodiscard]] Result<Bytes> vcek(Product product, std::span<const std::uint8_t> chip_id,
                                   const TcbParts& reported_tcb);
  [[nodiscard]] Result<Bytes> chain(Product product, KdsSigner signer);
  [[nodiscard]] Result<Bytes> crl(Product product, KdsSigner signer);

  [[nodiscard]] const CertCache& cache() const { return *cache_; }
  // Fetches from the KDS that ended in an error (every retry spent, a 4xx, a transport failure) since
  // construction; a cache hit fetches nothing. For the daemon's snprelay_kds_fetch_failures_total.
  // Thread-safe (atomic).
  [[nodiscard]] std::uint64_t fetch_failures() const { return failures_->load(); }

 private:
  [[nodiscard]] Result<Bytes> fetch_counted(const std::string& url);

  KdsClientOptions options_;
  std::shared_ptr<CertFetcher> fetcher_;
  std::shared_ptr<CertCache> cache_;
  std::shared_ptr<std::atomic<std::uint64_t>> failures_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

// The check vcek() applies: `der` is one certificate whose hwID and TCB extensions equal the request.
// Exposed for the verifier's tests and for certificates that come from the host's table.
[[nodiscard]] Status check_vcek_matches(std::span<const std::uint8_t> der, Product product,
                                        std::span<const std::uint8_t> chip_id, const TcbParts& tcb);

}  // namespace snprelay::attest
