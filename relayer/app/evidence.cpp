#include "relayer/app/evidence.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "attest/evidence/select_source.hpp"
#include "attest/kds/kds_url.hpp"
#include "attest/tcb.hpp"
#include "common/log.hpp"
#include "relayer/app/parse.hpp"

namespace snprelay::app {
namespace {

using namespace snprelay::attest;

Error bad_flag(const std::string& message) {
  return make_error("app", "BAD_FLAG", message, ErrorKind::kInput);
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> hex_array(const char* flag, const std::string& text, bool exact) {
  auto bytes = parse_hex_bytes(flag, text, N, exact);
  if (!bytes)
    return bytes.error();
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

Result<std::shared_ptr<SimFirmware>> open_sim(const SimRequest& r) {
  if (r.must_exist && !std::filesystem::is_regular_file(r.state + "/product"))
    return make_error("app", "SIM_STATE_MISSING",
                      "the simulated firmware's state directory " + r.state +
                          " holds no state; new simulated keys would not be the ones the chain trusts. Point "
                          "[enclave.sev_snp] sim_state_dir at the devnet's state (devnet.json sim_state)",
                      ErrorKind::kInput);
  SimSettings s;
  std::string product = r.product;
  if (product.empty()) {
    std::ifstream stored(r.state + "/product");
    if (!(stored >> product))
      product = "Milan";
  }
  auto p = kds_product(product);
  if (!p)
    return bad_flag("--sim-product: " + p.error().message);
  s.product = *p;
  if (r.version != 2 && r.version != 3 && r.version != 5)
    return bad_flag("--sim-version: " + std::to_string(r.version) + " is not one of 2, 3, 5");
  s.version = r.version;
  s.tcb = SimSettings::default_tcb(s.product);
  if (!r.tcb.empty()) {
    std::string why;
    auto min = parse_min_tcb(r.tcb, &why);
    if (!min)
      return bad_flag("--sim-tcb: " + why);
    s.tcb.bootloader = min->bootloader;
    s.tcb.tee = min->tee;
    s.tcb.snp = min->snp;
    s.tcb.microcode = min->microcode;
    if (s.product == Product::kTurin)
      s.tcb.fmc = min->fmc;
  }
  if (!r.measurement.empty()) {
    auto m = hex_array<48>("--sim-measurement", r.measurement, true);
    if (!m)
      return m.error();
    s.measurement = *m;
  }
  if (!r.host_data.empty()) {
    auto h = hex_array<32>("--sim-host-data", r.host_data, false);
    if (!h)
      return h.error();
    s.host_data = *h;
  }
  auto policy = parse_unsigned("--sim-policy", r.policy);
  if (!policy)
    return policy.error();
  s.policy = *policy;
  s.guest_vmpl = r.guest_vmpl;
  s.guest_svn = r.guest_svn;
  return SimFirmware::open(r.state, s);
}

Result<OpenedSource> open_simulated_source(const SimRequest& r) {
  if (r.state.empty())
    return bad_flag("--simulate needs --sim-state DIR");
  auto fw = open_sim(r);
  if (!fw)
    return fw.error();
  return OpenedSource{make_simulated_source(*fw), 0};
}

Result<OpenedSource> open_evidence_source(const config::Config& config, SimRequest sim,
                                          bool need_derived_keys) {
  const auto& snp = config.enclave.sev_snp;
  EvidenceSelection sel;
  const auto mode = config.enclave.hardware_mode;
  sel.mode = mode == config::HardwareMode::kRequire ? EvidenceMode::kRequire
             : mode == config::HardwareMode::kAuto  ? EvidenceMode::kAuto
                                                    : EvidenceMode::kSimulate;
  sel.device = snp.device;
  sel.configfs_root = snp.configfs_path;
  sel.need_derived_keys = need_derived_keys;
  sim.state = snp.sim_state_dir;
  if (sim.product.empty())
    sim.product = std::string(attest::product_name(snp.product_name));
  auto selected = select_evidence_source(sel, [&]() -> Result<std::unique_ptr<EvidenceSource>> {
    auto fw = open_sim(sim);
    if (!fw)
      return fw.error();
    return make_simulated_source(*fw);
  });
  if (!selected)
    return selected.error();
  if (selected->source->describe().simulated && sel.mode != EvidenceMode::kSimulate)
    log_for("attest")->warn("evidence source: {}", selected->why);  // auto mode fell back: say it loudly
  else
    log_for("attest")->info("evidence source: {}", selected->why);
  return OpenedSource{std::move(selected->source), static_cast<std::uint32_t>(snp.vmpl)};
}

std::optional<std::string> announce_line(const EvidenceSource& source) {
  const SourceInfo info = source.describe();
  if (!info.simulated)
    return std::nullopt;
  return "SIMULATED: this comes from the simulated firmware in " + info.device +
         ", not from AMD hardware; it proves nothing about this machine";
}

}  // namespace snprelay::app
