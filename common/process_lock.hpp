// One owner per directory: an exclusive flock(2) on a lock file, held for the life of the process.
//
// Why (issue 21): two or three `snprelay start` on the same home ran side by side — three API servers,
// one journal — and nothing refused the second. `start` now takes this lock before it opens anything;
// the kernel releases it when the process dies in any way (exit, SIGKILL, a crash), so a stale lock
// file never blocks a restart and no PID-file guessing is involved. The PID written into the file is
// only for messages ("held by PID 1234"); the lock, not the file's content, decides.
//
// Errors (component "lock"): HELD (kind kInput, so `start` exits 2) naming the lock file and the PID in
// it; OPEN_FAILED (the path is refused by the path rule, or open/flock failed for another reason).
//
// Thread-safety: a ProcessLock is owned by one object; holder() is a free function and may run beside
// the holder (it only probes with a shared, non-blocking flock it releases at once).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/file_io.hpp"

namespace snprelay {

// The lock file's name inside a state directory.
inline constexpr const char* kDaemonLockName = "snprelay.lock";

class ProcessLock {
 public:
  // Creates `path` if absent (0600; it must be absent or a regular file, common/path_rules.hpp), takes
  // the exclusive lock without waiting, and writes this process's PID into it.
  [[nodiscard]] static Result<ProcessLock> acquire(const std::string& path);

  ProcessLock(ProcessLock&&) noexcept = default;
  ProcessLock& operator=(ProcessLock&&) noexcept = default;
  ~ProcessLock() = default;  // closing the descriptor releases the lock

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  ProcessLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

// Who holds the lock at `path`, read-only (nothing is created): nullopt when no process holds it
// (including an absent file); the PID written in the file when one does (0 when unreadable).
// Error: OPEN_FAILED when the path exists but cannot be examined (not a regular file, permission).
[[nodiscard]] Result<std::optional<pid_t>> lock_holder(const std::string& path);

}  // namespace snprelay
