// EvidenceReportGenerator: one get_report() call, the VCEK picked out of the host's table.
#include "relayer/api/report_source.hpp"

#include <string>
#include <utility>

#include "attest/evidence/cert_table.hpp"
#include "attest/report.hpp"

namespace snprelay::api {

Result<Generated> EvidenceReportGenerator::generate(const std::array<std::uint8_t, 64>& report_data) {
  auto evidence = source_.get_report(report_data, vmpl_);
  if (!evidence)
    return evidence.error();
  if (evidence->report.size() != attest::kReportSize) {
    return make_error("api", "BAD_REPORT",
                      "the evidence source returned " + std::to_string(evidence->report.size()) +
                          " bytes instead of a 1184-byte report",
                      ErrorKind::kInternal);
  }
  Generated out;
  out.simulated = evidence->simulated || source_.describe().simulated;
  if (const auto* vcek = attest::find_cert(evidence->certs, attest::CertKind::kVcek))
    out.vcek_der = vcek->data;
  out.report = std::move(evidence->report);
  return out;
}

}  // namespace snprelay::api
