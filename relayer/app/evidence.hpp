// Where SNP evidence comes from, for the CLI and the daemon alike.
//
//   open_sim()               the simulated firmware in a state directory, shaped by a SimRequest
//   open_simulated_source()  that firmware as an EvidenceSource (VMPL 0)
//   open_evidence_source()   the source `[enclave] hardware_mode` names: require (the /dev/sev-guest
//                            ioctl or configfs-tsm, never simulated), auto (hardware, else the
//                            simulated firmware in sim_state_dir, logged as a warning), simulate
//   announce_line()          the SIMULATED warning a command prints before using simulated evidence
// Errors: app BAD_FLAG (kInput) for a malformed SimRequest field; the firmware's and the evidence
// selection's own errors otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "attest/evidence/evidence_source.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::app {

// The knobs of the simulated firmware. Text fields are parsed strictly by open_sim (their names in
// errors are the CLI's flag names, --sim-*).
struct SimRequest {
  std::string state;    // state directory
  std::string product;  // Milan, Genoa, Turin; default: the state's, else Milan
  std::uint32_t version = 3;
  std::string measurement;  // hex, 48 bytes
  std::string policy = "0x30000";
  std::string host_data;  // hex, up to 32 bytes
  std::string tcb;        // bl=N,tee=N,snp=N,ucode=N[,fmc=N]
  std::uint32_t guest_vmpl = 0;
  std::uint32_t guest_svn = 0;
  // The daemon and doctor: the state must already exist. New simulated keys would not be the ones the
  // chain trusts (a devnet's simulated_roots), so every epoch would fail its self-check (issue 21:
  // doctor made fresh keys in an empty sim_state_dir and said ok). Error: app SIM_STATE_MISSING.
  bool must_exist = false;
};

// The simulated firmware of `r.state` with r's settings.
[[nodiscard]] Result<std::shared_ptr<attest::SimFirmware>> open_sim(const SimRequest& r);

struct OpenedSource {
  std::unique_ptr<attest::EvidenceSource> source;
  std::uint32_t vmpl = 0;  // the configuration's default VMPL (0 for a bare simulated source)
};

// The simulated firmware of `r` as an evidence source. Errors: app BAD_FLAG without r.state.
[[nodiscard]] Result<OpenedSource> open_simulated_source(const SimRequest& r);

// The source `config.enclave.hardware_mode` selects. `sim` shapes the simulated firmware when one is
// used (its state is always `[enclave.sev_snp] sim_state_dir`; its product, when empty, the
// configured product). `need_derived_keys` excludes configfs-tsm (it cannot derive keys).
[[nodiscard]] Result<OpenedSource> open_evidence_source(const config::Config& config, SimRequest sim,
                                                        bool need_derived_keys);

// The warning for a simulated source ("SIMULATED: ..."), or nullopt for real hardware.
[[nodiscard]] std::optional<std::string> announce_line(const attest::EvidenceSource& source);

}  // namespace snprelay::app
