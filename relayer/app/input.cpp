#include "relayer/app/input.hpp"

#include "attest/report.hpp"

namespace snprelay::app {

Result<Bytes> read_report_file(const std::string& path, const std::string& what) {
  auto bytes = read_input_file(path, kMaxReportFileBytes, what);
  if (!bytes)
    return bytes;
  if (bytes->size() != attest::kReportSize)
    return make_error("app", "BAD_REPORT_SIZE",
                      what + " " + path + " is " + std::to_string(bytes->size()) +
                          " bytes; an SNP report is " + std::to_string(attest::kReportSize),
                      ErrorKind::kInput);
  return bytes;
}

}  // namespace snprelay::app
