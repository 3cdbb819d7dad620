// The parts of an OVMF firmware image that an SNP launch measures, parsed from its bytes.
//
// QEMU maps the image so that it ends at 4 GiB and measures every one of its pages. What else the launch
// measures is declared by the image itself, in two structures edk2 places near its end:
//
//   the footer table   a list of (data, u16 size, 16-byte GUID) entries read backwards from 32 bytes
//                      before the end of the image, terminated by a footer entry whose GUID is
//                      96b582de-1fb2-45f7-baea-a366c55a082d and whose size covers the whole table. The
//                      entries used here carry a u32: the SEV-ES reset block (the vCPUs' reset address),
//                      the SEV metadata offset (counted back from the end of the image) and the GPA of
//                      the SEV hashes table (direct boot).
//   the SEV metadata   "ASEV", u32 size, u32 version (1), u32 item count, then items of (u32 GPA,
//                      u32 size, u32 type): the guest pages the VMM must pre-validate (zeroed memory, the
//                      secrets page, the CPUID page, the SVSM calling area, the kernel-hashes page).
//
// parse_firmware refuses anything it cannot read exactly (a wrong measurement is worse than none): every
// error is component "measure", kind kInput, and names the file and what is wrong in it:
//   FIRMWARE_SIZE      empty, or not a whole number of 4 KiB pages
//   NO_FOOTER_TABLE    the footer GUID is not where edk2 puts it (not an OVMF image, or a VARS file)
//   BAD_FOOTER_TABLE   a table or entry size that does not fit, a duplicate GUID, a short entry
//   NO_SEV_METADATA    no SEV metadata entry in the table (an image built without SEV support)
//   BAD_SEV_METADATA   bad signature/version/size, an unknown section type, a section not page-aligned
//   NO_RESET_VECTOR    no SEV-ES reset block entry (no vCPU could be started from this image)
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/file_io.hpp"

namespace snprelay::attest::measure {

inline constexpr std::uint64_t kPageSize = 4096;

// The section types of the SEV metadata (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm).
enum class SectionType : std::uint32_t {
  kSnpSecMem = 1,        // memory the VMM pre-validates as zero pages
  kSnpSecrets = 2,       // the secrets page the firmware fills
  kCpuid = 3,            // the CPUID page the firmware checks
  kSvsmCaa = 4,          // the SVSM calling area (zero pages)
  kKernelHashes = 0x10,  // the page holding the SEV hashes table of a direct boot
};

struct MetadataSection {
  std::uint32_t gpa = 0;
  std::uint32_t size = 0;
  SectionType type = SectionType::kSnpSecMem;
};

struct Firmware {
  Bytes image;                            // the whole file
  std::uint64_t gpa = 0;                  // where its first byte is mapped: 4 GiB - size
  std::vector<MetadataSection> sections;  // in the order of the metadata (the order they are measured)
  std::uint32_t reset_eip = 0;            // the application processors' reset address
  // The GPA of the SEV hashes table, when the footer table names one (and it is not 0).
  std::optional<std::uint32_t> hashes_table_gpa;

  // The kernel-hashes section, or nullptr (Debian's OVMF builds have none: only the AmdSev build does).
  [[nodiscard]] const MetadataSection* kernel_hashes_section() const;
};

// Parses `image`, the content of the file `name` (used only in errors). See the header comment.
[[nodiscard]] Result<Firmware> parse_firmware(Bytes image, const std::string& name);

}  // namespace snprelay::attest::measure
