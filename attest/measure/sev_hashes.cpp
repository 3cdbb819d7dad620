#include "attest/measure/sev_hashes.hpp"

#include <algorithm>
#include <cassert>
#include <string>

#include "attest/measure/guid.hpp"

namespace snprelay::attest::measure {
namespace {

constexpr Guid kTableGuid = guid_le("9438d606-4f22-4cc9-b479-a793d411fd21");
constexpr Guid kKernelGuid = guid_le("4de79437-abd2-427f-b835-d5b172d2045b");
constexpr Guid kInitrdGuid = guid_le("44baf731-3a2f-4bd7-9af1-41e29169781d");
constexpr Guid kCmdlineGuid = guid_le("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");

constexpr std::uint16_t kEntrySize = 16 + 2 + 32;
constexpr std::uint16_t kTableSize = 16 + 2 + 3 * kEntrySize;  // 168 before padding

}  // namespace

Digest256 cmdline_sha256(std::string_view cmdline) {
  std::string with_nul(cmdline);
  with_nul.push_back('\0');
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(with_nul.data()), with_nul.size()));
}

std::array<std::uint8_t, 4096> hashes_page(const DirectBootHashes& hashes, std::size_t offset) {
  assert(offset + kHashesTableSize <= 4096);
  std::array<std::uint8_t, 4096> page{};
  std::size_t at = offset;
  auto put_guid = [&](const Guid& g) {
    std::copy(g.begin(), g.end(), page.begin() + static_cast<std::ptrdiff_t>(at));
    at += g.size();
  };
  auto put_u16 = [&](std::uint16_t v) {
    page[at++] = static_cast<std::uint8_t>(v);
    page[at++] = static_cast<std::uint8_t>(v >> 8);
  };
  put_guid(kTableGuid);
  put_u16(kTableSize);
  for (const auto& [guid, digest] :
       {std::pair{kCmdlineGuid, hashes.cmdline}, std::pair{kInitrdGuid, hashes.initrd},
        std::pair{kKernelGuid, hashes.kernel}}) {
    put_guid(guid);
    put_u16(kEntrySize);
    std::copy(digest.begin(), digest.end(), page.begin() + static_cast<std::ptrdiff_t>(at));
    at += digest.size();
  }
  return page;  // the padding to 176 bytes and the rest of the page stay zero
}

}  // namespace snprelay::attest::measure
