// Report parse/serialize through one table of (offset, member) pairs, so the two directions cannot
// disagree; a static_assert-free runtime check in tests covers the offsets against real reports.
#include "attest/report.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <type_traits>

namespace snprelay::attest {
namespace {

// Calls f(offset, member) for every member of the layout, in order. Works for const and non-const.
template <typename R, typename F>
void for_each_field(R& r, F&& f) {
  f(0x000, r.version);
  f(0x004, r.guest_svn);
  f(0x008, r.policy);
  f(0x010, r.family_id);
  f(0x020, r.image_id);
  f(0x030, r.vmpl);
  f(0x034, r.signature_algo);
  f(0x038, r.current_tcb);
  f(0x040, r.platform_info);
  f(0x048, r.key_info);
  f(0x04C, r.reserved_04c);
  f(0x050, r.report_data);
  f(0x090, r.measurement);
  f(0x0C0, r.host_data);
  f(0x0E0, r.id_key_digest);
  f(0x110, r.author_key_digest);
  f(0x140, r.report_id);
  f(0x160, r.report_id_ma);
  f(0x180, r.reported_tcb);
  f(0x188, r.cpuid_fam_id);
  f(0x189, r.cpuid_mod_id);
  f(0x18A, r.cpuid_step);
  f(0x18B, r.reserved_18b);
  f(0x1A0, r.chip_id);
  f(0x1E0, r.committed_tcb);
  f(0x1E8, r.current_build);
  f(0x1E9, r.current_minor);
  f(0x1EA, r.current_major);
  f(0x1EB, r.reserved_1eb);
  f(0x1EC, r.committed_build);
  f(0x1ED, r.committed_minor);
  f(0x1EE, r.committed_major);
  f(0x1EF, r.reserved_1ef);
  f(0x1F0, r.launch_tcb);
  f(0x1F8, r.launch_mit_vector);
  f(0x200, r.current_mit_vector);
  f(0x208, r.reserved_208);
  f(0x2A0, r.signature_r);
  f(0x2E8, r.signature_s);
  f(0x330, r.signature_reserved);
}

template <typename T>
void load(const std::uint8_t* p, T& out) {
  if constexpr (std::is_integral_v<T>) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    out = static_cast<T>(v);
  } else {
    std::memcpy(out.data(), p, out.size());
  }
}

template <typename T>
void store(std::uint8_t* p, const T& in) {
  if constexpr (std::is_integral_v<T>) {
    const auto v = static_cast<std::uint64_t>(in);
    for (std::size_t i = 0; i < sizeof(T); ++i)
      p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  } else {
    std::memcpy(p, in.data(), in.size());
  }
}

}  // namespace

Result<Report> parse_report(std::span<const std::uint8_t> raw) {
  if (raw.size() != kReportSize) {
    return make_error("attest", "SIZE_INVALID",
                      "an SNP report is exactly 1184 bytes, got " + std::to_string(raw.size()),
                      ErrorKind::kInput);
  }
  Report r;
  for_each_field(r, [&](std::size_t off, auto& member) { load(raw.data() + off, member); });
  return r;
}

ByteArray<kReportSize> serialize_report(const Report& report) {
  ByteArray<kReportSize> out{};
  for_each_field(report, [&](std::size_t off, const auto& member) { store(out.data() + off, member); });
  return out;
}

std::vector<ReservedRange> nonzero_reserved(std::span<const std::uint8_t> raw) {
  assert(raw.size() == kReportSize);
  const std::uint32_t version =
      static_cast<std::uint32_t>(raw[0]) | (static_cast<std::uint32_t>(raw[1]) << 8) |
      (static_cast<std::uint32_t>(raw[2]) << 16) | (static_cast<std::uint32_t>(raw[3]) << 24);
  const std::size_t cpuid_start = version >= 3 ? 0x18B : 0x188;
  const std::size_t tail_start = version >= 5 ? 0x208 : 0x1F8;
  const std::pair<std::size_t, std::size_t> ranges[] = {
      {0x04C, 0x050}, {cpuid_start, 0x1A0}, {0x1EB, 0x1EC},
      {0x1EF, 0x1F0}, {tail_start, 0x2A0},  {0x330, 0x4A0},
  };
  std::vector<ReservedRange> out;
  for (const auto& [begin, end] : ranges) {
    const auto* first =
        std::find_if(raw.data() + begin, raw.data() + end, [](std::uint8_t b) { return b != 0; });
    if (first != raw.data() + end) {
      out.push_back(ReservedRange{begin, end - begin, static_cast<std::size_t>(first - raw.data())});
    }
  }
  return out;
}

}  // namespace snprelay::attest
