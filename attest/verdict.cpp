// Stable names of the verification failure codes.
#include "attest/verdict.hpp"

namespace snprelay::attest {

std::string_view failure_code_name(FailureCode code) {
  switch (code) {
    case FailureCode::kSizeInvalid:
      return "SIZE_INVALID";
    case FailureCode::kVersionUnsupported:
      return "VERSION_UNSUPPORTED";
    case FailureCode::kSignatureAlgoUnsupported:
      return "SIGNATURE_ALGO_UNSUPPORTED";
    case FailureCode::kSignatureEncoding:
      return "SIGNATURE_ENCODING";
    case FailureCode::kSignatureInvalid:
      return "SIGNATURE_INVALID";
    case FailureCode::kReservedNonzero:
      return "RESERVED_NONZERO";
    case FailureCode::kReportDataMismatch:
      return "REPORT_DATA_MISMATCH";
    case FailureCode::kVmplNotAllowed:
      return "VMPL_NOT_ALLOWED";
    case FailureCode::kDebugPolicy:
      return "DEBUG_POLICY";
    case FailureCode::kPolicyViolation:
      return "POLICY_VIOLATION";
    case FailureCode::kSignerNotAllowed:
      return "SIGNER_NOT_ALLOWED";
    case FailureCode::kChipIdMasked:
      return "CHIP_ID_MASKED";
    case FailureCode::kMeasurementNotAllowed:
      return "MEASUREMENT_NOT_ALLOWED";
    case FailureCode::kChainUntrusted:
      return "CHAIN_UNTRUSTED";
    case FailureCode::kCertNotValidAtTime:
      return "CERT_NOT_VALID_AT_TIME";
    case FailureCode::kCertRevoked:
      return "CERT_REVOKED";
    case FailureCode::kProductMismatch:
      return "PRODUCT_MISMATCH";
    case FailureCode::kVcekChipMismatch:
      return "VCEK_CHIP_MISMATCH";
    case FailureCode::kVcekTcbMismatch:
      return "VCEK_TCB_MISMATCH";
    case FailureCode::kTcbBelowMinimum:
      return "TCB_BELOW_MINIMUM";
  }
  return "UNKNOWN";
}

const std::vector<FailureCode>& all_failure_codes() {
  static const std::vector<FailureCode> codes = [] {
    std::vector<FailureCode> out;
    for (int i = 0; i <= static_cast<int>(FailureCode::kTcbBelowMinimum); ++i)
      out.push_back(static_cast<FailureCode>(i));
    return out;
  }();
  return codes;
}

}  // namespace snprelay::attest
