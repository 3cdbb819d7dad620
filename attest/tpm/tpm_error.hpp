// TSS2 response codes translated into snprelay's error vocabulary (internal to attest/tpm).
//
// Every failed ESYS/TCTI/MU call becomes an Error{component "tpm", stable code, message}. The message
// names the operation, the raw code in hex and Tss2_RC_Decode's text, e.g.
//   "Esys_Unseal failed (0x0000099d, tpm:session(1):a policy check failed): PCR policy mismatch ..."
// Codes (a contract: tests and scripts match on them) and the kind tpm_error() gives each, which alone
// decides the exit code and HTTP status (common/error.hpp):
//   TPM_UNREACHABLE      kUnavailable  the TCTI could not reach the TPM (no device, nothing listening,
//                                      permissions)
//   TPM_POLICY_MISMATCH  kUnavailable  a PCR policy check failed: the PCRs differ from the values sealed
//                                      to (the key opens again once they match; exit 3 as documented)
//   TPM_BLOB_FOREIGN     kInput        a sealed object failed the TPM's integrity check at load: it was
//                                      sealed on another TPM, before a TPM clear, or under another
//                                      storage key template
//   TPM_OUT_OF_MEMORY    kInternal     the TPM has no free object/session slot (handles leaked by another
//                                      client)
//   TPM_ERROR            kInternal     any other TSS2 or TPM failure
//   BAD_TCTI, TPM_BAD_TCTI, BAD_PCRS, BAD_SECRET, BAD_BLOB, BAD_NONCE, BAD_QUOTE_FILE, BAD_AK_KEY
//                        kInput        the caller's TCTI, PCR list, secret, blob, nonce, quote or AK key
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace snprelay::attest::tpm {

inline constexpr std::string_view kComponent = "tpm";

// The TPM's own code with layer and handle/session/parameter number removed (0x99D -> 0x09D, 0x1DF ->
// 0x09F),
// or the unchanged code for TSS-layer errors. Exposed for tests.
[[nodiscard]] std::uint32_t base_tpm_rc(std::uint32_t rc);

// The error for `rc` returned by `operation` (an ESYS/TCTI function name).
[[nodiscard]] Error tss2_error(std::string_view operation, std::uint32_t rc);

// A "tpm" error with the given code and message (no TSS2 code involved), of the kind listed above.
[[nodiscard]] Error tpm_error(std::string code, std::string message);

}  // namespace snprelay::attest::tpm
