// Reading input files with a hard cap, reading secret files, and writing private files atomically.
//
// Every file snprelay reads on a caller's behalf (a report, a certificate, a config, a key file, a
// transaction) goes through read_input_file(): it accepts regular files only, checks the size with
// fstat before reading, and never reads more than the cap of the format, so a directory, a FIFO,
// /dev/zero or a 5 GB file given where a 1184-byte report is expected is a clear kInput error, not a
// hang, an abort or a process that grows without bound. The caps below are the ones callers use; a
// caller with a tighter format (a report is exactly 1184 bytes) still checks the exact size itself.
//
// Every file snprelay writes that must not be seen half-written (a key, a sealed blob, a cached
// certificate, simulator state) goes through write_file_atomic(): a temporary file in the same
// directory, created 0600, written, fsync'd, renamed over the target, then the directory fsync'd; on
// any failure the temporary file is removed and the target is left as it was.
//
// Error codes (component "io", kind kInput unless said otherwise): NOT_FOUND, PERMISSION_DENIED,
// NOT_REGULAR (a directory, FIFO, device, socket; the message says which), SYMLINK (with no_follow),
// TOO_LARGE (names the cap), READ_FAILED; WRITE_FAILED and MKDIR_FAILED (kind kInternal: the caller
// asked to write somewhere it may, and the system refused). Every message names the path and, when the
// caller gave one, what the file was meant to be ("report", "VCEK certificate").
//
// Thread-safety: free functions on independent files; safe from any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay {

using Bytes = std::vector<std::uint8_t>;

// Caps per format. A report is 1184 bytes (with room for a future version's larger layout the caller
// checks exactly); a DER or PEM certificate, a chain or a CRL is a few KB; config, key files and signed
// transactions are text of a few hundred KB at most; a secret (mnemonic, passphrase) is short.
inline constexpr std::size_t kMaxReportFileBytes = 4096;
inline constexpr std::size_t kMaxCertificateFileBytes = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxTextFileBytes = std::size_t{512} * 1024;
inline constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

// A file descriptor owned by one object: closed on destruction, movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing.
  [[nodiscard]] int release();
  // Closes the current descriptor (if any) and takes `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct ReadOptions {
  // Refuse a symbolic link as the last path component (O_NOFOLLOW): key files and anything read
  // from a directory an attacker might share.
  bool no_follow = false;
  // read_secret_file only: keep a trailing newline, for a secret that is binary (`tpm seal --in`).
  bool keep_trailing_newline = false;
};

// Reads the regular file at `path`, at most `max_bytes`. `what` names the file in errors ("report",
// "config file"); empty means "file". The file is opened non-blocking so a FIFO cannot hang the open,
// checked with fstat (a non-regular file is refused before any read), and read in one bounded loop:
// a file that grows past the cap while being read is still refused.
[[nodiscard]] Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes,
                                            std::string_view what, ReadOptions options = {});

// Like read_input_file, into self-wiping memory, and with one trailing "\n" or "\r\n" removed (files
// written by `echo` end in a newline that is not part of the secret) unless
// options.keep_trailing_newline. A file other users may read or write (any of mode 077) is refused with
// io LOOSE_PERMISSIONS before a byte is read: a mnemonic or passphrase in a 0644 file is as exposed as
// a 0644 bearer token, which was already refused (issue 21). No intermediate buffer holds
// the secret outside SecretBytes. Errors never quote the content.
[[nodiscard]] Result<SecretBytes> read_secret_file(const std::string& path, std::string_view what,
                                                   std::size_t max_bytes = kMaxSecretFileBytes,
                                                   ReadOptions options = {});

// Replaces `path` atomically with `bytes`, the final file having permission bits `mode` (0600 unless
// the file is public, e.g. 0644 for an exported certificate). Success means the data and the rename
// are durable (file and directory fsync'd). Errors: io WRITE_FAILED naming the path and the failing
// step; the temporary file never survives a failure.
[[nodiscard]] Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes,
                                       mode_t mode = 0600);
[[nodiscard]] Status write_file_atomic(const std::string& path, std::string_view text, mode_t mode = 0600);

// Creates `path` and any missing parents as directories with mode 0700 whatever the umask (mkdir with
// 0700 can only come out tighter, and is then set exactly: never a looser window). An existing final
// directory is left as it is (callers that must refuse a loose one check with private_dir_problem).
// Errors: io MKDIR_FAILED; io NOT_REGULAR when a component exists and is not a directory.
[[nodiscard]] Status make_private_dirs(const std::string& path);

// Empty when `path` is a real directory (not a symlink) owned by this user and not group- or
// world-writable; otherwise the reason, e.g. "is group-writable (mode 0775)".
[[nodiscard]] std::string private_dir_problem(const std::string& path);

}  // namespace snprelay
