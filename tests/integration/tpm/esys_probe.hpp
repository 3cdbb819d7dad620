// Direct ESYS access for the TPM tests, independent of the code under test's operations: extend or
// reset a PCR, and count what is loaded in the TPM (to prove every path flushed its handles).
#pragma once

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include <cstring>
#include <string>

#include "attest/tpm/esys_handles.hpp"

namespace snprelay::testing {

class EsysProbe {
 public:
  explicit EsysProbe(const std::string& tcti) {
    using attest::tpm::detail::out;
    // Two statements: out() fills its owner only at the end of the full expression.
    if (Tss2_TctiLdr_Initialize(tcti.c_str(), out(tcti_)) != TSS2_RC_SUCCESS)
      return;
    if (Esys_Initialize(out(esys_), tcti_.get(), nullptr) != TSS2_RC_SUCCESS)
      esys_.reset();
  }
  [[nodiscard]] bool ok() const { return esys_ != nullptr; }

  // Extends sha256 PCR `index` with a fixed digest (any change breaks a policy over that PCR).
  [[nodiscard]] TSS2_RC extend(unsigned index, std::uint8_t fill = 0xA5) {
    TPML_DIGEST_VALUES values;
    std::memset(&values, 0, sizeof values);
    values.count = 1;
    values.digests[0].hashAlg = TPM2_ALG_SHA256;
    std::memset(values.digests[0].digest.sha256, fill, 32);
    return Esys_PCR_Extend(esys_.get(), ESYS_TR_PCR0 + index, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                           &values);
  }

  // PCR_Reset works at locality 0 for PCR 16 and 23 only.
  [[nodiscard]] TSS2_RC reset(unsigned index) {
    return Esys_PCR_Reset(esys_.get(), ESYS_TR_PCR0 + index, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
  }

  // Number of transient objects plus loaded sessions in the TPM, or -1 on error.
  [[nodiscard]] int loaded_handles() {
    int total = 0;
    for (const TPM2_HT type : {TPM2_HT_TRANSIENT, TPM2_HT_LOADED_SESSION}) {
      attest::tpm::detail::EsysOut<TPMS_CAPABILITY_DATA> data;
      TPMI_YES_NO more = TPM2_NO;
      if (Esys_GetCapability(esys_.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES,
                             static_cast<UINT32>(type) << 24, TPM2_MAX_CAP_HANDLES, &more,
                             attest::tpm::detail::out(data)) != TSS2_RC_SUCCESS)
        return -1;
      total += static_cast<int>(data->data.handles.count);
    }
    return total;
  }

 private:
  attest::tpm::detail::TctiPtr tcti_;
  attest::tpm::detail::EsysPtr esys_;
};

}  // namespace snprelay::testing
