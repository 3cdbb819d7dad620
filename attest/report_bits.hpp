// Bit fields inside the report's POLICY, PLATFORM_INFO and KEY_INFO words (docs/snp-report.md "Fields").
//
// Each decoder is a pure function of the raw word. The `reserved` members carry the bits that the
// current ABI leaves reserved (they must be zero; POLICY bit 17 must be one), so a verifier can name
// them. Bit positions are the AMD ABI's; beware third-party tables that shift POLICY by 16 bits.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>

namespace snprelay::attest {

// Guest POLICY (u64 at 0x008), fixed at launch.
struct GuestPolicy {
  std::uint8_t abi_minor = 0;         // bits 7:0, minimum firmware ABI minor the guest requires
  std::uint8_t abi_major = 0;         // bits 15:8
  bool smt = false;                   // bit 16: host may use SMT
  bool reserved_must_be_one = false;  // bit 17: must be 1
  bool migrate_ma = false;            // bit 18: a migration agent may be associated
  bool debug = false;                 // bit 19: host may debug-decrypt guest memory
  bool single_socket = false;         // bit 20
  bool cxl_allow = false;             // bit 21
  bool mem_aes_256_xts = false;       // bit 22
  bool rapl_dis = false;              // bit 23
  bool ciphertext_hiding = false;     // bit 24
  bool page_swap_disable = false;     // bit 25 (ABI 1.58)
  std::uint64_t reserved = 0;         // bits 63:26, must be zero (kept in place)
};

[[nodiscard]] constexpr GuestPolicy decode_policy(std::uint64_t v) {
  GuestPolicy p;
  p.abi_minor = static_cast<std::uint8_t>(v & 0xFF);
  p.abi_major = static_cast<std::uint8_t>((v >> 8) & 0xFF);
  p.smt = (v >> 16) & 1;
  p.reserved_must_be_one = (v >> 17) & 1;
  p.migrate_ma = (v >> 18) & 1;
  p.debug = (v >> 19) & 1;
  p.single_socket = (v >> 20) & 1;
  p.cxl_allow = (v >> 21) & 1;
  p.mem_aes_256_xts = (v >> 22) & 1;
  p.rapl_dis = (v >> 23) & 1;
  p.ciphertext_hiding = (v >> 24) & 1;
  p.page_swap_disable = (v >> 25) & 1;
  p.reserved = v & ~((std::uint64_t{1} << 26) - 1);
  return p;
}

// PLATFORM_INFO (u64 at 0x040).
struct PlatformInfo {
  bool smt_en = false;                // bit 0
  bool tsme_en = false;               // bit 1
  bool ecc_en = false;                // bit 2
  bool rapl_dis = false;              // bit 3
  bool ciphertext_hiding_en = false;  // bit 4
  bool alias_check_complete = false;  // bit 5
  bool tio_en = false;                // bit 7
  std::uint64_t reserved = 0;         // bit 6 and bits 63:8 (kept in place)
};

[[nodiscard]] constexpr PlatformInfo decode_platform_info(std::uint64_t v) {
  PlatformInfo p;
  p.smt_en = v & 1;
  p.tsme_en = (v >> 1) & 1;
  p.ecc_en = (v >> 2) & 1;
  p.rapl_dis = (v >> 3) & 1;
  p.ciphertext_hiding_en = (v >> 4) & 1;
  p.alias_check_complete = (v >> 5) & 1;
  p.tio_en = (v >> 7) & 1;
  p.reserved = v & ~std::uint64_t{0xBF};
  return p;
}

// KEY_INFO (u32 at 0x048). SIGNING_KEY selects the key that signed the report.
enum class SigningKey : std::uint8_t { kVcek = 0, kVlek = 1, kNone = 7 };

struct KeyInfo {
  bool author_key_en = false;    // bit 0: AUTHOR_KEY_DIGEST is populated
  bool mask_chip_key = false;    // bit 1: VCEK not usable (host SNP_CONFIG)
  std::uint8_t signing_key = 0;  // bits 4:2: 0 VCEK, 1 VLEK, 7 none, 2..6 reserved
  std::uint32_t reserved = 0;    // bits 31:5, must be zero (kept in place)
};

[[nodiscard]] constexpr KeyInfo decode_key_info(std::uint32_t v) {
  KeyInfo k;
  k.author_key_en = v & 1;
  k.mask_chip_key = (v >> 1) & 1;
  k.signing_key = static_cast<std::uint8_t>((v >> 2) & 7);
  k.reserved = v & ~std::uint32_t{0x1F};
  return k;
}

}  // namespace snprelay::attest
