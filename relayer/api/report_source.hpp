// Where the API's reports come from: the narrow ReportGenerator interface the routes call, and its
// one production implementation over an attest::EvidenceSource.
//
// generate() asks for one attestation report whose REPORT_DATA is exactly `report_data`.
//   success  Generated{report: the firmware's 1184 bytes, untouched; vcek_der: the VCEK the host
//            supplied beside the report (extended report), when it did; simulated: the source is the
//            simulated firmware (every consumer must say so)}
//   failure  the source's own error, unchanged (attest DEVICE_MISSING, HOST_BUSY, ... with its kind:
//            kUnavailable when the device is absent or busy, which the routes count as a hardware
//            error), or api BAD_REPORT (kInternal) when the source returned something that is not
//            1184 bytes.
// Thread-safety: generate() may be called from several threads at once; EvidenceReportGenerator relies
// on the EvidenceSource contract (sources serialise their own requests).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "attest/evidence/evidence_source.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::api {

struct Generated {
  Bytes report;                   // 1184 bytes
  std::optional<Bytes> vcek_der;  // the host's VCEK, DER, when supplied
  bool simulated = false;
};

class ReportGenerator {
 public:
  virtual ~ReportGenerator() = default;
  [[nodiscard]] virtual Result<Generated> generate(const std::array<std::uint8_t, 64>& report_data) = 0;
};

// Reports from `source` at `vmpl` (the configuration's VMPL). Borrows `source`, which must outlive it.
class EvidenceReportGenerator final : public ReportGenerator {
 public:
  EvidenceReportGenerator(attest::EvidenceSource& source, std::uint32_t vmpl)
      : source_(source), vmpl_(vmpl) {}
  [[nodiscard]] Result<Generated> generate(const std::array<std::uint8_t, 64>& report_data) override;

 private:
  attest::EvidenceSource& source_;
  std::uint32_t vmpl_;
};

}  // namespace snprelay::api
