// Which vTPM and which PCRs, for the CLI and the daemon alike, and opening the TPM safely.
//
// The TCTI is TpmRequest::tcti, else `[tpm] tcti` of the configuration, else device:/dev/tpmrm0; the
// PCRs are TpmRequest::pcrs, else `[tpm] pcrs`, else 0,1,7. open_tpm() caps ESYS's own logging before
// the TPM is opened: ESYS at debug/trace dumps command parameters before encryption (a secret in
// clear), so TSS2_LOG is set to "all+none", or, when the operator asked for tracing, their setting
// with the ESYS layers capped at warning. (To move into attest::tpm::Tpm::open, issue 11.)
#pragma once

#include <memory>
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

// Caps ESYS logging (see above); idempotent.
void guard_tss2_log();

// guard_tss2_log(), then Tpm::open(tcti). Errors: Tpm::open's.
[[nodiscard]] Result<std::unique_ptr<attest::tpm::Tpm>> open_tpm(const std::string& tcti);

}  // namespace snprelay::app
