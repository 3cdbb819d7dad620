// Fuzz target: certificate parsing (DER and PEM) and the AMD KDS extension / PSS-profile readers.
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/certs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  auto certs = parse_certs_any(std::span<const std::uint8_t>(data, size));
  if (!certs.ok())
    return 0;
  for (const auto& cert : *certs) {
    (void)subject_cn(*cert);
    (void)issuer_cn(*cert);
    (void)has_amd_pss_signature(*cert);
    (void)validity_at(*cert, 1780272000);
    (void)describe_validity(*cert);
    (void)cert_sha256(*cert);
    auto ext = parse_vek_extensions(*cert);
    if (ext.ok())
      (void)vek_tcb(*ext);
  }
  return 0;
}
