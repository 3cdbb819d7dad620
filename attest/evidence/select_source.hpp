// Choosing the evidence source for a hardware mode (DESIGN.md §5).
//
//   kRequire   real SNP only: configfs-tsm when the kernel has it (Linux ≥ 6.7), else /dev/sev-guest.
//              When neither works, start-up fails with every reason (no device; permission denied,
//              with the udev/group hint; not an SNP guest). Never falls back to simulation.
//   kAuto      as kRequire when hardware is there; otherwise the simulated firmware, announced with
//              a warning naming why the hardware was not usable.
//   kSimulate  always the simulated firmware.
// Key derivation needs the ioctl device (configfs-tsm has no key interface), so `need_derived_keys`
// makes kRequire/kAuto pick /dev/sev-guest.
//
// The simulated firmware is built by `make_simulated`, so this file needs no knowledge of it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "attest/evidence/evidence_source.hpp"

namespace snprelay::attest {

enum class EvidenceMode { kRequire, kAuto, kSimulate };

struct EvidenceSelection {
  EvidenceMode mode = EvidenceMode::kRequire;
  std::string device = "/dev/sev-guest";
  std::string configfs_root = "/sys/kernel/config/tsm/report";
  bool need_derived_keys = false;
};

using MakeSimulated = std::function<Result<std::unique_ptr<EvidenceSource>>()>;

struct SelectedSource {
  std::unique_ptr<EvidenceSource> source;
  std::string why;  // how the choice was made, for the start-up log line
};

// Errors: NO_SNP_HARDWARE (kRequire) listing each backend's reason; the simulated firmware's own
// errors for kSimulate/kAuto.
[[nodiscard]] Result<SelectedSource> select_evidence_source(const EvidenceSelection& selection,
                                                            const MakeSimulated& make_simulated);

}  // namespace snprelay::attest
