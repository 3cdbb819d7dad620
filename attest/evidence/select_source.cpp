#include "attest/evidence/select_source.hpp"

#include "attest/evidence/configfs_source.hpp"
#include "attest/evidence/ioctl_source.hpp"

namespace snprelay::attest {
namespace {

// Tries the hardware backends in order of preference; on failure returns every reason.
Result<SelectedSource> open_hardware(const EvidenceSelection& s) {
  std::string reasons;
  if (!s.need_derived_keys) {
    ConfigfsOptions co;
    co.root = s.configfs_root;
    auto configfs = ConfigfsTsmSource::open(co, posix_configfs_fs());
    if (configfs)
      return SelectedSource{std::move(configfs).value(), "configfs-tsm at " + s.configfs_root};
    reasons += "configfs-tsm: " + configfs.error().message + "\n";
  }
  IoctlOptions io;
  io.device = s.device;
  auto ioctl = IoctlSource::open(io, posix_device_io());
  if (ioctl)
    return SelectedSource{std::move(ioctl).value(), "ioctl on " + s.device};
  reasons += "ioctl: " + ioctl.error().message;
  return make_error("attest", "NO_SNP_HARDWARE", "no SEV-SNP evidence source is usable:\n" + reasons,
                    ErrorKind::kUnavailable);
}

}  // namespace

Result<SelectedSource> select_evidence_source(const EvidenceSelection& selection,
                                              const MakeSimulated& make_simulated) {
  if (selection.mode == EvidenceMode::kSimulate) {
    auto sim = make_simulated();
    if (!sim)
      return sim.error();
    return SelectedSource{std::move(sim).value(), "simulated firmware (hardware_mode = \"simulate\")"};
  }
  auto hardware = open_hardware(selection);
  if (hardware || selection.mode == EvidenceMode::kRequire)
    return hardware;
  auto sim = make_simulated();
  if (!sim)
    return sim.error();
  return SelectedSource{std::move(sim).value(), "SIMULATED firmware (hardware_mode = \"auto\" and " +
                                                    hardware.error().message +
                                                    "); its reports prove nothing about this machine"};
}

}  // namespace snprelay::attest
