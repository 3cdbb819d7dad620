// Building and checking the VEK certificate chain: VCEK/VLEK -> ASK/ASVK -> ARK (internal to attest/,
// used by verify.cpp; tests reach it only through Verifier).
//
// ChainVerifier holds the trust anchors (the pinned AMD ARKs plus any extra roots), the CRLs and a
// verified-chain cache keyed by the SHA-256 of the VEK's DER. Only the structural/signature part of a
// successful chain is cached; validity at the requested time and revocation are checked on every call,
// so a cached chain is never accepted after a certificate expires or a CRL lists it. With the cache off
// (or on a miss) nothing from an earlier call is reused: the VEK is decoded and every signature below
// the trust anchor (ASK/ASVK -> VEK, ARK -> ASK/ASVK) is verified again. The anchors' self-signatures
// are verified once, when they are installed (amd_pinned_roots(), create()).
//
// Thread-safety: check() is safe from several threads (the cache has a mutex).
#pragma once

#include <array>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "attest/certs.hpp"
#include "attest/verdict.hpp"
#include "attest/verify.hpp"

namespace snprelay::attest {

// A chain whose signatures, names and profiles verified (times and CRLs not included).
struct VerifiedChain {
  X509Ptr vek;
  X509Ptr intermediate;
  X509Ptr ark;
  VekExtensions ext;
  Product product = Product::kUnknown;  // from the intermediate's CN
  bool vlek = false;                    // VLEK chain (ASVK) rather than VCEK (ASK)
};

struct ChainOutcome {
  std::shared_ptr<const VerifiedChain> chain;  // set when the chain is trusted
  X509Ptr untrusted_vek;  // the parsed VEK when the chain is not trusted (its key still checks R,S)
  std::vector<Failure> failures;
  bool from_cache = false;
};

class ChainVerifier {
 public:
  // Errors: attest TRUST_ROOT_INVALID when an extra root is not self-signed.
  [[nodiscard]] static Result<std::unique_ptr<ChainVerifier>> create(TrustConfig trust);

  // Verifies the chain of `vek_der` at time `at`. Failures use CHAIN_UNTRUSTED, CERT_NOT_VALID_AT_TIME,
  // CERT_REVOKED and PRODUCT_MISMATCH (ARK/intermediate product names disagree).
  [[nodiscard]] ChainOutcome check(std::span<const std::uint8_t> vek_der, std::time_t at, bool use_cache,
                                   std::span<const X509* const> intermediates) const;

  void clear_cache() const;

  ChainVerifier() = default;  // use create()

 private:
  struct Anchor {
    const X509* cert;  // owned by the pinned roots or by extra_roots_
    Product product;
  };
  [[nodiscard]] ChainOutcome build(std::span<const std::uint8_t> vek_der,
                                   std::span<const X509* const> intermediates) const;
  void check_times_and_crls(const VerifiedChain& chain, std::time_t at, std::vector<Failure>& out) const;

  std::vector<X509Ptr> extra_roots_;
  std::vector<X509CrlPtr> crls_;
  std::vector<Anchor> anchors_;
  std::vector<Anchor> pinned_intermediates_;
  mutable std::mutex mu_;
  // Verified chains by VEK DER hash.  GUARDED_BY(mu_)
  mutable std::map<std::array<std::uint8_t, 32>, std::shared_ptr<const VerifiedChain>> cache_;
};

}  // namespace snprelay::attest
