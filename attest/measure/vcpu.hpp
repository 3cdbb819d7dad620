// The launch shape's CPU and VMM vocabulary: vCPU signatures (CPUID Fn0000_0001_EAX) by QEMU CPU model
// name or by family/model/stepping, and the VMMs whose initial register state differs.
//
// Errors (component "measure", kind kInput): UNKNOWN_VCPU_TYPE (names the type and the known ones),
// BAD_VCPU_SIG (family/model/stepping out of range), UNKNOWN_VMM (names the VMM and the known ones).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace snprelay::attest::measure {

// The VMMs with their own register conventions. QEMU (with KVM) is the reference; AWS EC2 and Google
// GCE start vCPUs with other segment attributes, RDX, FPU state and (GCE) PAT.
enum class Vmm { kQemu, kEc2, kGce };

// "QEMU", "ec2", "gce": the spellings sev-snp-measure uses.
[[nodiscard]] std::string_view vmm_name(Vmm vmm);
// Case-insensitive.
[[nodiscard]] Result<Vmm> parse_vmm(std::string_view name);

// The CPUID(1).EAX signature of a family (0..0x10E), model (0..0xFF) and stepping (0..0xF): base family
// 0xF plus extended family for families above 0xF, the model split into base and extended nibbles.
[[nodiscard]] Result<std::uint32_t> vcpu_signature(std::uint32_t family, std::uint32_t model,
                                                   std::uint32_t stepping);

// The signature of a QEMU AMD EPYC CPU model ("EPYC", "EPYC-v4", "EPYC-Rome", "EPYC-Milan-v2",
// "EPYC-Genoa", "EPYC-Turin", ...), as QEMU's builtin_x86_defs gives it. Exact, case-sensitive names.
[[nodiscard]] Result<std::uint32_t> vcpu_type_signature(std::string_view type);

// "0x" and lower-case hex digits without leading zeros: how numbers of the launch shape are shown.
[[nodiscard]] std::string hex_number(std::uint64_t v);

// The known type names, in table order.
[[nodiscard]] std::vector<std::string> vcpu_type_names();

}  // namespace snprelay::attest::measure
