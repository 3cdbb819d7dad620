// Fuzz target: certificate parsing (DER and PEM) and the AMD KDS extension / PSS-profile readers.
// Invariants: cert_sha256 is the SHA-256 of cert_der; cert_der re-parses (parse_cert_der, no trailing
// bytes) to a certificate with the same DER and the same names, PSS profile and extensions; the
// validity answer is -1/0/+1 and monotonic in time; accepted KDS extensions give the same TCB twice.
#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/certs.hpp"
#include "fuzz_check.hpp"

namespace {

using snprelay::fuzz::fuzz_check;

void check_reencoding(const X509& cert) {
  using namespace snprelay::attest;
  const auto der = cert_der(cert);
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(der.data(), der.size(), digest.data());
  fuzz_check(cert_sha256(cert) == digest, "cert_sha256 is not SHA-256(cert_der)");
  auto again = parse_cert_der(der);
  fuzz_check(again.ok(), "cert_der of a parsed certificate does not re-parse");
  fuzz_check(cert_der(**again) == der, "cert_der(parse_cert_der(cert_der(c))) != cert_der(c)");
  fuzz_check(subject_cn(**again) == subject_cn(cert) && issuer_cn(**again) == issuer_cn(cert),
             "names changed across a DER round trip");
  fuzz_check(has_amd_pss_signature(**again) == has_amd_pss_signature(cert),
             "PSS profile changed across a DER round trip");
  const auto ext = parse_vek_extensions(cert);
  const auto ext_again = parse_vek_extensions(**again);
  fuzz_check(ext.ok() == ext_again.ok(), "KDS extensions parse differently across a DER round trip");
  if (ext.ok())
    fuzz_check(vek_tcb(*ext) == vek_tcb(*ext_again), "KDS TCB changed across a DER round trip");
}

void check_validity(const X509& cert) {
  using snprelay::attest::validity_at;
  // 2000-01-01, 2026-06-01, 2040-01-01: the answer may only move forward through -1, 0, +1.
  const int early = validity_at(cert, 946684800);
  const int mid = validity_at(cert, 1780272000);
  const int late = validity_at(cert, 2208988800);
  for (int v : {early, mid, late})
    fuzz_check(v >= -1 && v <= 1, "validity_at returned a value outside -1..1");
  fuzz_check(early <= mid && mid <= late, "validity_at is not monotonic in time");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  auto certs = parse_certs_any(std::span<const std::uint8_t>(data, size));
  if (!certs.ok()) {
    fuzz_check(certs.error().code == "CERT_INVALID",
               "a certificate parse failed with a code other than CERT_INVALID");
    return 0;
  }
  fuzz_check(!certs->empty(), "parse_certs_any succeeded with no certificate");
  for (const auto& cert : *certs) {
    check_reencoding(*cert);
    check_validity(*cert);
    (void)describe_validity(*cert);
  }
  return 0;
}
