// The initial VMSA (VM save area, AMD APM vol. 2 table B-4, the SEV-ES layout) of one vCPU as the VMM
// hands it to SNP_LAUNCH_UPDATE: real-mode reset state at `eip` (CS base = eip & 0xffff0000,
// RIP = eip & 0xffff), EFER.SVME, CR4.MCE, the VMM's segment attributes, RDX, PAT and FPU defaults, and
// SEV_FEATURES = the guest features. The bootstrap processor starts at 0xfffffff0; the others at the
// firmware's SEV-ES reset address.
#pragma once

#include <array>
#include <cstdint>

#include "attest/measure/vcpu.hpp"

namespace snprelay::attest::measure {

inline constexpr std::uint32_t kBspResetEip = 0xfffffff0;

using VmsaPage = std::array<std::uint8_t, 4096>;

[[nodiscard]] VmsaPage initial_vmsa(std::uint32_t eip, std::uint64_t guest_features, std::uint32_t vcpu_sig,
                                    Vmm vmm);

}  // namespace snprelay::attest::measure
