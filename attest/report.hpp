// The SEV-SNP ATTESTATION_REPORT: 1184 bytes, little-endian, versions 2 through 5 (docs/snp-report.md).
//
// parse_report() turns the raw bytes into a Report whose members are every field of the layout,
// including the reserved ranges, so serialize_report(parse_report(x)) == x for every 1184-byte x. The
// layout is the same for all versions; what changes is which bytes carry meaning:
//   - CPUID_FAM_ID / CPUID_MOD_ID / CPUID_STEP (0x188..0x18A) are defined from version 3; before that
//     they are reserved and must be zero.
//   - LAUNCH_MIT_VECTOR / CURRENT_MIT_VECTOR (0x1F8, 0x200) are defined from version 5; reserved before.
// Those members are therefore always filled; has_cpuid() / has_mitigation_vectors() say whether the
// report's version gives them meaning.
//
// Parsing checks nothing but the size: a report of an unsupported version, with non-zero reserved
// bytes or a bad signature still parses, so that `report show` can display it and the verifier can name
// every failed check. Verification (verify.hpp) must run over the raw bytes, never over a re-serialised
// Report (docs/snp-report.md "Shape").
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace snprelay::attest {

inline constexpr std::size_t kReportSize = 0x4A0;       // 1184 bytes, every version
inline constexpr std::size_t kSignedSize = 0x2A0;       // bytes 0x000..0x29F are signed (SHA-384)
inline constexpr std::size_t kSignatureOffset = 0x2A0;  // R (72 bytes LE), S (72 bytes LE), 368 reserved
inline constexpr std::size_t kSignatureComponent = 72;  // each of R and S, little-endian, zero-extended

template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

// One report, field by field, in layout order. Integer fields hold the little-endian value; byte
// fields hold the bytes as they appear in the report. Offsets in the comments.
struct Report {
  std::uint32_t version = 0;             // 0x000
  std::uint32_t guest_svn = 0;           // 0x004
  std::uint64_t policy = 0;              // 0x008, see GuestPolicy in report_bits.hpp
  ByteArray<16> family_id{};             // 0x010
  ByteArray<16> image_id{};              // 0x020
  std::uint32_t vmpl = 0;                // 0x030
  std::uint32_t signature_algo = 0;      // 0x034, 1 = ECDSA P-384 with SHA-384
  std::uint64_t current_tcb = 0;         // 0x038
  std::uint64_t platform_info = 0;       // 0x040, see PlatformInfo
  std::uint32_t key_info = 0;            // 0x048, see KeyInfo
  std::uint32_t reserved_04c = 0;        // 0x04C, must be zero
  ByteArray<64> report_data{};           // 0x050
  ByteArray<48> measurement{};           // 0x090
  ByteArray<32> host_data{};             // 0x0C0
  ByteArray<48> id_key_digest{};         // 0x0E0
  ByteArray<48> author_key_digest{};     // 0x110
  ByteArray<32> report_id{};             // 0x140
  ByteArray<32> report_id_ma{};          // 0x160
  std::uint64_t reported_tcb = 0;        // 0x180
  std::uint8_t cpuid_fam_id = 0;         // 0x188 (v3+; reserved in v2)
  std::uint8_t cpuid_mod_id = 0;         // 0x189 (v3+)
  std::uint8_t cpuid_step = 0;           // 0x18A (v3+)
  ByteArray<21> reserved_18b{};          // 0x18B..0x19F, must be zero
  ByteArray<64> chip_id{};               // 0x1A0
  std::uint64_t committed_tcb = 0;       // 0x1E0
  std::uint8_t current_build = 0;        // 0x1E8
  std::uint8_t current_minor = 0;        // 0x1E9
  std::uint8_t current_major = 0;        // 0x1EA
  std::uint8_t reserved_1eb = 0;         // 0x1EB, must be zero
  std::uint8_t committed_build = 0;      // 0x1EC
  std::uint8_t committed_minor = 0;      // 0x1ED
  std::uint8_t committed_major = 0;      // 0x1EE
  std::uint8_t reserved_1ef = 0;         // 0x1EF, must be zero
  std::uint64_t launch_tcb = 0;          // 0x1F0
  std::uint64_t launch_mit_vector = 0;   // 0x1F8 (v5; reserved before)
  std::uint64_t current_mit_vector = 0;  // 0x200 (v5; reserved before)
  ByteArray<152> reserved_208{};         // 0x208..0x29F, must be zero
  ByteArray<72> signature_r{};           // 0x2A0, little-endian
  ByteArray<72> signature_s{};           // 0x2E8, little-endian
  ByteArray<368> signature_reserved{};   // 0x330..0x49F, must be zero

  // Whether this report's version defines the CPUID bytes (v3+) and the mitigation vectors (v5+).
  [[nodiscard]] bool has_cpuid() const { return version >= 3; }
  [[nodiscard]] bool has_mitigation_vectors() const { return version >= 5; }
};

// Parses exactly kReportSize bytes. Error: attest SIZE_INVALID naming the size received. Nothing else
// is checked (see the file comment).
[[nodiscard]] Result<Report> parse_report(std::span<const std::uint8_t> raw);

// Writes every member back at its offset; the inverse of parse_report.
[[nodiscard]] ByteArray<kReportSize> serialize_report(const Report& report);

// A reserved range that holds a non-zero byte: its first offset, its length and the first non-zero
// offset inside it. The ranges checked depend on the version: 0x04C..0x04F, 0x188..0x19F (v2) or
// 0x18B..0x19F (v3+), 0x1EB, 0x1EF, 0x1F8..0x29F (v2..v4) or 0x208..0x29F (v5+), 0x330..0x49F, and the
// upper 24 bytes of R and S (0x2D0..0x2E7, 0x318..0x32F) are reported by the signature check instead.
struct ReservedRange {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::size_t first_nonzero = 0;
};

// Every reserved range of `raw` (kReportSize bytes) that is not all zero, in offset order; empty when
// the report is clean. `raw.size()` must be kReportSize (asserted).
[[nodiscard]] std::vector<ReservedRange> nonzero_reserved(std::span<const std::uint8_t> raw);

}  // namespace snprelay::attest
