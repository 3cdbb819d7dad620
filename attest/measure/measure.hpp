// The SNP launch measurement of a VM image, computed from its published parts and its launch shape
// exactly as the AMD firmware folds them into the launch digest (launch_digest.hpp), in the order QEMU
// (or EC2, GCE) issues SNP_LAUNCH_UPDATE:
//   1. every page of the firmware image, as normal pages, from 4 GiB - size up;
//   2. each SEV metadata section in order: SNP_SEC_MEM as zero pages (GCE: unmeasured pages), the
//      secrets page, the CPUID page (EC2: deferred until after all other sections), the SVSM calling
//      area as zero pages, the kernel-hashes page as a normal page holding the SEV hashes table of a
//      direct boot (sev_hashes.hpp), or as a zero page without one;
//   3. one VMSA per vCPU (vmsa.hpp): the first at the reset vector 0xfffffff0, the others at the
//      firmware's SEV-ES reset address.
//
// compute_measurement() is pure; measure_files() reads the named files (regular files, bounded sizes)
// and nothing else. Errors are component "measure" (or "io" for an unreadable file), kind kInput, and
// name the file or flag and what is wrong; firmware errors are those of firmware.hpp, plus:
//   BAD_VCPUS          a vCPU count of 0 or above kMaxVcpus
//   BAD_GUEST_FEATURES guest features without bit 0 (SNPActive): no SNP guest's VMSA lacks it
//   NO_KERNEL_HASHES   a kernel is given but the firmware has no kernel-hashes section (or no hashes
//                      table GPA in it): the firmware would not check the kernel, so no measurement
//                      covers it
//   BAD_DIRECT_BOOT    an initrd or command line without a kernel
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "attest/measure/firmware.hpp"
#include "attest/measure/launch_digest.hpp"
#include "attest/measure/sev_hashes.hpp"
#include "attest/measure/vcpu.hpp"

namespace snprelay::attest::measure {

// KVM's limit on vCPUs per VM on x86-64 (KVM_MAX_VCPUS): each needs its own VMSA page in the launch,
// and no VM with more can be started.
inline constexpr std::uint32_t kMaxVcpus = 1024;

// Caps on what measure_files reads: an OVMF image is a few MiB; kernels and initrds stay far below 1 GiB.
inline constexpr std::size_t kMaxFirmwareBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxBootFileBytes = std::size_t{1} << 30;

struct LaunchShape {
  std::uint32_t vcpus = 1;
  std::uint32_t vcpu_sig = 0;
  std::string vcpu_type;  // the QEMU model name the signature came from; empty when given numerically
  Vmm vmm = Vmm::kQemu;
  std::uint64_t guest_features = 0x1;  // SEV_FEATURES; bit 0 is SNPActive
};

// BAD_VCPUS / BAD_GUEST_FEATURES as above.
[[nodiscard]] Status check_shape(const LaunchShape& shape);

// The measurement of `firmware` launched with `shape`, with direct-boot `hashes` when given.
[[nodiscard]] Result<Digest384> compute_measurement(const Firmware& firmware,
                                                    const std::optional<DirectBootHashes>& hashes,
                                                    const LaunchShape& shape,
                                                    const std::string& firmware_name);

// The files of an image: the firmware, and for a direct boot the kernel, initrd and command line.
struct ImageFiles {
  std::string firmware;
  std::string kernel;                  // empty: no direct boot
  std::string initrd;                  // empty: none
  std::optional<std::string> cmdline;  // nullopt: none (hashed as the empty string)
};

// What was measured: the measurement and the SHA-256 of every input, so that a signer can check
// each part against its release.
struct MeasuredImage {
  Digest384 measurement{};
  Digest256 firmware_sha256{};
  std::optional<DirectBootHashes> direct_boot;  // kernel, initrd and command-line SHA-256
};

[[nodiscard]] Result<MeasuredImage> measure_files(const ImageFiles& files, const LaunchShape& shape);

}  // namespace snprelay::attest::measure
