#include "relayer/app/tpm.hpp"

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

}  // namespace snprelay::app
