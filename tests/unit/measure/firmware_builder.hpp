// Builds OVMF-like firmware images for the measurement tests: pseudo-random code pages ending in the
// footer table and SEV metadata exactly as edk2 lays them out (attest/measure/firmware.hpp), with or
// without a kernel-hashes section (Debian's OVMF has none; edk2's AmdSev build has one), and with the
// defects the calculator must refuse. Shared by the unit tests and the agreement test against
// sev-snp-measure, which reads the same files.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace snprelay::testing {

struct FirmwareSpec {
  std::size_t pages = 16;
  std::uint32_t seed = 1;
  bool kernel_hashes = true;           // a kernel-hashes section and the hashes-table GUID entry
  std::uint32_t hashes_offset = 0;     // in-page offset of the hashes table
  bool svsm_caa = false;               // an SVSM calling-area section
  std::uint32_t reset_eip = 0x80b004;  // SEV-ES reset block address (0: no reset block entry)
  // Defects.
  bool footer_guid = true;     // false: the footer GUID is wrong
  bool metadata_entry = true;  // false: no SEV metadata entry in the table
  std::string signature = "ASEV";
  std::uint32_t version = 1;
  std::uint32_t extra_section_type = 0;  // non-zero: one more section of this type
  std::uint32_t misaligned_gpa = 0;      // non-zero: the first section's GPA is this
  std::int64_t hashes_gpa_delta = 0;     // added to the hashes-table GPA in the footer table
  std::uint16_t footer_size_override = 0;
};

namespace detail {
inline void put_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_u16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
// GUIDs in stored (bytes_le) order.
inline const std::uint8_t kFooter[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                         0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
inline const std::uint8_t kResetBlock[16] = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                             0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
inline const std::uint8_t kMetadata[16] = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                           0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
inline const std::uint8_t kHashes[16] = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                         0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};
}  // namespace detail

inline std::vector<std::uint8_t> build_firmware(const FirmwareSpec& spec) {
  using namespace detail;
  const std::size_t size = spec.pages * 4096;
  std::vector<std::uint8_t> b(size);
  std::mt19937 rng(spec.seed);
  for (auto& x : b)
    x = static_cast<std::uint8_t>(rng());

  // SEV metadata, 0x200 bytes before the end.
  struct Item {
    std::uint32_t gpa, size, type;
  };
  std::vector<Item> items = {
      {0x800000, 0x9000, 1}, {0x809000, 0x1000, 2}, {0x80a000, 0x1000, 3}, {0x80b000, 0x2000, 1}};
  const std::uint32_t hashes_gpa = 0x80d000;
  if (spec.kernel_hashes)
    items.push_back({hashes_gpa, 0x1000, 0x10});
  if (spec.svsm_caa)
    items.push_back({0x80e000, 0x1000, 4});
  if (spec.extra_section_type != 0)
    items.push_back({0x80f000, 0x1000, spec.extra_section_type});
  if (spec.misaligned_gpa != 0)
    items[0].gpa = spec.misaligned_gpa;
  const std::size_t meta_offset = 0x200;
  const std::size_t meta = size - meta_offset;
  for (std::size_t i = 0; i < 4; ++i)
    b[meta + i] = static_cast<std::uint8_t>(spec.signature[i]);
  put_u32(b, meta + 4, static_cast<std::uint32_t>(16 + 12 * items.size()));
  put_u32(b, meta + 8, spec.version);
  put_u32(b, meta + 12, static_cast<std::uint32_t>(items.size()));
  for (std::size_t i = 0; i < items.size(); ++i) {
    put_u32(b, meta + 16 + 12 * i, items[i].gpa);
    put_u32(b, meta + 20 + 12 * i, items[i].size);
    put_u32(b, meta + 24 + 12 * i, items[i].type);
  }

  // The footer table, written backwards from 32 bytes before the end.
  std::size_t at = size - 32 - 18;
  const std::size_t footer_at = at;
  auto entry = [&](const std::uint8_t* guid, const std::vector<std::uint32_t>& data) {
    const std::size_t len = 4 * data.size() + 18;
    at -= len;
    for (std::size_t i = 0; i < data.size(); ++i)
      put_u32(b, at + 4 * i, data[i]);
    put_u16(b, at + 4 * data.size(), static_cast<std::uint16_t>(len));
    std::copy(guid, guid + 16, b.begin() + static_cast<std::ptrdiff_t>(at + 4 * data.size() + 2));
  };
  if (spec.reset_eip != 0)
    entry(kResetBlock, {spec.reset_eip});
  if (spec.metadata_entry)
    entry(kMetadata, {static_cast<std::uint32_t>(meta_offset)});
  if (spec.kernel_hashes)
    entry(kHashes,
          {static_cast<std::uint32_t>(hashes_gpa + spec.hashes_offset + spec.hashes_gpa_delta), 0x1000});
  const auto total = static_cast<std::uint16_t>(footer_at + 18 - at);
  put_u16(b, footer_at, spec.footer_size_override != 0 ? spec.footer_size_override : total);
  std::copy(kFooter, kFooter + 16, b.begin() + static_cast<std::ptrdiff_t>(footer_at + 2));
  if (!spec.footer_guid)
    b[footer_at + 2] ^= 0xff;
  return b;
}

}  // namespace snprelay::testing
