// The SNP launch digest: the chain of SHA-384s that the AMD firmware extends on every SNP_LAUNCH_UPDATE.
//
// For each page the VMM hands over, the firmware hashes a 0x70-byte PAGE_INFO structure (SNP ABI spec,
// SNP_LAUNCH_UPDATE): the current digest (48 bytes), the page's contents digest (48 bytes: the SHA-384
// of the page for normal and VMSA pages, zeros for the other types), u16 length 0x70, u8 page type,
// u8 IMI page (0), u8 VMPL3/VMPL2/VMPL1 permissions (0), u8 reserved, u64 GPA; the new digest is the
// SHA-384 of that structure. The digest starts at 48 zero bytes; its final value is the report's
// MEASUREMENT.
//
// Thread-safety: a value; one object per computation.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace snprelay::attest::measure {

using Digest384 = std::array<std::uint8_t, 48>;
using Digest256 = std::array<std::uint8_t, 32>;

[[nodiscard]] Digest384 sha384(std::span<const std::uint8_t> data);
[[nodiscard]] Digest256 sha256(std::span<const std::uint8_t> data);

// PAGE_TYPE of SNP_LAUNCH_UPDATE.
enum class PageType : std::uint8_t {
  kNormal = 1,
  kVmsa = 2,
  kZero = 3,
  kUnmeasured = 4,
  kSecrets = 5,
  kCpuid = 6,
};

// Where a VMSA page is recorded: the RMP keeps GPA (u64)-1, page-aligned with bits above 51 clear.
inline constexpr std::uint64_t kVmsaGpa = 0xFFFFFFFFF000;

class LaunchDigest {
 public:
  // Normal pages with `data` (a whole number of pages) from `gpa` on.
  void add_normal_pages(std::uint64_t gpa, std::span<const std::uint8_t> data);
  // `length` bytes (whole pages) of zero, unmeasured, secrets or CPUID pages from `gpa` on: the
  // contents digest of these is zeros.
  void add_empty_pages(PageType type, std::uint64_t gpa, std::uint64_t length);
  // One vCPU's 4 KiB VMSA.
  void add_vmsa(std::span<const std::uint8_t> vmsa_page);

  [[nodiscard]] const Digest384& value() const { return digest_; }

 private:
  void add(PageType type, std::uint64_t gpa, const Digest384& contents);
  Digest384 digest_{};
};

}  // namespace snprelay::attest::measure
