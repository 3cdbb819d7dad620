// Minting certificates, CRLs and report signatures in AMD's exact profile, with our own keys.
//
// The simulated firmware and the tests' look-alike AMD chain both need certificates that are
// indistinguishable in form from AMD's: the same subject/issuer naming (CN=ARK-Milan / SEV-Milan /
// SEV-VCEK, OU=Engineering, O=Advanced Micro Devices, L=Santa Clara, ST=CA, C=US), RSASSA-PSS
// SHA-384 / MGF1-SHA-384 / salt 48 signatures by the RSA-4096 ARK and ASK, P-384 VCEKs with serial 0
// and no AKI, and the KDS extensions under 1.3.6.1.4.1.3704.1 (structVersion, productName, the SPLs,
// hwID, cspId) — docs/snp-report.md. Nothing here is trusted by the verifier unless a caller explicitly
// adds the minted ARK as a trust root.
//
// All functions return errors (component "attest", code MINT_FAILED naming the OpenSSL step) rather
// than aborting; keys are generated with the default OpenSSL provider's CSPRNG.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attest/ossl.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

[[nodiscard]] Result<EvpPkeyPtr> generate_rsa4096();
[[nodiscard]] Result<EvpPkeyPtr> generate_p384();

// PEM (PKCS#8, unencrypted: callers store it 0600) and back.
[[nodiscard]] Result<std::string> private_key_pem(EVP_PKEY* key);
[[nodiscard]] Result<EvpPkeyPtr> parse_private_key_pem(std::span<const std::uint8_t> pem);
[[nodiscard]] Result<std::string> cert_pem(const X509& cert);

// An extension given as OID text and the bytes of its extnValue (DER of the inner value).
struct RawExtension {
  std::string oid;
  Bytes value;
};

struct CertSpec {
  std::string common_name;         // "ARK-Milan", "SEV-Milan", "SEV-VLEK-Milan", "SEV-VCEK"
  const X509* issuer = nullptr;    // nullptr: self-signed
  EVP_PKEY* issuer_key = nullptr;  // signs the certificate (RSA → PSS profile; EC → ECDSA-SHA384)
  EVP_PKEY* subject_key = nullptr;
  long serial = 0;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool ca = false;  // basicConstraints CA:TRUE + keyUsage keyCertSign,cRLSign (ARK, ASK)
  std::vector<RawExtension> extensions;
};

[[nodiscard]] Result<X509Ptr> mint_cert(const CertSpec& spec);

// The KDS extensions of a VCEK or VLEK.
struct VekSpec {
  std::int64_t struct_version = 0;  // 0 Milan/Genoa, 1 Turin
  std::string product_name = "Milan-B0";
  std::uint8_t bl = 0, tee = 0, snp = 0, ucode = 0;
  std::optional<std::uint8_t> fmc;  // Turin
  Bytes hw_id;                      // 64 bytes (8 on Turin); empty = none (VLEK)
  std::optional<std::string> csp_id;
};
[[nodiscard]] std::vector<RawExtension> vek_extensions(const VekSpec& spec);
// DER of an ASN.1 INTEGER (the encoding of each SPL extension's value).
[[nodiscard]] Bytes der_integer(long v);

// A CRL issued by `ark` listing `revoked_serials`, valid from `this_update` to `next_update`.
[[nodiscard]] Result<X509CrlPtr> mint_crl(const X509& ark, EVP_PKEY* ark_key,
                                          const std::vector<long>& revoked_serials, std::time_t this_update,
                                          std::time_t next_update);

// Signs bytes [0x000, 0x2A0) of a 1184-byte report with `vcek_key` (ECDSA P-384, SHA-384) and writes
// R and S as 72-byte little-endian integers at 0x2A0 and 0x2E8, zeroing the rest of the signature area.
[[nodiscard]] Status sign_report(std::span<std::uint8_t> report, EVP_PKEY* vcek_key);

}  // namespace snprelay::attest
