#include "attest/tpm/tpm_error.hpp"

#include <tss2/tss2_common.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string_view>

namespace snprelay::attest::tpm {

namespace {

constexpr std::uint32_t kLayerMask = 0xFF0000u;
constexpr std::uint32_t kTpmLayer = 0x000000u;
constexpr std::uint32_t kResmgrTpmLayer = 0x0C0000u;  // TSS2_RESMGR_TPM_RC_LAYER (e.g. tabrmd)
constexpr std::uint32_t kTctiLayer = 0x0A0000u;

bool from_tpm(std::uint32_t rc) {
  const std::uint32_t layer = rc & kLayerMask;
  return layer == kTpmLayer || layer == kResmgrTpmLayer;
}

}  // namespace

std::uint32_t base_tpm_rc(std::uint32_t rc) {
  if (!from_tpm(rc))
    return rc;
  const std::uint32_t code = rc & 0xFFFFu;
  // Format-one codes (bit 7) carry the error in bits 0..5, a parameter flag in bit 6 and a
  // handle/session/parameter number in bits 8..11 (TPM 2.0 Part 2, 6.6): 0x1DF and 0x99D -> 0x09F, 0x09D.
  if ((code & 0x080u) != 0)
    return 0x080u | (code & 0x03Fu);
  return code;
}

Error tpm_error(std::string code, std::string message) {
  // The kind is decided here, once, from the code: the operator's input, an unreachable TPM, a TPM
  // whose state refuses (policy), or an internal failure.
  static constexpr std::string_view kInputCodes[] = {"BAD_TCTI",       "TPM_BAD_TCTI", "BAD_PCRS",
                                                     "BAD_SECRET",     "BAD_BLOB",     "BAD_NONCE",
                                                     "BAD_QUOTE_FILE", "BAD_AK_KEY",   "TPM_BLOB_FOREIGN"};
  ErrorKind kind = ErrorKind::kInternal;
  if (std::find(std::begin(kInputCodes), std::end(kInputCodes), code) != std::end(kInputCodes))
    kind = ErrorKind::kInput;
  // A PCR policy mismatch is the platform's state, not the caller's input: the key opens again once
  // the PCRs hold the sealed values (after a reset or a reboot), so it is "unavailable" (exit 3,
  // README "Exit codes"), like an unreachable TPM.
  else if (code == "TPM_UNREACHABLE" || code == "TPM_POLICY_MISMATCH")
    kind = ErrorKind::kUnavailable;
  return make_error(std::string(kComponent), std::move(code), std::move(message), kind);
}

Error tss2_error(std::string_view operation, std::uint32_t rc) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", rc);
  const char* decoded = Tss2_RC_Decode(rc);
  std::string head = std::string(operation) + " failed (" + hex + ", " + (decoded ? decoded : "?") + ")";

  if ((rc & kLayerMask) == kTctiLayer) {
    const std::uint32_t base = rc & 0xFFFFu;
    if (base == TSS2_BASE_RC_IO_ERROR || base == TSS2_BASE_RC_NO_CONNECTION ||
        base == TSS2_BASE_RC_NOT_PERMITTED)
      return tpm_error("TPM_UNREACHABLE", head +
                                              ": the TPM cannot be reached through this TCTI (no device or "
                                              "simulator listening, or no permission; /dev/tpmrm0 needs "
                                              "root or group tss)");
    if (base == TSS2_BASE_RC_NOT_SUPPORTED || base == TSS2_BASE_RC_BAD_VALUE)
      return tpm_error("TPM_BAD_TCTI", head + ": the TCTI name or its configuration is not valid");
    return tpm_error("TPM_ERROR", head);
  }
  switch (base_tpm_rc(rc)) {
    case TPM2_RC_POLICY_FAIL:
    case TPM2_RC_PCR_CHANGED:
      return tpm_error("TPM_POLICY_MISMATCH",
                       head +
                           ": PCR policy mismatch: the current PCR values differ from those the secret "
                           "was sealed to (boot chain changed, or a PCR was extended since)");
    case TPM2_RC_INTEGRITY:
      return tpm_error("TPM_BLOB_FOREIGN", head +
                                               ": the sealed blob does not belong to this TPM (sealed on "
                                               "another TPM, before a TPM clear, or under another storage "
                                               "key)");
    case TPM2_RC_OBJECT_MEMORY:
    case TPM2_RC_SESSION_MEMORY:
    case TPM2_RC_MEMORY:
      return tpm_error("TPM_OUT_OF_MEMORY",
                       head +
                           ": the TPM has no free object or session slot (another client leaked "
                           "handles; use the resource manager /dev/tpmrm0, or flush them)");
    default:
      return tpm_error("TPM_ERROR", head);
  }
}

}  // namespace snprelay::attest::tpm
