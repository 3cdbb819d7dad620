#include "attest/measure/launch_digest.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cassert>

#include "attest/measure/firmware.hpp"

namespace snprelay::attest::measure {
namespace {

constexpr std::size_t kPageInfoSize = 0x70;

void put_le(std::uint8_t* at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

Digest384 sha384(std::span<const std::uint8_t> data) {
  Digest384 out{};
  SHA384(data.data(), data.size(), out.data());
  return out;
}

Digest256 sha256(std::span<const std::uint8_t> data) {
  Digest256 out{};
  SHA256(data.data(), data.size(), out.data());
  return out;
}

void LaunchDigest::add(PageType type, std::uint64_t gpa, const Digest384& contents) {
  std::array<std::uint8_t, kPageInfoSize> info{};
  std::copy(digest_.begin(), digest_.end(), info.begin());
  std::copy(contents.begin(), contents.end(), info.begin() + 48);
  put_le(&info[96], kPageInfoSize, 2);
  info[98] = static_cast<std::uint8_t>(type);
  // 99: IMI page, 100..102: VMPL3..VMPL1 permissions, 103: reserved; all 0 for a launch by the VMM.
  put_le(&info[104], gpa, 8);
  digest_ = sha384(info);
}

void LaunchDigest::add_normal_pages(std::uint64_t gpa, std::span<const std::uint8_t> data) {
  assert(data.size() % kPageSize == 0);  // callers pass whole pages (parse_firmware checked the image)
  for (std::size_t off = 0; off < data.size(); off += kPageSize)
    add(PageType::kNormal, gpa + off, sha384(data.subspan(off, kPageSize)));
}

void LaunchDigest::add_empty_pages(PageType type, std::uint64_t gpa, std::uint64_t length) {
  assert(length % kPageSize == 0);
  for (std::uint64_t off = 0; off < length; off += kPageSize)
    add(type, gpa + off, Digest384{});
}

void LaunchDigest::add_vmsa(std::span<const std::uint8_t> vmsa_page) {
  assert(vmsa_page.size() == kPageSize);
  add(PageType::kVmsa, kVmsaGpa, sha384(vmsa_page));
}

}  // namespace snprelay::attest::measure
