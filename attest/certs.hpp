// X.509 certificates and CRLs of the AMD SEV-SNP key hierarchy (docs/snp-report.md "Certificates and trust").
//
//   ARK (RSA-4096, self-signed) -> ASK (VCEK chain) or ASVK (VLEK chain) -> VCEK / VLEK (ECDSA P-384)
// Every signature is RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
//
// These helpers parse and inspect; the trust decision (which ARK is trusted, at which time, for which
// report) is verify.hpp's. All parsing functions treat their input as hostile: any malformed byte yields
// an Error (component "attest", code CERT_INVALID or CRL_INVALID) naming what was wrong, never a crash.
// AMD's real VCEKs have serial number 0 and no Authority Key Identifier; they parse and verify here.
//
// Thread-safety: pure functions; the returned handles are owned by the caller.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/ossl.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

// Parses one DER certificate; trailing bytes are an error.
[[nodiscard]] Result<X509Ptr> parse_cert_der(std::span<const std::uint8_t> der);

// Parses every "CERTIFICATE" PEM block in `pem`, in order; an empty result is an error.
[[nodiscard]] Result<std::vector<X509Ptr>> parse_certs_pem(std::string_view pem);

// Parses DER or PEM (one or more certificates), deciding by the first bytes.
[[nodiscard]] Result<std::vector<X509Ptr>> parse_certs_any(std::span<const std::uint8_t> bytes);

// The certificate's DER encoding and its SHA-256 (the fingerprint AMD roots are pinned by).
[[nodiscard]] Bytes cert_der(const X509& cert);
[[nodiscard]] std::array<std::uint8_t, 32> cert_sha256(const X509& cert);

// The subject's / issuer's commonName, or "" when absent.
[[nodiscard]] std::string subject_cn(const X509& cert);
[[nodiscard]] std::string issuer_cn(const X509& cert);

// True when the certificate's signature algorithm is RSASSA-PSS with SHA-384, MGF1-SHA-384 and salt
// length 48 — the only algorithm AMD uses for the ARK, ASK, ASVK, VCEK and VLEK.
[[nodiscard]] bool has_amd_pss_signature(const X509& cert);

// True when `cert`'s signature verifies with `issuer_key` (no name or time checks).
[[nodiscard]] bool signed_by(const X509& cert, EVP_PKEY* issuer_key);

// -1 when `at` is before notBefore, +1 when after notAfter, 0 inside the validity window. A certificate
// whose dates cannot be read counts as not valid (+1).
[[nodiscard]] int validity_at(const X509& cert, std::time_t at);

// "2022-09-24T00:55:28Z → 2029-09-24T00:55:28Z" for messages.
[[nodiscard]] std::string describe_validity(const X509& cert);

// The AMD KDS extensions of a VCEK or VLEK (OID arc 1.3.6.1.4.1.3704.1, docs/snp-report.md).
struct VekExtensions {
  std::int64_t struct_version = -1;                      // .1: 0 Milan/Genoa, 1 Turin
  std::string product_name;                              // .2: "Milan-B0", "Genoa", "Turin"
  std::optional<std::uint8_t> bl, tee, snp, ucode, fmc;  // .3.1 .3.2 .3.3 .3.8 .3.9
  std::optional<std::uint8_t> spl4, spl5, spl6, spl7;    // .3.4 .. .3.7 (reserved, 0)
  std::optional<Bytes> hw_id;                            // .4: 64 raw bytes (v0) or 8 (v1); VCEK only
  std::optional<std::string> csp_id;                     // .5: VLEK only
};

// Reads the KDS extensions. Errors (attest CERT_INVALID): an extension appears twice, an SPL is not an
// INTEGER in 0..255, productName/csp_id not an IA5String, hwID not 8 or 64 bytes (an OCTET STRING
// wrapper is accepted), an unknown OID under the KDS arc, or structVersion / productName / any of bl,
// tee, snp, ucode missing.
[[nodiscard]] Result<VekExtensions> parse_vek_extensions(const X509& cert);

// The 8-byte TCB the extensions describe, in the layout of their structVersion (0: Milan/Genoa,
// 1: Turin). Missing reserved SPLs count as 0.
[[nodiscard]] std::uint64_t vek_tcb(const VekExtensions& ext);

// Parses a CRL, DER or PEM. Error: attest CRL_INVALID.
[[nodiscard]] Result<X509CrlPtr> parse_crl(std::span<const std::uint8_t> bytes);

// True when the CRL's signature verifies with `issuer_key` (AMD CRLs are signed by the ARK).
[[nodiscard]] bool crl_signed_by(const X509_CRL& crl, EVP_PKEY* issuer_key);

// True when `cert`'s serial number is listed in `crl` (the issuer name is not compared).
[[nodiscard]] bool crl_lists(const X509_CRL& crl, const X509& cert);

// True when the CRL is stale at `at`: its nextUpdate is before `at`, or is present but unreadable. A CRL
// without nextUpdate never goes stale. The verifier does not judge freshness (a stale CRL is not a
// property of the report); callers decide — `snprelay verify` refuses a stale --crl as an input error.
[[nodiscard]] bool crl_expired_at(const X509_CRL& crl, std::time_t at);

// The CRL's thisUpdate and nextUpdate as "2025-01-01T00:00:00Z", "?" when unreadable, "" when absent.
[[nodiscard]] std::string crl_this_update(const X509_CRL& crl);
[[nodiscard]] std::string crl_next_update(const X509_CRL& crl);

}  // namespace snprelay::attest
