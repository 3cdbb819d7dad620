// The SEV hashes table of a direct boot: QEMU writes the SHA-256 of the kernel, the initrd and the
// command line into the firmware's kernel-hashes page before launch, and the firmware checks what it
// loads against them, so the launch digest covers all three through that one page.
//
// Layout (QEMU target/i386/sev.c, little-endian, packed): header GUID 9438d606-4f22-4cc9-b479-a793d411fd21,
// u16 table length (168), then three entries of (GUID, u16 length 50, 32-byte SHA-256) for the command
// line (97d02dd8-...), the initrd (44baf731-...) and the kernel (4de79437-...), padded with zeros to a
// multiple of 16 bytes (176). The page holds the table at the in-page offset of the table's GPA and
// zeros elsewhere. No initrd hashes the empty string; the command line is hashed with its terminating
// NUL ("\0" alone when there is none).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "attest/measure/launch_digest.hpp"
#include "common/error.hpp"

namespace snprelay::attest::measure {

struct DirectBootHashes {
  Digest256 kernel{};
  Digest256 initrd{};   // SHA-256 of the initrd, or of nothing
  Digest256 cmdline{};  // SHA-256 of the command line and its NUL
};

inline constexpr std::size_t kHashesTableSize = 176;  // with padding

// SHA-256 of `cmdline` followed by a NUL byte, as QEMU hashes -append.
[[nodiscard]] Digest256 cmdline_sha256(std::string_view cmdline);

// The kernel-hashes page with the table at `offset` (offset + kHashesTableSize <= 4096, checked by the
// caller).
[[nodiscard]] std::array<std::uint8_t, 4096> hashes_page(const DirectBootHashes& hashes, std::size_t offset);

}  // namespace snprelay::attest::measure
