#include "attest/tpm/sealed_blob.hpp"

#include <tss2/tss2_mu.h>

#include <cstring>

#include "attest/tpm/tpm_error.hpp"

namespace snprelay::attest::tpm {

namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'R', 'T', 'S'};
constexpr std::size_t kHeaderSize = 12;
constexpr std::uint16_t kAlgSha256 = 0x000B;

Error bad_blob(const std::string& what) {
  return tpm_error("BAD_BLOB", "sealed blob: " + what);
}

}  // namespace

Bytes encode_sealed_blob(const SealedBlob& blob) {
  Bytes out(kMagic, kMagic + 4);
  out.push_back(kSealedBlobVersion);
  out.push_back(kSrkTemplateEccP256);
  out.push_back(static_cast<std::uint8_t>(kAlgSha256 >> 8));
  out.push_back(static_cast<std::uint8_t>(kAlgSha256 & 0xFF));
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(blob.pcrs.mask >> shift));
  out.insert(out.end(), blob.public_area.begin(), blob.public_area.end());
  out.insert(out.end(), blob.private_area.begin(), blob.private_area.end());
  return out;
}

Result<SealedBlob> decode_sealed_blob(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderSize)
    return bad_blob("truncated header (" + std::to_string(bytes.size()) + " bytes, need at least 12)");
  if (std::memcmp(bytes.data(), kMagic, 4) != 0)
    return bad_blob("bad magic (not a snprelay sealed blob)");
  if (bytes[4] != kSealedBlobVersion)
    return bad_blob("unknown format version " + std::to_string(bytes[4]) + " (this build reads 1)");
  if (bytes[5] != kSrkTemplateEccP256)
    return bad_blob("unknown storage-key template id " + std::to_string(bytes[5]));
  const std::uint16_t bank = static_cast<std::uint16_t>((bytes[6] << 8) | bytes[7]);
  if (bank != kAlgSha256)
    return bad_blob("unsupported PCR bank algorithm " + std::to_string(bank) + " (only sha256)");
  SealedBlob blob;
  blob.pcrs.mask = (std::uint32_t{bytes[8]} << 24) | (std::uint32_t{bytes[9]} << 16) |
                   (std::uint32_t{bytes[10]} << 8) | std::uint32_t{bytes[11]};
  if (blob.pcrs.mask == 0 || (blob.pcrs.mask >> (kMaxPcrIndex + 1)) != 0)
    return bad_blob("PCR mask out of range");

  std::size_t offset = kHeaderSize;
  TPM2B_PUBLIC pub{};
  if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(bytes.data(), bytes.size(), &offset, &pub) != TSS2_RC_SUCCESS)
    return bad_blob("malformed or truncated public area");
  blob.public_area.assign(bytes.begin() + kHeaderSize, bytes.begin() + static_cast<std::ptrdiff_t>(offset));
  const std::size_t priv_start = offset;
  TPM2B_PRIVATE priv{};
  if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(bytes.data(), bytes.size(), &offset, &priv) != TSS2_RC_SUCCESS)
    return bad_blob("malformed or truncated private area");
  if (offset != bytes.size())
    return bad_blob(std::to_string(bytes.size() - offset) + " unexpected bytes after the private area");
  if (pub.publicArea.type != TPM2_ALG_KEYEDHASH)
    return bad_blob("the public area is not a sealed data object");
  blob.private_area.assign(bytes.begin() + static_cast<std::ptrdiff_t>(priv_start), bytes.end());
  return blob;
}

}  // namespace snprelay::attest::tpm
