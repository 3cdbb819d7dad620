#include "common/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/path_rules.hpp"

namespace snprelay {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other)
    reset(other.release());
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
}

namespace {

std::string label(std::string_view what, const std::string& path) {
  return std::string(what.empty() ? "file" : what) + " " + path;
}

Error input_error(const char* code, std::string message) {
  return make_error("io", code, std::move(message), ErrorKind::kInput);
}

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

// Opens and checks `path`; on success the descriptor and the size fstat reported.
struct Opened {
  UniqueFd fd;
  std::size_t size = 0;
};

Result<Opened> open_regular(const std::string& path, std::size_t max_bytes, std::string_view what,
                            ReadOptions options, bool private_only = false) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (options.no_follow)
    flags |= O_NOFOLLOW;
  UniqueFd fd(::open(path.c_str(), flags));
  if (!fd) {
    const int err = errno;
    if (err == ENOENT)
      return input_error("NOT_FOUND", "cannot open " + label(what, path) + ": no such file");
    if (err == EACCES)
      return input_error("PERMISSION_DENIED", "cannot open " + label(what, path) + ": permission denied");
    if (err == ELOOP && options.no_follow)
      return input_error("SYMLINK", label(what, path) + " is a symbolic link; refusing to follow it");
    if (err == ENXIO)  // a FIFO with no writer, a socket
      return input_error("NOT_REGULAR", label(what, path) + " is not a regular file");
    return input_error("READ_FAILED", "cannot open " + label(what, path) + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return input_error("READ_FAILED", "cannot stat " + label(what, path) + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return input_error("NOT_REGULAR",
                       label(what, path) + " is " + file_type_name(st.st_mode) + ", not a regular file");
  if (private_only && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return input_error("LOOSE_PERMISSIONS",
                       label(what, path) + " holds a secret but other users may read or write it (mode " +
                           mode + "); chmod 600 it");
  }
  if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return input_error("TOO_LARGE", label(what, path) + " is " + std::to_string(st.st_size) +
                                        " bytes; at most " + std::to_string(max_bytes) + " are accepted");
  }
  return Opened{std::move(fd), static_cast<std::size_t>(st.st_size)};
}

// Reads into buf[0, cap) until EOF; returns the count, or -1 (errno set) on a read error, or cap
// when the file still had bytes after cap - 1 (callers pass max_bytes + 1 to detect growth).
ssize_t read_bounded(int fd, std::uint8_t* buf, std::size_t cap) {
  std::size_t n = 0;
  while (n < cap) {
    const ssize_t got = ::read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (got == 0)
      break;
    n += static_cast<std::size_t>(got);
  }
  return static_cast<ssize_t>(n);
}

Error too_large(const std::string& path, std::string_view what, std::size_t max_bytes) {
  return input_error(
      "TOO_LARGE", label(what, path) + " grew past " + std::to_string(max_bytes) + " bytes while being read");
}

// A full disk or an I/O error may pass; a path that cannot be written (EACCES, EROFS, ENOENT ...) is
// the caller's to fix.
ErrorKind write_error_kind(int err) {
  return err == ENOSPC || err == EDQUOT || err == EIO || err == EAGAIN ? ErrorKind::kUnavailable
                                                                       : ErrorKind::kInput;
}

Error write_failed(const std::string& path, const char* step, int err) {
  return make_error("io", "WRITE_FAILED", "cannot write " + path + " (" + step + "): " + std::strerror(err),
                    write_error_kind(err));
}

bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    off += static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes, std::string_view what,
                              ReadOptions options) {
  auto opened = open_regular(path, max_bytes, what, options);
  if (!opened)
    return opened.error();
  // One byte beyond the cap tells a file that grew after fstat from one that is exactly at the cap.
  Bytes data(opened->size + 1);
  const std::size_t cap = std::min(max_bytes + 1, data.size());
  const ssize_t n = read_bounded(opened->fd.get(), data.data(), cap);
  if (n < 0)
    return input_error("READ_FAILED",
                       "error while reading " + label(what, path) + ": " + std::strerror(errno));
  if (static_cast<std::size_t>(n) > max_bytes)
    return too_large(path, what, max_bytes);
  if (static_cast<std::size_t>(n) == data.size()) {
    // Grew after fstat but maybe still within the cap: read the rest, bounded.
    Bytes more(max_bytes + 1 - data.size());
    const ssize_t m = read_bounded(opened->fd.get(), more.data(), more.size());
    if (m < 0)
      return input_error("READ_FAILED",
                         "error while reading " + label(what, path) + ": " + std::strerror(errno));
    if (static_cast<std::size_t>(m) == more.size())
      return too_large(path, what, max_bytes);
    data.insert(data.end(), more.begin(), more.begin() + m);
    return data;
  }
  data.resize(static_cast<std::size_t>(n));
  return data;
}

Result<SecretBytes> read_secret_file(const std::string& path, std::string_view what, std::size_t max_bytes,
                                     ReadOptions options) {
  auto opened = open_regular(path, max_bytes, what, options, true);
  if (!opened)
    return opened.error();
  // The whole cap (plus one) is reserved up front so the secret is never copied by a growing buffer.
  SecretBytes buf(max_bytes + 1);
  const ssize_t n = read_bounded(opened->fd.get(), buf.data(), buf.size());
  if (n < 0)
    return input_error("READ_FAILED",
                       "error while reading " + label(what, path) + ": " + std::strerror(errno));
  auto len = static_cast<std::size_t>(n);
  if (len > max_bytes)
    return too_large(path, what, max_bytes);
  if (!options.keep_trailing_newline && len > 0 && buf.data()[len - 1] == '\n') {
    --len;
    if (len > 0 && buf.data()[len - 1] == '\r')
      --len;
  }
  return SecretBytes(std::span<const std::uint8_t>(buf.data(), len));
}

Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes, mode_t mode) {
  // Renamed over a regular file only: never over a device, FIFO, socket, directory or symbolic link.
  if (Status st = check_output_target(path, "output"); !st)
    return st;
  const std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty())
    dir = ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // created 0600
  if (!fd)
    return write_failed(path, "create temporary file", errno);
  // From here on, any failure removes the temporary file.
  auto fail = [&](const char* step) {
    const int err = errno;
    fd.reset();
    ::unlink(tmp.c_str());
    return Status(write_failed(path, step, err));
  };
  if ((mode & 07777) != 0600 && ::fchmod(fd.get(), mode & 07777) != 0)
    return fail("chmod");
  if (!write_all(fd.get(), bytes))
    return fail("write");
  if (::fsync(fd.get()) != 0)
    return fail("fsync");
  if (::close(fd.release()) != 0)
    return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("rename");
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd || ::fsync(dfd.get()) != 0)
    return write_failed(path, "fsync directory", errno);
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view text, mode_t mode) {
  return write_file_atomic(
      path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
      mode);
}

Status make_private_dirs(const std::string& path) {
  std::filesystem::path so_far;
  for (const auto& part : std::filesystem::path(path)) {
    so_far /= part;
    struct stat st {};
    if (::stat(so_far.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        return input_error("NOT_REGULAR", so_far.string() + " exists and is not a directory");
      continue;
    }
    if (::mkdir(so_far.c_str(), 0700) != 0 && errno != EEXIST) {
      const int err = errno;
      return make_error("io", "MKDIR_FAILED",
                        "cannot create directory " + so_far.string() + ": " + std::strerror(err),
                        write_error_kind(err));
    }
    // mkdir's mode is masked by the umask (only ever tighter); set it exactly so the owner can use it.
    if (::chmod(so_far.c_str(), 0700) != 0) {
      const int err = errno;
      return make_error("io", "MKDIR_FAILED",
                        "cannot set mode 0700 on " + so_far.string() + ": " + std::strerror(err),
                        write_error_kind(err));
    }
  }
  return ok_status();
}

std::string private_dir_problem(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return std::string("cannot be examined: ") + std::strerror(errno);
  if (S_ISLNK(st.st_mode))
    return "is a symbolic link";
  if (!S_ISDIR(st.st_mode))
    return std::string("is ") + file_type_name(st.st_mode);
  if (st.st_uid != ::geteuid())
    return "is owned by another user (uid " + std::to_string(st.st_uid) + ")";
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("is ") + ((st.st_mode & S_IWOTH) != 0 ? "world" : "group") + "-writable (mode " +
           mode + ")";
  }
  return {};
}

}  // namespace snprelay
