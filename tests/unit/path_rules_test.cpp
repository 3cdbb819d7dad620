// The one path rule (common/path_rules.hpp), one case per file kind, and the writers that use it
// (write_file_atomic, db::Database::open). Regression tests for issue 21's first finding: as root,
// `allowlist sync --db /dev/null` chmod-ed the device and created /dev/null-journal; `-o` replaced a FIFO
// or a device with a regular file; `show --db FIFO` hung; `-o` could name an input.
#include "common/path_rules.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "common/file_io.hpp"
#include "db/database.hpp"
#include "temp_dir.hpp"

namespace snprelay {
namespace {

using testing::TempDir;

constexpr std::array<db::Migration, 1> kSchema{{{1, "CREATE TABLE t (x INTEGER)"}}};

// One directory entry of every kind the rule distinguishes, and a symbolic link to each.
struct Zoo {
  TempDir dir{"snprelay-paths"};
  int socket_fd = -1;
  Zoo() {
    std::ofstream(dir.file("regular")) << "data";
    ::mkdir(dir.file("directory").c_str(), 0700);
    ::mkfifo(dir.file("fifo").c_str(), 0600);
    socket_fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string sock = dir.file("socket");
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      ADD_FAILURE() << "bind " << sock << ": " << std::strerror(errno);
    for (const char* k : {"regular", "directory", "fifo", "socket", "absent"})
      (void)::symlink(dir.file(k).c_str(), dir.file(std::string("link-to-") + k).c_str());
    (void)::symlink("/dev/null", dir.file("link-to-devnull").c_str());
  }
  ~Zoo() { ::close(socket_fd); }
  Zoo(const Zoo&) = delete;
  Zoo& operator=(const Zoo&) = delete;
  [[nodiscard]] std::string operator[](const std::string& name) const {
    return name == "devnull" ? "/dev/null" : dir.file(name);
  }
};

struct DevNullMode {
  struct stat st {};
  DevNullMode() { ::stat("/dev/null", &st); }
};

void expect_dev_unchanged(const DevNullMode& before) {
  struct stat now {};
  ASSERT_EQ(::stat("/dev/null", &now), 0);
  EXPECT_EQ(now.st_mode, before.st.st_mode) << "the mode of /dev/null changed";
  EXPECT_TRUE(S_ISCHR(now.st_mode)) << "/dev/null is no longer a character device";
  for (const char* side : {"/dev/null-journal", "/dev/null-wal", "/dev/null-shm", "/dev/.null.tmp"})
    EXPECT_NE(::access(side, F_OK), 0) << side << " was created";
}

TEST(PathKind, NamesEveryKindWithoutFollowingLinks) {
  const Zoo z;
  EXPECT_EQ(*path_kind(z["regular"]), PathKind::kRegular);
  EXPECT_EQ(*path_kind(z["absent"]), PathKind::kAbsent);
  EXPECT_EQ(*path_kind(z["directory"]), PathKind::kDirectory);
  EXPECT_EQ(*path_kind(z["fifo"]), PathKind::kFifo);
  EXPECT_EQ(*path_kind(z["socket"]), PathKind::kSocket);
  EXPECT_EQ(*path_kind("/dev/null"), PathKind::kCharDevice);
  EXPECT_EQ(*path_kind(z["link-to-regular"]), PathKind::kSymlink);
}

TEST(CheckOutputTarget, AcceptsOnlyAbsentOrRegularAndNamesWhatItFound) {
  const Zoo z;
  EXPECT_TRUE(check_output_target(z["regular"], "-o").ok());
  EXPECT_TRUE(check_output_target(z["absent"], "-o").ok());
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"directory", "a directory"},
      {"fifo", "a FIFO"},
      {"socket", "a socket"},
      {"devnull", "a character device"},
      {"link-to-regular", "symbolic link to a regular file"},
      {"link-to-directory", "symbolic link to a directory"},
      {"link-to-fifo", "symbolic link to a FIFO"},
      {"link-to-socket", "symbolic link to a socket"},
      {"link-to-devnull", "symbolic link to a character device"},
      {"link-to-absent", "dangling"},
  };
  for (const auto& [name, says] : refused) {
    const Status st = check_output_target(z[name], "-o");
    ASSERT_FALSE(st.ok()) << name;
    EXPECT_EQ(st.error().code, "NOT_REGULAR") << name;
    EXPECT_EQ(st.error().kind, ErrorKind::kInput) << name;
    EXPECT_NE(st.error().message.find(says), std::string::npos) << name << ": " << st.error().message;
  }
}

TEST(CheckDatabasePath, ReadOnlyFollowsALinkToARegularFileOnly) {
  const Zoo z;
  EXPECT_TRUE(check_database_path(z["regular"], "--db", true).ok());
  EXPECT_TRUE(check_database_path(z["link-to-regular"], "--db", true).ok());
  EXPECT_TRUE(check_database_path(z["absent"], "--db", true).ok());
  for (const char* name : {"directory", "fifo", "socket", "devnull", "link-to-fifo", "link-to-devnull",
                           "link-to-directory", "link-to-socket"})
    EXPECT_FALSE(check_database_path(z[name], "--db", true).ok()) << name;
  // Writable: the link itself is refused, as for any output.
  EXPECT_FALSE(check_database_path(z["link-to-regular"], "--db", false).ok());
}

TEST(CheckDatabasePath, ASideFileThatIsNotRegularRefusesTheDatabase) {
  TempDir dir;
  const std::string db = dir.file("a.db");
  ASSERT_EQ(::mkfifo((db + "-journal").c_str(), 0600), 0);
  const Status st = check_database_path(db, "--db", true);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("a.db-journal"), std::string::npos) << st.error().message;
  ASSERT_EQ(::unlink((db + "-journal").c_str()), 0);
  ASSERT_EQ(::symlink("/dev/null", (db + "-wal").c_str()), 0);
  EXPECT_FALSE(check_database_path(db, "--db", false).ok());
}

TEST(CheckOutputNotInput, SamePathSameFileOrALinkToItIsRefused) {
  const Zoo z;
  const std::vector<std::string> inputs = {z["absent"], z["regular"]};
  EXPECT_TRUE(check_output_not_input(z["new-output"], inputs).ok());
  EXPECT_EQ(check_output_not_input(z["regular"], inputs).error().code, "OUTPUT_IS_INPUT");
  EXPECT_FALSE(check_output_not_input(z.dir.file("directory/../regular"), inputs).ok());
  EXPECT_FALSE(check_output_not_input(z["link-to-regular"], inputs).ok());
  ASSERT_EQ(::link(z["regular"].c_str(), z["hardlink"].c_str()), 0);
  EXPECT_FALSE(check_output_not_input(z["hardlink"], inputs).ok());
}

TEST(WriteFileAtomic, RefusesEveryNonRegularTargetAndLeavesItAsItWas) {
  const Zoo z;
  const DevNullMode before;
  for (const char* name : {"directory", "fifo", "socket", "devnull", "link-to-regular", "link-to-fifo",
                           "link-to-devnull", "link-to-absent"}) {
    const Status st = write_file_atomic(z[name], std::string_view("x"), 0600);
    ASSERT_FALSE(st.ok()) << name;
    EXPECT_EQ(st.error().code, "NOT_REGULAR") << name;
  }
  EXPECT_EQ(*path_kind(z["fifo"]), PathKind::kFifo);
  EXPECT_EQ(*path_kind(z["socket"]), PathKind::kSocket);
  EXPECT_EQ(*path_kind(z["link-to-regular"]), PathKind::kSymlink);
  EXPECT_EQ(*path_kind(z["link-to-absent"]), PathKind::kSymlink);
  EXPECT_EQ(*path_kind(z["absent"]), PathKind::kAbsent) << "written through a dangling link";
  expect_dev_unchanged(before);
  EXPECT_TRUE(write_file_atomic(z["regular"], std::string_view("new"), 0600).ok());
  EXPECT_TRUE(write_file_atomic(z["absent"], std::string_view("new"), 0600).ok());
}

TEST(DatabaseOpen, RefusesDevNullFifoDirectoryAndLinksWithoutTouchingThem) {
  const Zoo z;
  const DevNullMode before;
  for (bool read_only : {false, true}) {
    for (const char* name : {"devnull", "fifo", "directory", "socket", "link-to-devnull", "link-to-fifo"}) {
      db::OpenOptions options;
      options.read_only = read_only;
      // A FIFO must be refused before any open(2): this would hang forever otherwise.
      auto db = db::Database::open(z[name], kSchema, options);
      ASSERT_FALSE(db.ok()) << name;
      EXPECT_EQ(db.error().code, "NOT_REGULAR") << name << ": " << db.error().to_string();
      EXPECT_EQ(db.error().kind, ErrorKind::kInput) << name;
    }
  }
  expect_dev_unchanged(before);
  EXPECT_EQ(*path_kind(z["fifo"]), PathKind::kFifo);
  EXPECT_NE(::access((z["fifo"] + "-journal").c_str(), F_OK), 0);
}

TEST(DatabaseOpen, AFileThatIsNotADatabaseKeepsItsMode) {
  TempDir dir;
  const auto path = dir.file("foreign.txt");
  std::ofstream(path) << "this is not an SQLite database, and it is long enough to have a header....\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto db = db::Database::open(path, kSchema);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "CORRUPT");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u) << "a file that is not a database was chmod-ed";
}

}  // namespace
}  // namespace snprelay
