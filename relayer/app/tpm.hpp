// Which vTPM and which PCRs, for the CLI and the daemon alike, and opening the TPM safely.
//
// The TCTI is TpmRequest::tcti, else `[tpm] tcti` of the configuration, else device:/dev/tpmrm0; the
// PCRs are TpmRequest::pcrs, else `[tpm] pcrs`, else 0,1,7. attest::tpm::Tpm::open caps ESYS's own
// logging (attest::tpm::cap_tss2_logging) before the TPM is opened.
#pragma once

#include <string>

#include "attest/tpm/pcr.hpp"
#include "attest/tpm/tpm.hpp"
#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::app {

inline constexpr const char* kDefaultTcti = "device:/dev/tpmrm0";
inline constexpr const char* kDefaultPcrs = "0,1,7";

// The operator's choice; empty fields fall back to the configuration, then the defaults.
struct TpmRequest {
  std::string tcti;
  std::string pcrs;  // "0,1,7"
};

struct ResolvedTpm {
  std::string tcti;
  attest::tpm::PcrSelection pcrs;
};

// `r` resolved against `config` (may be null). Errors: tpm BAD_PCRS.
[[nodiscard]] Result<ResolvedTpm> resolve_tpm(const TpmRequest& r, const config::Config* config);

}  // namespace snprelay::app
