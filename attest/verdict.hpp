// The outcome of verifying one SNP report: a value, never an exception.
//
// A Verdict is "accepted" exactly when it carries no failure. Otherwise it lists every check that
// failed (the verifier keeps going after a failure whenever the remaining checks still make sense),
// each with a stable code from the fixed list below and a message that names the field and both the
// observed and the expected value. The codes are a contract: the CLI prints them, the chain records
// them, scripts match on them. Never rename one; add new ones at the end.
//
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/report.hpp"
#include "attest/tcb.hpp"

namespace snprelay::attest {

enum class FailureCode {
  kSizeInvalid,               // report is not exactly 1184 bytes
  kVersionUnsupported,        // VERSION not in the accepted set
  kSignatureAlgoUnsupported,  // SIGNATURE_ALGO != 1 (ECDSA P-384 / SHA-384)
  kSignatureEncoding,         // R or S zero, >= the curve order, or upper 24 bytes non-zero
  kSignatureInvalid,          // ECDSA verification over bytes 0x000..0x29F failed
  kReservedNonzero,           // a must-be-zero byte or bit is set (report ranges, POLICY, KEY_INFO, ...)
  kReportDataMismatch,        // REPORT_DATA differs from the expected binding
  kVmplNotAllowed,            // VMPL > 3 or not in the accepted set
  kDebugPolicy,               // POLICY.DEBUG set and debug not allowed
  kPolicyViolation,           // any other guest-policy / platform / field constraint
  kSignerNotAllowed,          // KEY_INFO signer is NONE/reserved, VLEK not allowed, or != certificate type
  kChipIdMasked,              // CHIP_ID all zero and masking not allowed
  kMeasurementNotAllowed,     // MEASUREMENT not in the allowed set
  kChainUntrusted,            // VCEK/VLEK does not chain to a trusted ARK through a valid ASK/ASVK
  kCertNotValidAtTime,        // a certificate of the chain is not yet valid or expired at the time
  kCertRevoked,               // the ASK/ASVK is listed on a CRL signed by the ARK
  kProductMismatch,           // products of report, certificates and options disagree
  kVcekChipMismatch,          // VCEK hwID != CHIP_ID
  kVcekTcbMismatch,           // VCEK TCB extensions != REPORTED_TCB, or cert TCB > CURRENT_TCB
  kTcbBelowMinimum,           // a TCB, firmware build or version below the configured minimum
};

// The stable upper-case name, e.g. "TCB_BELOW_MINIMUM".
[[nodiscard]] std::string_view failure_code_name(FailureCode code);

// Every code in declaration order (for tests and documentation).
[[nodiscard]] const std::vector<FailureCode>& all_failure_codes();

struct Failure {
  FailureCode code;
  std::string message;  // names the field and both values
};

struct Verdict {
  std::vector<Failure> failures;
  // What the verifier established, for display. `product` is kUnknown when neither the report, the
  // certificates nor the options determined it.
  Product product = Product::kUnknown;
  std::optional<Report> report;   // set whenever the bytes had the right size
  bool chain_from_cache = false;  // the VEK's chain verdict came from the verified-chain cache

  [[nodiscard]] bool accepted() const { return failures.empty(); }
  [[nodiscard]] bool has(FailureCode code) const {
    for (const auto& f : failures) {
      if (f.code == code)
        return true;
    }
    return false;
  }
};

}  // namespace snprelay::attest
