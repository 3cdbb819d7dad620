#include "relayer/app/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace snprelay::app {
namespace {

Error input_error(const std::string& code, const std::string& message) {
  return make_error("app", code, message, ErrorKind::kInput);
}

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every path out of read_input_file.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status check_regular_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return input_error("READ_FAILED", what + " " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return input_error("NOT_A_FILE",
                       what + " " + path + " is " + file_type_name(st.st_mode) + ", not a regular file");
  return ok_status();
}

Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes, const std::string& what) {
  // O_NONBLOCK: opening a FIFO with no writer must not block; a regular file ignores the flag.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0)
    return input_error("READ_FAILED", what + " " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return input_error("READ_FAILED", what + " " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return input_error("NOT_A_FILE",
                       what + " " + path + " is " + file_type_name(st.st_mode) + ", not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return input_error("FILE_TOO_LARGE", what + " " + path + " is " + std::to_string(st.st_size) +
                                             " bytes; at most " + std::to_string(max_bytes) + " expected");
  Bytes out(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return input_error("READ_FAILED", what + " " + path + ": " + std::strerror(errno));
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
    if (got > max_bytes)  // the file grew while we read it
      return input_error("FILE_TOO_LARGE",
                         what + " " + path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  out.resize(got);
  return out;
}

Result<Bytes> read_report_file(const std::string& path, const std::string& what) {
  auto bytes = read_input_file(path, kMaxReportFile, what);
  if (!bytes)
    return bytes;
  if (bytes->size() != kReportSize)
    return input_error("BAD_REPORT_SIZE", what + " " + path + " is " + std::to_string(bytes->size()) +
                                              " bytes; an SNP report is " + std::to_string(kReportSize));
  return bytes;
}

}  // namespace snprelay::app
