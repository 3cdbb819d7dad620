// Fuzz target: the SNP report parser, serializer, reserved-range scan and bit-field decoders.
// Invariants: any input parses or yields SIZE_INVALID; a parsed report serializes back to the same
// bytes; every parsed field equals the little-endian bytes at its offset in the ABI table (read here
// independently of the parser); every reserved range reported non-zero is inside the report, names a
// non-zero first byte and is zero before it; TCB encode(decode(x)) == x for every product.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/report.hpp"
#include "attest/report_bits.hpp"
#include "attest/tcb.hpp"
#include "fuzz_check.hpp"

namespace {

using snprelay::fuzz::fuzz_check;

std::uint64_t le_at(std::span<const std::uint8_t> raw, std::size_t offset, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i)
    v |= static_cast<std::uint64_t>(raw[offset + i]) << (8U * i);
  return v;
}

template <std::size_t N>
bool array_at(std::span<const std::uint8_t> raw, std::size_t offset,
              const std::array<std::uint8_t, N>& field) {
  return std::equal(field.begin(), field.end(), raw.begin() + static_cast<std::ptrdiff_t>(offset));
}

void check_fields_at_offsets(std::span<const std::uint8_t> raw, const snprelay::attest::Report& r) {
  const bool scalars =
      r.version == le_at(raw, 0x000, 4) && r.guest_svn == le_at(raw, 0x004, 4) &&
      r.policy == le_at(raw, 0x008, 8) && r.vmpl == le_at(raw, 0x030, 4) &&
      r.signature_algo == le_at(raw, 0x034, 4) && r.current_tcb == le_at(raw, 0x038, 8) &&
      r.platform_info == le_at(raw, 0x040, 8) && r.key_info == le_at(raw, 0x048, 4) &&
      r.reserved_04c == le_at(raw, 0x04C, 4) && r.reported_tcb == le_at(raw, 0x180, 8) &&
      r.cpuid_fam_id == raw[0x188] && r.cpuid_mod_id == raw[0x189] && r.cpuid_step == raw[0x18A] &&
      r.committed_tcb == le_at(raw, 0x1E0, 8) && r.current_build == raw[0x1E8] &&
      r.current_minor == raw[0x1E9] && r.current_major == raw[0x1EA] && r.reserved_1eb == raw[0x1EB] &&
      r.committed_build == raw[0x1EC] && r.committed_minor == raw[0x1ED] && r.committed_major == raw[0x1EE] &&
      r.reserved_1ef == raw[0x1EF] && r.launch_tcb == le_at(raw, 0x1F0, 8) &&
      r.launch_mit_vector == le_at(raw, 0x1F8, 8) && r.current_mit_vector == le_at(raw, 0x200, 8);
  fuzz_check(scalars, "a scalar report field differs from the bytes at its ABI offset");
  const bool arrays = array_at(raw, 0x010, r.family_id) && array_at(raw, 0x020, r.image_id) &&
                      array_at(raw, 0x050, r.report_data) && array_at(raw, 0x090, r.measurement) &&
                      array_at(raw, 0x0C0, r.host_data) && array_at(raw, 0x0E0, r.id_key_digest) &&
                      array_at(raw, 0x110, r.author_key_digest) && array_at(raw, 0x140, r.report_id) &&
                      array_at(raw, 0x160, r.report_id_ma) && array_at(raw, 0x18B, r.reserved_18b) &&
                      array_at(raw, 0x1A0, r.chip_id) && array_at(raw, 0x208, r.reserved_208) &&
                      array_at(raw, 0x2A0, r.signature_r) && array_at(raw, 0x2E8, r.signature_s) &&
                      array_at(raw, 0x330, r.signature_reserved);
  fuzz_check(arrays, "a byte-array report field differs from the bytes at its ABI offset");
}

void check_reserved_scan(std::span<const std::uint8_t> raw) {
  for (const auto& range : snprelay::attest::nonzero_reserved(raw)) {
    fuzz_check(range.offset + range.length <= raw.size(), "a reserved range reaches past the report");
    fuzz_check(range.first_nonzero >= range.offset && range.first_nonzero < range.offset + range.length,
               "first_nonzero lies outside its reserved range");
    fuzz_check(raw[range.first_nonzero] != 0, "first_nonzero names a zero byte");
    for (std::size_t i = range.offset; i < range.first_nonzero; ++i)
      fuzz_check(raw[i] == 0, "a non-zero byte precedes first_nonzero");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  const std::span<const std::uint8_t> raw(data, size);
  auto report = parse_report(raw);
  if (!report.ok()) {
    fuzz_check(size != kReportSize, "a report of exactly kReportSize bytes was refused");
    fuzz_check(report.error().code == "SIZE_INVALID",
               "parse_report failed with a code other than SIZE_INVALID");
    return 0;
  }
  fuzz_check(size == kReportSize, "parse_report accepted a report of the wrong size");
  const auto out = serialize_report(*report);
  fuzz_check(std::equal(out.begin(), out.end(), raw.begin(), raw.end()), "serialize(parse(x)) != x");
  check_fields_at_offsets(raw, *report);
  check_reserved_scan(raw);
  (void)decode_policy(report->policy);
  (void)decode_platform_info(report->platform_info);
  (void)decode_key_info(report->key_info);
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    fuzz_check(encode_tcb(decode_tcb(report->reported_tcb, p), p) == report->reported_tcb,
               "encode_tcb(decode_tcb(x)) != x");
    (void)describe_tcb(report->current_tcb, p);
  }
  return 0;
}
