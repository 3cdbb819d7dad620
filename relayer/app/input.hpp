// Reading the operator's input files: regular files only, capped per format, never the whole file first.
//
// Every file a command reads from a flag or a positional goes through read_input_file(). It refuses a
// directory, a FIFO, a device (/dev/zero) or a socket before reading a byte (so nothing hangs and
// nothing grows without bound), and refuses a file larger than the cap of its format. All its errors
// are ErrorKind::kInput (exit 2): the operator named the wrong thing.
//
// Temporary: common/ will gain the same reader (issue 11, half B); this one is then deleted and
// its callers switched over.
#pragma once

#include <cstddef>
#include <string>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::app {

// Caps per format (bytes). A report is exactly 1184 bytes; the cap leaves room to say "wrong size".
inline constexpr std::size_t kMaxReportFile = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxCertFile =
    std::size_t{256} * 1024;  // a PEM bundle of a few certificates / a CRL
inline constexpr std::size_t kMaxConfigFile = std::size_t{1024} * 1024;  // a configuration or key file
inline constexpr std::size_t kMaxTxFile =
    std::size_t{4} * 1024 * 1024;  // a signed transaction (hex or base64)

// The contents of the regular file `path`, at most `max_bytes` long. `what` names the input in
// messages ("--report", "report file"). Errors (all kInput): app NOT_A_FILE (a directory, FIFO,
// device or socket), app FILE_TOO_LARGE, app READ_FAILED (missing, unreadable).
[[nodiscard]] Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes,
                                            const std::string& what);

// The size of an SNP attestation report (every version): 1184 bytes.
inline constexpr std::size_t kReportSize = 1184;

// A raw SNP report file: read_input_file with the report cap, then exactly kReportSize bytes.
// Errors: read_input_file's, app BAD_REPORT_SIZE (kInput).
[[nodiscard]] Result<Bytes> read_report_file(const std::string& path, const std::string& what);

// Checks that `path` names a regular file (following symlinks) without reading it; for inputs that a
// library opens itself (a configuration file). Errors: as read_input_file's, kInput.
[[nodiscard]] Status check_regular_file(const std::string& path, const std::string& what);

}  // namespace snprelay::app
