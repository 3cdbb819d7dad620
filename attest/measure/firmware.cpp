#include "attest/measure/firmware.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "attest/measure/guid.hpp"
#include "attest/measure/vcpu.hpp"

namespace snprelay::attest::measure {
namespace {

constexpr Guid kFooterGuid = guid_le("96b582de-1fb2-45f7-baea-a366c55a082d");
constexpr Guid kResetBlockGuid = guid_le("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
constexpr Guid kSevMetadataGuid = guid_le("dc886566-984a-4798-a75e-5585a7bf67cc");
constexpr Guid kHashesTableGuid = guid_le("7255371f-3a3b-4b04-927b-1da6efa8d454");

constexpr std::size_t kEntryHeader = 2 + 16;  // u16 size, GUID
// The footer entry sits this far before the end: the last 32 bytes hold the reset vector code.
constexpr std::size_t kFooterEnd = 32;
constexpr std::size_t kMetadataHeader = 16;  // "ASEV", size, version, item count
constexpr std::size_t kMetadataItem = 12;    // gpa, size, type
constexpr std::uint64_t kFourGiB = std::uint64_t{1} << 32;

Error bad(const std::string& code, const std::string& name, const std::string& what) {
  return make_error("measure", code, "firmware " + name + ": " + what, ErrorKind::kInput);
}

std::uint32_t u32_at(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

std::uint16_t u16_at(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

Guid guid_at(std::span<const std::uint8_t> b, std::size_t at) {
  Guid g{};
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), g.size(), g.begin());
  return g;
}

using Table = std::map<Guid, std::span<const std::uint8_t>>;

// The footer table's entries by GUID (each entry's data, without its size and GUID).
Result<Table> footer_table(std::span<const std::uint8_t> image, const std::string& name) {
  if (image.size() < kFooterEnd + kEntryHeader)
    return bad("NO_FOOTER_TABLE", name, "too small to hold an OVMF footer table");
  const std::size_t footer_at = image.size() - kFooterEnd - kEntryHeader;
  if (guid_at(image, footer_at + 2) != kFooterGuid)
    return bad("NO_FOOTER_TABLE", name,
               "no OVMF footer table (GUID 96b582de-1fb2-45f7-baea-a366c55a082d at offset " +
                   std::to_string(footer_at + 2) + "): not an OVMF code image");
  const std::size_t total = u16_at(image, footer_at);
  if (total < kEntryHeader || total - kEntryHeader > footer_at)
    return bad("BAD_FOOTER_TABLE", name,
               "footer table size " + std::to_string(total) + " does not fit the image");
  std::span<const std::uint8_t> rest =
      image.subspan(footer_at - (total - kEntryHeader), total - kEntryHeader);
  Table table;
  while (!rest.empty()) {
    if (rest.size() < kEntryHeader)
      return bad("BAD_FOOTER_TABLE", name,
                 std::to_string(rest.size()) + " stray bytes at the start of the footer table");
    const std::size_t at = rest.size() - kEntryHeader;
    const std::size_t size = u16_at(rest, at);
    if (size < kEntryHeader || size > rest.size())
      return bad("BAD_FOOTER_TABLE", name,
                 "footer table entry of size " + std::to_string(size) + " does not fit the table");
    const Guid guid = guid_at(rest, at + 2);
    if (!table.emplace(guid, rest.subspan(rest.size() - size, size - kEntryHeader)).second)
      return bad("BAD_FOOTER_TABLE", name, "footer table lists GUID " + guid_text(guid) + " twice");
    rest = rest.first(rest.size() - size);
  }
  return table;
}

// The u32 an entry of `table` starts with, or nullopt when the entry is absent.
Result<std::optional<std::uint32_t>> table_u32(const Table& table, const Guid& guid,
                                               const std::string& name) {
  const auto it = table.find(guid);
  if (it == table.end())
    return std::optional<std::uint32_t>{};
  if (it->second.size() < 4)
    return bad("BAD_FOOTER_TABLE", name,
               "footer table entry " + guid_text(guid) + " holds fewer than 4 bytes");
  return std::optional<std::uint32_t>{u32_at(it->second, 0)};
}

Result<std::vector<MetadataSection>> sev_metadata(std::span<const std::uint8_t> image, std::uint32_t offset,
                                                  const std::string& name) {
  if (offset > image.size() || offset < kMetadataHeader)
    return bad("BAD_SEV_METADATA", name,
               "SEV metadata offset " + std::to_string(offset) + " (from the end) lies outside the image");
  const std::size_t start = image.size() - offset;
  const std::span<const std::uint8_t> header = image.subspan(start, kMetadataHeader);
  if (!std::equal(header.begin(), header.begin() + 4, "ASEV"))
    return bad("BAD_SEV_METADATA", name, "SEV metadata signature is not \"ASEV\"");
  const std::uint32_t size = u32_at(header, 4);
  const std::uint32_t version = u32_at(header, 8);
  const std::uint32_t count = u32_at(header, 12);
  if (version != 1)
    return bad("BAD_SEV_METADATA", name, "SEV metadata version " + std::to_string(version) + ", want 1");
  if (size > offset || std::uint64_t{count} * kMetadataItem + kMetadataHeader > size)
    return bad("BAD_SEV_METADATA", name,
               "SEV metadata of size " + std::to_string(size) + " with " + std::to_string(count) +
                   " items does not fit");
  std::vector<MetadataSection> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = start + kMetadataHeader + std::size_t{i} * kMetadataItem;
    MetadataSection s;
    s.gpa = u32_at(image, at);
    s.size = u32_at(image, at + 4);
    const std::uint32_t type = u32_at(image, at + 8);
    const std::string which =
        "SEV metadata section " + std::to_string(i) + " (GPA " + hex_number(s.gpa) + ")";
    if (type < 1 || (type > 4 && type != 0x10))
      return bad("BAD_SEV_METADATA", name, which + " has unknown type " + hex_number(type));
    s.type = static_cast<SectionType>(type);
    if (s.gpa % kPageSize != 0 || s.size % kPageSize != 0 || std::uint64_t{s.gpa} + s.size > kFourGiB)
      return bad("BAD_SEV_METADATA", name,
                 which + " of size " + hex_number(s.size) + " is not whole 4 KiB pages below 4 GiB");
    if (s.type == SectionType::kKernelHashes && s.size != kPageSize)
      return bad("BAD_SEV_METADATA", name,
                 which + ": the kernel-hashes section is " + hex_number(s.size) + " bytes, want one page");
    out.push_back(s);
  }
  return out;
}

}  // namespace

const MetadataSection* Firmware::kernel_hashes_section() const {
  for (const auto& s : sections)
    if (s.type == SectionType::kKernelHashes)
      return &s;
  return nullptr;
}

Result<Firmware> parse_firmware(Bytes image, const std::string& name) {
  if (image.empty() || image.size() % kPageSize != 0 || image.size() > kFourGiB)
    return bad(
        "FIRMWARE_SIZE", name,
        "size " + std::to_string(image.size()) + " is not a whole number of 4 KiB pages (an OVMF image is)");
  auto table = footer_table(image, name);
  if (!table)
    return table.error();
  auto meta_offset = table_u32(*table, kSevMetadataGuid, name);
  if (!meta_offset)
    return meta_offset.error();
  if (!*meta_offset)
    return bad("NO_SEV_METADATA", name,
               "no SEV metadata entry (GUID dc886566-984a-4798-a75e-5585a7bf67cc) in the footer table: "
               "the image was built without SEV-SNP support");
  auto sections = sev_metadata(image, **meta_offset, name);
  if (!sections)
    return sections.error();
  auto reset = table_u32(*table, kResetBlockGuid, name);
  if (!reset)
    return reset.error();
  if (!*reset || **reset == 0)
    return bad("NO_RESET_VECTOR", name,
               "no SEV-ES reset block (GUID 00f771de-1a7e-4fcb-890e-68c77e2fb44e) in the footer table");
  auto hashes = table_u32(*table, kHashesTableGuid, name);
  if (!hashes)
    return hashes.error();
  Firmware fw;
  fw.gpa = kFourGiB - image.size();
  fw.sections = std::move(*sections);
  fw.reset_eip = **reset;
  if (*hashes && **hashes != 0)
    fw.hashes_table_gpa = **hashes;
  fw.image = std::move(image);
  return fw;
}

}  // namespace snprelay::attest::measure
