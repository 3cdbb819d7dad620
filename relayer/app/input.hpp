// Reading a raw SNP report file the operator named: common/file_io.hpp's read_input_file (regular
// files only, capped, kInput errors naming the flag), then exactly one report's size.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/file_io.hpp"

namespace snprelay::app {

// A raw SNP report file: read_input_file with the report cap, then exactly attest::kReportSize bytes.
// Errors: read_input_file's (component io), app BAD_REPORT_SIZE (kInput).
[[nodiscard]] Result<Bytes> read_report_file(const std::string& path, const std::string& what);

}  // namespace snprelay::app
