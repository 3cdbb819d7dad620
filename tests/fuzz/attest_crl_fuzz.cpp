// Fuzz target: CRL parsing (DER and PEM), freshness and the revocation lookups against the pinned AMD roots.
// Invariants: a refusal is CRL_INVALID; staleness is monotonic in time and a CRL without nextUpdate
// never goes stale. Signature checks and revocation lookups against the pinned roots must not crash
// (fuzz_attest_signed asserts that a mutated signed CRL never verifies).
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/amd_roots.hpp"
#include "attest/certs.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  using snprelay::fuzz::fuzz_check;
  auto crl = parse_crl(std::span<const std::uint8_t>(data, size));
  if (!crl.ok()) {
    fuzz_check(crl.error().code == "CRL_INVALID", "a CRL parse failed with a code other than CRL_INVALID");
    return 0;
  }
  const bool stale_2000 = crl_expired_at(**crl, 946684800);
  const bool stale_2026 = crl_expired_at(**crl, 1780272000);
  const bool stale_2040 = crl_expired_at(**crl, 2208988800);
  fuzz_check((!stale_2000 || stale_2026) && (!stale_2026 || stale_2040),
             "CRL staleness is not monotonic in time");
  if (crl_next_update(**crl).empty())
    fuzz_check(!stale_2040, "a CRL without nextUpdate went stale");
  (void)crl_this_update(**crl);
  const PinnedRoots& roots = amd_pinned_roots();
  for (const auto& ark : roots.arks)
    (void)crl_signed_by(**crl, X509_get0_pubkey(ark.cert.get()));
  for (const auto& inter : roots.intermediates)
    (void)crl_lists(**crl, *inter.cert);
  return 0;
}
