#include "attest/measure/vcpu.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace snprelay::attest::measure {
namespace {

Error bad(const char* code, const std::string& message) {
  return make_error("measure", code, message, ErrorKind::kInput);
}

struct CpuModel {
  std::string_view name;
  std::uint32_t family, model, stepping;
};

// QEMU target/i386/cpu.c builtin_x86_defs: the AMD server models and their versions (a version alias
// keeps the family/model/stepping of its base model).
constexpr std::array<CpuModel, 16> kModels{{
    {"EPYC", 23, 1, 2},
    {"EPYC-v1", 23, 1, 2},
    {"EPYC-v2", 23, 1, 2},
    {"EPYC-IBPB", 23, 1, 2},
    {"EPYC-v3", 23, 1, 2},
    {"EPYC-v4", 23, 1, 2},
    {"EPYC-Rome", 23, 49, 0},
    {"EPYC-Rome-v1", 23, 49, 0},
    {"EPYC-Rome-v2", 23, 49, 0},
    {"EPYC-Rome-v3", 23, 49, 0},
    {"EPYC-Milan", 25, 1, 1},
    {"EPYC-Milan-v1", 25, 1, 1},
    {"EPYC-Milan-v2", 25, 1, 1},
    {"EPYC-Genoa", 25, 17, 0},
    {"EPYC-Genoa-v1", 25, 17, 0},
    {"EPYC-Turin", 26, 0, 0},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string hex_number(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + out;
}

std::string_view vmm_name(Vmm vmm) {
  switch (vmm) {
    case Vmm::kQemu:
      return "QEMU";
    case Vmm::kEc2:
      return "ec2";
    case Vmm::kGce:
      return "gce";
  }
  return "QEMU";
}

Result<Vmm> parse_vmm(std::string_view name) {
  const std::string l = lower(name);
  for (const Vmm v : {Vmm::kQemu, Vmm::kEc2, Vmm::kGce})
    if (l == lower(vmm_name(v)))
      return v;
  return bad("UNKNOWN_VMM", "unknown VMM type \"" + std::string(name) + "\": known are QEMU, ec2, gce");
}

Result<std::uint32_t> vcpu_signature(std::uint32_t family, std::uint32_t model, std::uint32_t stepping) {
  if (family > 0xF + 0xFF || model > 0xFF || stepping > 0xF)
    return bad("BAD_VCPU_SIG", "vCPU family " + std::to_string(family) + ", model " + std::to_string(model) +
                                   ", stepping " + std::to_string(stepping) +
                                   " out of range (family <= 270, model <= 255, stepping <= 15)");
  const std::uint32_t base_family = family > 0xF ? 0xF : family;
  const std::uint32_t ext_family = family > 0xF ? family - 0xF : 0;
  return ext_family << 20 | (model >> 4) << 16 | base_family << 8 | (model & 0xF) << 4 | stepping;
}

Result<std::uint32_t> vcpu_type_signature(std::string_view type) {
  for (const auto& m : kModels)
    if (m.name == type)
      return vcpu_signature(m.family, m.model, m.stepping);
  std::string known;
  for (const auto& m : kModels)
    known += (known.empty() ? "" : ", ") + std::string(m.name);
  return bad("UNKNOWN_VCPU_TYPE", "unknown vCPU type \"" + std::string(type) + "\": known are " + known);
}

std::vector<std::string> vcpu_type_names() {
  std::vector<std::string> out;
  out.reserve(kModels.size());
  for (const auto& m : kModels)
    out.emplace_back(m.name);
  return out;
}

}  // namespace snprelay::attest::measure
