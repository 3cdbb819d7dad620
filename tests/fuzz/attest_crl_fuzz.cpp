// Fuzz target: CRL parsing (DER and PEM), freshness and the revocation lookups against the pinned AMD roots.
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/amd_roots.hpp"
#include "attest/certs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  auto crl = parse_crl(std::span<const std::uint8_t>(data, size));
  if (!crl.ok())
    return 0;
  (void)crl_expired_at(**crl, 1780272000);
  (void)crl_this_update(**crl);
  (void)crl_next_update(**crl);
  const PinnedRoots& roots = amd_pinned_roots();
  (void)crl_signed_by(**crl, X509_get0_pubkey(roots.arks.front().cert.get()));
  for (const auto& inter : roots.intermediates)
    (void)crl_lists(**crl, *inter.cert);
  return 0;
}
