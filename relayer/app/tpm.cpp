#include "relayer/app/tpm.hpp"

#include <cstdlib>

namespace snprelay::app {

Result<ResolvedTpm> resolve_tpm(const TpmRequest& r, const config::Config* config) {
  ResolvedTpm out{r.tcti.empty() ? kDefaultTcti : r.tcti, {}};
  std::vector<std::int64_t> config_pcrs;
  if (config != nullptr) {
    if (r.tcti.empty())
      out.tcti = config->tpm.tcti;
    config_pcrs = config->tpm.pcrs;
  }
  auto sel = !r.pcrs.empty()        ? attest::tpm::parse_pcr_list(r.pcrs)
             : !config_pcrs.empty() ? attest::tpm::pcr_selection(config_pcrs)
                                    : attest::tpm::parse_pcr_list(kDefaultPcrs);
  if (!sel)
    return sel.error();
  out.pcrs = *sel;
  return out;
}

void guard_tss2_log() {
  static const std::string kCap = ",esys+warning,esys_crypto+warning";
  const char* user = std::getenv("TSS2_LOG");
  const std::string current = user != nullptr ? user : "";
  if (current == "all+none" || current.ends_with(kCap))
    return;
  if (!current.empty())
    ::setenv("TSS2_LOG", (current + kCap).c_str(), 1);
  else
    ::setenv("TSS2_LOG", "all+none", 1);
}

Result<std::unique_ptr<attest::tpm::Tpm>> open_tpm(const std::string& tcti) {
  guard_tss2_log();
  return attest::tpm::Tpm::open(tcti);
}

}  // namespace snprelay::app
