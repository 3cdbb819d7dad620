#include "common/process_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/path_rules.hpp"

namespace snprelay {
namespace {

Error open_failed(const std::string& path, const std::string& why) {
  return make_error("lock", "OPEN_FAILED", "lock file " + path + ": " + why, ErrorKind::kInput);
}

// The PID the holder wrote, 0 when the content is not one.
pid_t read_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return 0;
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(buf, buf + n, pid);
  return ec == std::errc() && pid > 0 ? pid : 0;
}

std::string holder_text(pid_t pid) {
  return pid > 0 ? "PID " + std::to_string(pid) : "another process";
}

}  // namespace

Result<ProcessLock> ProcessLock::acquire(const std::string& path) {
  if (Status st = check_output_target(path, "lock file"); !st)
    return open_failed(path, st.error().message);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd)
    return open_failed(path, std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK)
      return make_error("lock", "HELD",
                        "another snprelay daemon (" + holder_text(read_pid(fd.get())) + ") holds " + path +
                            ": one daemon per home; stop it first (or give this one another state_dir)",
                        ErrorKind::kInput);
    return open_failed(path, std::string("flock: ") + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0)
    return open_failed(path, std::string("cannot write the PID: ") + std::strerror(errno));
  return ProcessLock(std::move(fd), path);
}

Result<std::optional<pid_t>> lock_holder(const std::string& path) {
  auto kind = path_kind(path);
  if (!kind)
    return open_failed(path, kind.error().message);
  if (*kind == PathKind::kAbsent)
    return std::optional<pid_t>{};
  if (*kind != PathKind::kRegular)
    return open_failed(path, "is " + std::string(path_kind_name(*kind)) + ", not a regular file");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd)
    return open_failed(path, std::strerror(errno));
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    (void)::flock(fd.get(), LOCK_UN);
    return std::optional<pid_t>{};
  }
  if (errno != EWOULDBLOCK)
    return open_failed(path, std::string("flock: ") + std::strerror(errno));
  return std::optional<pid_t>(read_pid(fd.get()));
}

}  // namespace snprelay
