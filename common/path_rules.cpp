#include "common/path_rules.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace snprelay {
namespace {

PathKind kind_of_mode(mode_t mode) {
  if (S_ISREG(mode))
    return PathKind::kRegular;
  if (S_ISDIR(mode))
    return PathKind::kDirectory;
  if (S_ISFIFO(mode))
    return PathKind::kFifo;
  if (S_ISSOCK(mode))
    return PathKind::kSocket;
  if (S_ISCHR(mode))
    return PathKind::kCharDevice;
  if (S_ISBLK(mode))
    return PathKind::kBlockDevice;
  if (S_ISLNK(mode))
    return PathKind::kSymlink;
  return PathKind::kOther;
}

Error refused(const std::string& path, std::string_view what, const std::string& is) {
  return make_error("io", "NOT_REGULAR",
                    std::string(what) + " " + path + " " + is +
                        "; only a regular file (or a new one) is accepted, and it was left untouched",
                    ErrorKind::kInput);
}

// stat or lstat; kAbsent for ENOENT, an error for anything else that prevents an answer.
Result<PathKind> examine(const std::string& path, bool follow, struct stat* st) {
  const int rc = follow ? ::stat(path.c_str(), st) : ::lstat(path.c_str(), st);
  if (rc == 0)
    return kind_of_mode(st->st_mode);
  const int err = errno;
  if (err == ENOENT)
    return PathKind::kAbsent;
  return make_error("io", "READ_FAILED", "cannot examine " + path + ": " + std::strerror(err),
                    ErrorKind::kInput);
}

// Why a symbolic link is refused, naming what it leads to.
std::string describe_link(const std::string& path) {
  struct stat target {};
  auto kind = examine(path, true, &target);
  if (!kind || *kind == PathKind::kAbsent)
    return "is a symbolic link to nothing (dangling)";
  return "is a symbolic link to " + std::string(path_kind_name(*kind));
}

}  // namespace

Result<PathKind> path_kind(const std::string& path) {
  struct stat st {};
  return examine(path, false, &st);
}

std::string_view path_kind_name(PathKind kind) {
  switch (kind) {
    case PathKind::kAbsent:
      return "absent";
    case PathKind::kRegular:
      return "a regular file";
    case PathKind::kDirectory:
      return "a directory";
    case PathKind::kFifo:
      return "a FIFO";
    case PathKind::kSocket:
      return "a socket";
    case PathKind::kCharDevice:
      return "a character device";
    case PathKind::kBlockDevice:
      return "a block device";
    case PathKind::kSymlink:
      return "a symbolic link";
    case PathKind::kOther:
      break;
  }
  return "not a regular file";
}

Status check_output_target(const std::string& path, std::string_view what) {
  const std::string_view name = what.empty() ? "output" : what;
  if (path.empty())
    return make_error("io", "NOT_REGULAR", std::string(name) + " is an empty path", ErrorKind::kInput);
  auto kind = path_kind(path);
  if (!kind)
    return kind.error();
  if (*kind == PathKind::kAbsent || *kind == PathKind::kRegular)
    return ok_status();
  if (*kind == PathKind::kSymlink)
    return refused(path, name, describe_link(path));
  return refused(path, name, "is " + std::string(path_kind_name(*kind)));
}

Status check_database_path(const std::string& path, std::string_view what, bool read_only) {
  const std::string_view name = what.empty() ? "database" : what;
  if (read_only) {
    struct stat st {};
    auto kind = examine(path, true, &st);
    if (!kind)
      return kind.error();
    if (*kind != PathKind::kRegular && *kind != PathKind::kAbsent)
      return refused(path, name, "is " + std::string(path_kind_name(*kind)));
  } else if (Status st = check_output_target(path, name); !st) {
    return st;
  }
  for (const char* side : {"-journal", "-wal", "-shm"}) {
    if (Status st = check_output_target(path + side, std::string(name) + "'s SQLite side file"); !st)
      return st;
  }
  return ok_status();
}

Status check_output_not_input(const std::string& output, std::span<const std::string> inputs) {
  const auto norm = [](const std::string& p) {
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::absolute(std::filesystem::path(p), ec);
    return (ec ? std::filesystem::path(p) : abs).lexically_normal();
  };
  struct stat out_st {};
  const bool out_exists = ::stat(output.c_str(), &out_st) == 0;
  for (const auto& input : inputs) {
    if (input.empty())
      continue;
    bool same = norm(input) == norm(output);
    struct stat in_st {};
    if (!same && out_exists && ::stat(input.c_str(), &in_st) == 0)
      same = in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino;
    if (same)
      return make_error("io", "OUTPUT_IS_INPUT",
                        "output " + output + " is the input " + input +
                            "; refusing to overwrite an input (name another output file)",
                        ErrorKind::kInput);
  }
  return ok_status();
}

Status check_output(const std::string& output, std::string_view what, std::span<const std::string> inputs) {
  if (Status st = check_output_target(output, what); !st)
    return st;
  return check_output_not_input(output, inputs);
}

}  // namespace snprelay
