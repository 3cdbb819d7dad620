// TCB_VERSION: the 8-byte security-patch-level vector found in every SNP report (CURRENT_TCB,
// REPORTED_TCB, COMMITTED_TCB, LAUNCH_TCB) and rebuilt from a VCEK's extensions.
//
// The byte layout depends on the product and nothing in the 8 bytes says which product it is
// (docs/snp-report.md "TCB_VERSION"):
//   Milan, Genoa (cert structVersion 0): byte 0 BOOT_LOADER, 1 TEE, 2..5 reserved, 6 SNP, 7 MICROCODE.
//   Turin        (cert structVersion 1): byte 0 FMC, 1 BOOT_LOADER, 2 TEE, 3 SNP, 4..6 reserved, 7 MICROCODE.
// So a TCB is kept as its raw little-endian u64 and decoded only once the product is known.
// TCBs are compared component by component, never as integers.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace snprelay::attest {

// The AMD product line; it selects the TCB layout, the KDS path and the pinned roots.
// Siena/Bergamo (Zen 4c) use Genoa's roots and layout and are reported as Genoa.
enum class Product { kUnknown, kMilan, kGenoa, kTurin };

// "Milan", "Genoa", "Turin" or "unknown". The one table of product names: the CLI, the configuration
// and the KDS paths all parse through parse_product.
[[nodiscard]] std::string_view product_name(Product product);

// Parses "Milan", "Genoa" or "Turin" (case-insensitive); nullopt for anything else.
[[nodiscard]] std::optional<Product> parse_product(std::string_view name);

// Product from the v3+ CPUID fields (docs/snp-report.md "Product", virtee ranges): family 0x19 models
// 0x00-0x0F Milan, 0x10-0x1F and 0xA0-0xAF Genoa; family 0x1A models 0x00-0x11 Turin; kUnknown otherwise
// (including Venice, whose TCB layout is not supported).
[[nodiscard]] Product product_from_cpuid(std::uint8_t family, std::uint8_t model);

// The components of one TCB in a product's layout. `fmc` is set only for Turin. `reserved` holds
// the reserved SPL bytes in layout order (4 for Milan/Genoa, 3 for Turin), packed little-endian;
// genuine TCBs have them zero.
struct TcbParts {
  std::optional<std::uint8_t> fmc;
  std::uint8_t bootloader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;
  std::uint32_t reserved = 0;
};

// Decodes `raw` (the u64 as read little-endian from the report) for `product`. kUnknown decodes with
// the Milan/Genoa layout, which is the only layout a v2 report can carry besides Turin's.
[[nodiscard]] TcbParts decode_tcb(std::uint64_t raw, Product product);

// Inverse of decode_tcb: encode_tcb(decode_tcb(x, p), p) == x for every x and p.
[[nodiscard]] std::uint64_t encode_tcb(const TcbParts& parts, Product product);

// A minimum TCB: `--min-tcb bl=N,tee=N,snp=N,ucode=N[,fmc=N]` and `[enclave.sev_snp.min_tcb]` alike
// (the configuration holds this type). `fmc` is checked only against a TCB that has one (Turin); 0,
// the default, accepts any FMC level.
struct MinTcb {
  std::uint8_t bootloader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;
  std::uint8_t fmc = 0;
};

// Parses "bl=N,tee=N,snp=N,ucode=N[,fmc=N]" (keys in any order, each at most once, values 0..255;
// missing keys mean 0). Returns nullopt and sets *why on malformed text.
[[nodiscard]] std::optional<MinTcb> parse_min_tcb(std::string_view text, std::string* why);

// True when every component of `tcb` is >= the minimum's (fmc only when `tcb` has one).
[[nodiscard]] bool tcb_meets(const TcbParts& tcb, const MinTcb& min);

// True when every component of `a` is <= the matching component of `b` (same layout).
[[nodiscard]] bool tcb_le(const TcbParts& a, const TcbParts& b);

// "fmc=F bl=B tee=T snp=S ucode=U (0x....)" for messages; fmc only on Turin.
[[nodiscard]] std::string describe_tcb(std::uint64_t raw, Product product);
[[nodiscard]] std::string describe_min_tcb(const MinTcb& min);

}  // namespace snprelay::attest
