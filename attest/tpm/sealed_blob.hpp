// The sealed-blob file format (version 1): what Tpm::seal() returns and Tpm::unseal() accepts.
//
// A sealed blob is a TPM keyed-hash object (public + private area) whose private area is encrypted
// by the TPM under the storage primary (SRK) and whose authPolicy is a PolicyPCR digest. It is not
// secret — only the TPM that made it can load it — but it is integrity-checked by that TPM.
//
// Layout (all integers big-endian):
//
//   offset  size  field
//   0       4     magic "SRTS" (53 52 54 53)
//   4       1     format version = 1
//   5       1     SRK template id = 1: ECC NIST P-256 storage primary under the owner hierarchy,
//                 nameAlg sha256, AES-128-CFB, attributes fixedTPM|fixedParent|sensitiveDataOrigin|
//                 userWithAuth|noDA|restricted|decrypt, unique x/y = 32 zero bytes (go-tpm-tools' ECC SRK)
//   6       2     PCR bank hash algorithm (TPM_ALG_ID): 0x000B = sha256, the only one accepted
//   8       4     PCR mask: bit n = PCR n; bits 24..31 zero; never 0
//   12      n     TPM2B_PUBLIC as Tss2_MU_TPM2B_PUBLIC_Marshal writes it (uint16 size + TPMT_PUBLIC)
//   12+n    m     TPM2B_PRIVATE (uint16 size + the TPM's encrypted private area)
//   12+n+m        end of file: nothing may follow
//
// A 32-byte secret gives a 252-byte blob. A change of the SRK template (or a new policy kind) gets a
// new template id or version; readers refuse ids and versions they do not know.
//
// Errors: tpm BAD_BLOB, with the offending field (bad magic, unknown version/template/bank, empty or
// out-of-range mask, truncated or malformed public/private area, trailing bytes).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "attest/tpm/pcr.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest::tpm {

inline constexpr std::uint8_t kSealedBlobVersion = 1;
inline constexpr std::uint8_t kSrkTemplateEccP256 = 1;

struct SealedBlob {
  PcrSelection pcrs;
  Bytes public_area;   // marshalled TPM2B_PUBLIC, size prefix included
  Bytes private_area;  // marshalled TPM2B_PRIVATE, size prefix included
};

[[nodiscard]] Bytes encode_sealed_blob(const SealedBlob& blob);

// Parses and checks the envelope, and unmarshals both areas to make sure they are well formed.
[[nodiscard]] Result<SealedBlob> decode_sealed_blob(std::span<const std::uint8_t> bytes);

}  // namespace snprelay::attest::tpm
