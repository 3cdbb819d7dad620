// The one rule for every path snprelay writes, creates or hands to SQLite on a caller's behalf.
//
// Why (issue 21): run as root, `allowlist sync --db /dev/null` changed the device's mode and created
// /dev/null-journal; `allowlist sign -o` replaced a FIFO or a device node with a regular file; `show --db
// FIFO` hung in open(2); `-o` could name the command's own input. Every such path now passes one of the
// checks below before anything is opened, created, chmod-ed or renamed:
//   - an output (check_output_target) is absent or a regular file; the final component is never a
//     symbolic link (a rename would replace the link, a write would go through it), a directory, a FIFO, a
//     socket or a device;
//   - a database (check_database_path) is the same, and so are SQLite's side files beside it (-journal,
//     -wal, -shm), which SQLite would otherwise create or open without asking; a read-only database may
//     be reached through a symbolic link to a regular file (reading through a link writes nothing);
//   - an output that is one of the command's inputs (check_output_not_input: the same path, or the same
//     file by device and inode) is refused before any input is read;
//   - nothing here opens the path, so no check can block on a FIFO (lstat/stat only).
// The checks run just before the open; a path swapped between the check and the open by someone who can
// write the directory is outside this rule (such a directory is refused by private_dir_problem where it
// matters).
//
// Errors (component "io", kind kInput, so the CLI exits 2): NOT_REGULAR naming the path, what it was
// meant to be and what it is ("is a FIFO", "is a symbolic link to a character device"); OUTPUT_IS_INPUT
// naming both; READ_FAILED when the path cannot be examined for another reason (EACCES on a parent,
// ENOTDIR ...).
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace snprelay {

// What is at a path, as lstat(2) (or stat(2) for a link's target) sees it.
enum class PathKind {
  kAbsent,
  kRegular,
  kDirectory,
  kFifo,
  kSocket,
  kCharDevice,
  kBlockDevice,
  kSymlink,
  kOther
};

// The kind of the final component itself (a symbolic link is kSymlink, whatever it points to). An error
// only when the path cannot be examined at all (not for an absent one).
[[nodiscard]] Result<PathKind> path_kind(const std::string& path);

// "a regular file", "a FIFO", "a character device", "absent" ... for messages.
[[nodiscard]] std::string_view path_kind_name(PathKind kind);

// An output target: absent or a regular file that is not a symbolic link. `what` names it in the error
// ("--out", "signature file"); empty means "output".
[[nodiscard]] Status check_output_target(const std::string& path, std::string_view what);

// A database and SQLite's side files (path + "-journal", "-wal", "-shm"). With read_only, the database
// itself may be a symbolic link to a regular file (an absent one passes: the open reports it); otherwise it
// is an output (check_output_target). The side files are always outputs: SQLite may create them even
// read-only.
[[nodiscard]] Status check_database_path(const std::string& path, std::string_view what, bool read_only);

// Refuses an output that names one of `inputs`: the same path text after lexical normalisation, or the
// same existing file (device and inode, following links: a link to an input is that input).
[[nodiscard]] Status check_output_not_input(const std::string& output, std::span<const std::string> inputs);

// Both checks for a command's output flag, run before the command reads, signs or fetches anything.
[[nodiscard]] Status check_output(const std::string& output, std::string_view what,
                                  std::span<const std::string> inputs = {});

}  // namespace snprelay
