// Verifying an SEV-SNP attestation report against AMD's pinned roots (DESIGN.md §4).
//
// Verifier::verify() takes the raw report bytes and the VCEK/VLEK certificate (DER) and returns a
// Verdict (verdict.hpp): accepted, or every failed check with its stable code. It never throws for bad
// input and never returns an Error: a malformed report or certificate is a negative verdict.
//
// Checks, in this order (cheap first):
//   1. size 1184; VERSION in `accepted_versions`; SIGNATURE_ALGO = 1; every reserved byte/bit zero
//      (report ranges by version, POLICY 63:26, PLATFORM_INFO 6 and 63:8, KEY_INFO 31:5); R and S
//      non-zero, below the P-384 order, their upper 24 bytes zero.
//   2. REPORT_DATA (when given); VMPL <= 3 and in `vmpls` (when given).
//   3. guest policy (debug, migration agent, SMT, CXL, ABI minimum, required bits, bit 17), platform
//      info, guest SVN, exact-match fields, ID block / author key, mitigation vectors.
//   4. KEY_INFO signer (VCEK; VLEK only if allowed; never NONE/reserved); CHIP_ID not masked unless allowed.
//   5. MEASUREMENT in `measurements` (when given).
//   6. VEK chain: VEK (ECDSA P-384, CN SEV-VCEK/SEV-VLEK, AMD RSA-PSS profile) signed by an ASK/ASVK
//      (pinned, or supplied as an intermediate) signed by a trusted ARK (pinned, or added through
//      TrustConfig); all three valid at `at`; not revoked by a CRL the ARK signed; certificate type
//      equals the KEY_INFO signer; products of report CPUID, chain, VEK productName/structVersion and
//      options agree; hwID = CHIP_ID (first 8 bytes on Turin) unless CHIP_ID is zero; VEK TCB =
//      REPORTED_TCB and VEK TCB <= CURRENT_TCB.
//   7. minimum TCBs (reported, launch), minimum firmware build/version, committed = current unless
//      provisional firmware is permitted.
//   8. ECDSA P-384/SHA-384 over the raw bytes 0x000..0x29F with the VEK's key.
// Integrity checks (1, 4, 6, 8, debug, migration agent, bit 17) always run; the others only when the
// corresponding option is set, as in go-sev-guest's validate.Options — the relayer and chain set them.
//
// Thread-safety: a Verifier may be shared by threads; verify() is const and its verified-chain cache is
// guarded by a mutex. The pinned roots are process-wide immutable data.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "attest/ossl.hpp"
#include "attest/report.hpp"
#include "attest/tcb.hpp"
#include "attest/verdict.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

// Guest POLICY constraints (go-sev-guest validate.Options.GuestPolicy). `allow_*` bits may be set in
// the report only when true here; `require_*` bits must be set in the report when true here.
struct GuestPolicyOptions {
  std::uint8_t min_abi_major = 0;  // report POLICY ABI must be >= min_abi_major.min_abi_minor
  std::uint8_t min_abi_minor = 0;
  bool allow_smt = true;  // DESIGN.md §4: SMT permitted unless denied
  bool allow_migrate_ma = false;
  bool allow_debug = false;  // never true in `require` hardware mode
  bool allow_cxl = false;
  bool require_single_socket = false;
  bool require_mem_aes_256_xts = false;
  bool require_rapl_dis = false;
  bool require_ciphertext_hiding = false;
  bool require_page_swap_disable = false;
};

// PLATFORM_INFO constraints (validate.Options.PlatformInfo): `allow_*` bits may be set only if true,
// `require_*` bits must be set.
struct PlatformInfoOptions {
  bool allow_smt = true;
  bool allow_tsme = true;
  bool allow_tio = true;
  bool require_ecc = false;
  bool require_rapl_dis = false;
  bool require_ciphertext_hiding = false;
  bool require_alias_check = false;
};

struct FirmwareVersion {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
};

// Everything a caller can ask for. Each member names its go-sev-guest equivalent when it has one.
struct VerifyOptions {
  std::time_t at = 0;  // verification time (Options.Now); certificates must be valid then
  std::vector<std::uint32_t> accepted_versions = {2, 3, 4, 5};  // v4 = v3 layout, seen on GCP Milan
  std::optional<Product> product;                               // Options.Product (forced product)
  GuestPolicyOptions guest_policy;                              // GuestPolicy
  std::optional<PlatformInfoOptions> platform_info;             // PlatformInfo (unchecked if unset)
  std::optional<ByteArray<64>> report_data;                     // ReportData
  std::vector<ByteArray<48>> measurements;                      // Measurement (any of; unchecked if empty)
  std::optional<ByteArray<32>> host_data;                       // HostData
  std::optional<ByteArray<16>> image_id;                        // ImageID
  std::optional<ByteArray<16>> family_id;                       // FamilyID
  std::optional<ByteArray<32>> report_id;                       // ReportID
  std::optional<ByteArray<32>> report_id_ma;                    // ReportIDMA
  std::optional<ByteArray<64>> chip_id;                         // ChipID
  std::vector<std::uint32_t> vmpls;                             // VMPL (any of; 0..3 if empty)
  std::uint32_t minimum_guest_svn = 0;                          // MinimumGuestSvn
  // (POLICY & policy_mask) must equal policy_value: an allowlist entry's policy constraint (no
  // go-sev-guest equivalent; the chain's verify package applies the same rule). 0/0 = unchecked.
  std::uint64_t policy_mask = 0;
  std::uint64_t policy_value = 0;
  std::uint8_t minimum_build = 0;                        // MinimumBuild
  std::optional<FirmwareVersion> minimum_version;        // MinimumVersion
  std::optional<MinTcb> minimum_tcb;                     // MinimumTCB (REPORTED_TCB)
  std::optional<MinTcb> minimum_launch_tcb;              // MinimumLaunchTCB
  bool permit_provisional_firmware = false;              // PermitProvisionalFirmware
  bool require_author_key = false;                       // RequireAuthorKey
  bool require_id_block = false;                         // RequireIDBlock
  std::vector<ByteArray<48>> trusted_author_key_hashes;  // TrustedAuthorKeyHashes
  std::vector<ByteArray<48>> trusted_id_key_hashes;      // TrustedIDKeyHashes
  std::uint64_t minimum_launch_mit_vector = 0;           // MinimumLaunchMitigationVector
  std::uint64_t minimum_current_mit_vector = 0;          // MinimumCurrentMitigationVector
  bool allow_vlek = false;
  bool allow_chip_id_masked = false;
  bool use_chain_cache = true;  // reuse a VEK chain verified earlier by this Verifier (times re-checked)
};

// Trust beyond the compiled-in AMD roots. Empty by default: only AMD's ARKs are trusted.
struct TrustConfig {
  // Extra trust anchors (self-signed roots such as the simulated firmware's ARK). Each must be
  // self-signed; its product is read from a CN of the form "ARK-{product}".
  std::vector<X509Ptr> extra_roots;
  // CRLs of the chain's ARK. Every CRL given must be issued by the verified chain's ARK and verify
  // with its key; one issued by anyone else, or whose signature does not verify, makes the chain
  // untrusted (CHAIN_UNTRUSTED) — never silently skipped. Freshness (nextUpdate) is the
  // caller's decision and is not checked here: see crl_expired_at() in certs.hpp.
  std::vector<X509CrlPtr> crls;
};

class Verifier {
 public:
  // Errors: attest TRUST_ROOT_INVALID when an extra root is not self-signed.
  [[nodiscard]] static Result<Verifier> create(TrustConfig trust = {});

  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;
  ~Verifier();

  // Verifies `report` (raw bytes as received) signed by the VEK in `vek_der`. `intermediates` may
  // supply ASK/ASVK certificates (e.g. from a host certificate table or --chain); they never add
  // trust: they must themselves be signed by a trusted ARK.
  [[nodiscard]] Verdict verify(std::span<const std::uint8_t> report, std::span<const std::uint8_t> vek_der,
                               const VerifyOptions& options,
                               std::span<const X509* const> intermediates = {}) const;

  // Drops every cached chain (e.g. after the trust configuration of a caller changed).
  void clear_chain_cache() const;

 private:
  struct Impl;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The report's R and S converted to a DER ECDSA-Sig-Value, or an Error (attest SIGNATURE_ENCODING)
// when either is zero, not below the P-384 order or has a non-zero upper 24 bytes.
[[nodiscard]] Result<Bytes> report_signature_der(const Report& report);

}  // namespace snprelay::attest
