#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/base64.hpp"
#include "common/file_io.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"
#include "common/secret.hpp"
#include "common/secret_guard.hpp"
#include "common/utf8.hpp"
#include "temp_dir.hpp"

namespace snprelay {
namespace {

TEST(Hex, RoundTripsAndRejectsBadInput) {
  const Bytes b = {0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(to_hex(b), "007fabff");
  EXPECT_EQ(*from_hex("007FABFF"), b);
  EXPECT_EQ(*from_hex("0x007fabff"), b);
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, "ODD_LENGTH");
  EXPECT_EQ(odd.error().kind, ErrorKind::kInput);  // exit 2 wherever a flag's hex is bad
  auto bad = from_hex("zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "not a hex digit at position 0: 'z'");
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
}

TEST(Base64, RoundTripsAndRejectsNonCanonicalText) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const Bytes b(s.begin(), s.end());
    auto back = decode_base64(encode_base64(b));
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(*back, b);
  }
  EXPECT_EQ(encode_base64(Bytes{'f', 'o', 'o', 'b'}), "Zm9vYg==");
  for (const char* bad :
       {"Zm9vYg=", "Zm9v\nYg==", "Zm9vY===", "Zm=vYg==", "Zm9vYg-_", "Zm9vYh==", "Zm9vYmF="}) {
    auto r = decode_base64(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "BAD_BASE64");
    EXPECT_EQ(r.error().kind, ErrorKind::kInput);
    EXPECT_NE(r.error().message.find("base64"), std::string::npos);
  }
}

TEST(Secret, MoveLeavesSourceEmptyAndCompares) {
  SecretBytes a = SecretBytes::from_string("hunter2");
  SecretBytes b = a;
  EXPECT_TRUE(a.equals(b));
  SecretBytes c = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_TRUE(c.equals(b));
  EXPECT_FALSE(c.equals(SecretBytes::from_string("hunter3")));
  c.clear();
  EXPECT_TRUE(c.empty());
}

TEST(Log, ParsesLevelsAndFormats) {
  EXPECT_EQ(*parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(*parse_log_level("off"), spdlog::level::off);
  EXPECT_FALSE(parse_log_level("loud").ok());
  EXPECT_EQ(parse_log_level("loud").error().kind, ErrorKind::kInput);
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  auto bad = parse_log_format("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("text, json"), std::string::npos);
}

TEST(Result, CarriesValueOrError) {
  Result<int> good(5);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad(make_error("x", "CODE", "msg"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "x CODE: msg");
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), 0600);  // read_secret_file refuses a file others may read (issue 21)
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Restores the umask a test changed.
class UmaskScope {
 public:
  explicit UmaskScope(mode_t mask) : old_(::umask(mask)) {}
  UmaskScope(const UmaskScope&) = delete;
  UmaskScope& operator=(const UmaskScope&) = delete;
  ~UmaskScope() { ::umask(old_); }

 private:
  mode_t old_;
};

std::size_t entries_in(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
    ++n;
  return n;
}

// Issue 11: `verify --report DIR` aborted with exit 134; a directory is an input error naming it.
TEST(ReadInputFile, DirectoryGivenAsReportIsAnInputErrorNotAnAbort) {
  testing::TempDir tmp;
  auto r = read_input_file(tmp.path().string(), kMaxReportFileBytes, "report");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NOT_REGULAR");
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_NE(r.error().message.find("report " + tmp.path().string() + " is a directory"), std::string::npos)
      << r.error().message;
  // read_file (every older caller) refuses it the same way.
  auto old = read_file(tmp.path().string());
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, "NOT_REGULAR");
}

// Issue 11: a FIFO given as an input hung the CLI forever.
TEST(ReadInputFile, FifoWithNoWriterIsRefusedWithoutHanging) {
  testing::TempDir tmp;
  const std::string fifo = tmp.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = read_input_file(fifo, kMaxReportFileBytes, "report");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NOT_REGULAR");
  EXPECT_NE(r.error().message.find("is a FIFO"), std::string::npos) << r.error().message;
  auto s = read_secret_file(fifo, "passphrase file");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "NOT_REGULAR");
}

// Issue 11: /dev/zero as an input grew the process to 5 GB.
TEST(ReadInputFile, DevZeroIsRefusedAsACharacterDevice) {
  auto r = read_input_file("/dev/zero", kMaxCertificateFileBytes, "certificate");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NOT_REGULAR");
  EXPECT_NE(r.error().message.find("/dev/zero is a character device"), std::string::npos)
      << r.error().message;
  auto s = read_secret_file("/dev/zero", "mnemonic file");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "NOT_REGULAR");
}

// Issue 11: an input far larger than its format was read whole before being rejected. A sparse 5 GB
// file is refused from fstat alone (the test would take minutes and 5 GB if it were read).
TEST(ReadInputFile, FileFarLargerThanItsFormatIsRefusedBeforeReading) {
  testing::TempDir tmp;
  const std::string big = tmp.file("huge.bin");
  {
    UniqueFd fd(::open(big.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::ftruncate(fd.get(), off_t{5} << 30), 0);
  }
  auto r = read_input_file(big, kMaxReportFileBytes, "report");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "TOO_LARGE");
  EXPECT_NE(r.error().message.find("at most 4096"), std::string::npos) << r.error().message;
}

TEST(ReadInputFile, ReadsUpToTheCapExactlyAndNotOneByteMore) {
  testing::TempDir tmp;
  write_text(tmp.file("at"), std::string(100, 'a'));
  write_text(tmp.file("over"), std::string(101, 'a'));
  write_text(tmp.file("empty"), "");
  auto at = read_input_file(tmp.file("at"), 100, "x");
  ASSERT_TRUE(at.ok()) << at.error().to_string();
  EXPECT_EQ(at->size(), 100U);
  auto over = read_input_file(tmp.file("over"), 100, "x");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "TOO_LARGE");
  auto empty = read_input_file(tmp.file("empty"), 100, "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto missing = read_input_file(tmp.file("nope"), 100, "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NOT_FOUND");
  EXPECT_EQ(missing.error().kind, ErrorKind::kInput);
}

TEST(ReadInputFile, SymlinkIsRefusedWhenTheCallerAsksForNoFollow) {
  testing::TempDir tmp;
  write_text(tmp.file("real"), "data");
  std::filesystem::create_symlink(tmp.file("real"), tmp.file("link"));
  auto followed = read_input_file(tmp.file("link"), 100, "key file");
  ASSERT_TRUE(followed.ok());
  auto refused = read_input_file(tmp.file("link"), 100, "key file", ReadOptions{.no_follow = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "SYMLINK");
}

TEST(Utf8, ValidAsProtobufAndGoDefineIt) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92 \xF4\x8F\xBF\xBF"));  // up to U+10FFFF
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80",
                          "\xFF", "ok\xE2\x82"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << to_hex(
        std::span(reinterpret_cast<const std::uint8_t*>(bad), std::char_traits<char>::length(bad)));
  }
}

TEST(ReadSecretFile, StripsOneTrailingNewlineAndCapsTheSize) {
  testing::TempDir tmp;
  write_text(tmp.file("crlf"), "pass word\r\n");
  write_text(tmp.file("two"), "secret\n\n");
  write_text(tmp.file("big"), std::string(kMaxSecretFileBytes + 1, 'x'));
  auto crlf = read_secret_file(tmp.file("crlf"), "passphrase file");
  ASSERT_TRUE(crlf.ok());
  EXPECT_EQ(crlf->to_string_unsafe(), "pass word");
  auto two = read_secret_file(tmp.file("two"), "passphrase file");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->to_string_unsafe(), "secret\n");
  auto big = read_secret_file(tmp.file("big"), "passphrase file");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "TOO_LARGE");
  EXPECT_EQ(big.error().message.find("xxxx"), std::string::npos);
}

// Issue 21: a mnemonic or passphrase in a 0644 file was accepted silently while a 0644 bearer token was
// refused. Every secret file is now refused when other users may read or write it.
TEST(ReadSecretFile, AGroupOrWorldAccessibleSecretFileIsRefusedBeforeReading) {
  testing::TempDir tmp;
  write_text(tmp.file("pass"), "a passphrase\n");
  for (const mode_t mode : {0644, 0640, 0604, 0620}) {
    ASSERT_EQ(::chmod(tmp.file("pass").c_str(), mode), 0);
    auto r = read_secret_file(tmp.file("pass"), "passphrase file");
    ASSERT_FALSE(r.ok()) << std::oct << mode;
    EXPECT_EQ(r.error().code, "LOOSE_PERMISSIONS");
    EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("a passphrase"), std::string::npos);
  }
  ASSERT_EQ(::chmod(tmp.file("pass").c_str(), 0400), 0);
  EXPECT_TRUE(read_secret_file(tmp.file("pass"), "passphrase file").ok());
}

// Issue 11: the four private writers differed; one of them left its file at the umask's mode.
TEST(WriteFileAtomic, PrivateFileIs0600WhateverTheUmaskAndReplacesTheOldOne) {
  testing::TempDir tmp;
  UmaskScope loose(0);
  const std::string path = tmp.file("key.json");
  write_text(path, "old");
  ASSERT_TRUE(write_file_atomic(path, std::string_view("new contents")).ok());
  EXPECT_EQ(mode_of(path), 0600U);
  EXPECT_EQ(read_file(path)->size(), 12U);
  ASSERT_TRUE(write_file_atomic(tmp.file("cert.pem"), std::string_view("pub"), 0644).ok());
  EXPECT_EQ(mode_of(tmp.file("cert.pem")), 0644U);
  EXPECT_EQ(entries_in(tmp.path().string()), 2U);  // no temporary file left behind
}

TEST(WriteFileAtomic, FailureLeavesNoTemporaryFileAndTheTargetUntouched) {
  testing::TempDir tmp;
  // The target is a non-empty directory. Since issue 21 the path rule refuses it before a temporary file
  // is made (it used to fail at rename(), after the temporary file was written).
  std::filesystem::create_directory(tmp.file("target"));
  write_text(tmp.file("target/inside"), "x");
  auto st = write_file_atomic(tmp.file("target"), std::string_view("data"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "NOT_REGULAR");
  EXPECT_NE(st.error().message.find("is a directory"), std::string::npos) << st.error().message;
  EXPECT_EQ(entries_in(tmp.path().string()), 1U);
  EXPECT_TRUE(std::filesystem::is_directory(tmp.file("target")));
  auto missing_dir = write_file_atomic(tmp.file("no/such/dir/f"), std::string_view("data"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code, "WRITE_FAILED");
}

// Issue 11: the keyring directory was created at the umask's mode and chmod'ed later (a looser window).
TEST(MakePrivateDirs, CreatesEveryLevel0700WhateverTheUmask) {
  testing::TempDir tmp;
  for (const mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0777}}) {
    UmaskScope scope(mask);
    const std::string base = tmp.file("u" + std::to_string(mask));
    const std::string leaf = base + "/a/b";
    ASSERT_TRUE(make_private_dirs(leaf).ok()) << mask;
    EXPECT_EQ(mode_of(base), 0700U) << mask;
    EXPECT_EQ(mode_of(leaf), 0700U) << mask;
    EXPECT_TRUE(private_dir_problem(leaf).empty());
  }
  write_text(tmp.file("file"), "x");
  auto st = make_private_dirs(tmp.file("file") + "/sub");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "NOT_REGULAR");
}

TEST(PrivateDirProblem, NamesGroupAndWorldWritableDirectoriesAndSymlinks) {
  testing::TempDir tmp;
  ASSERT_TRUE(make_private_dirs(tmp.file("ring")).ok());
  EXPECT_EQ(private_dir_problem(tmp.file("ring")), "");
  ASSERT_EQ(::chmod(tmp.file("ring").c_str(), 0770), 0);
  EXPECT_EQ(private_dir_problem(tmp.file("ring")), "is group-writable (mode 0770)");
  ASSERT_EQ(::chmod(tmp.file("ring").c_str(), 0702), 0);
  EXPECT_EQ(private_dir_problem(tmp.file("ring")), "is world-writable (mode 0702)");
  std::filesystem::create_directory_symlink(tmp.file("ring"), tmp.file("link"));
  EXPECT_EQ(private_dir_problem(tmp.file("link")), "is a symbolic link");
}

TEST(UniqueFd, ClosesOnDestructionAndMovesOwnership) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd a(raw);
    UniqueFd b = std::move(a);
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(b.get(), raw);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed exactly once, by b
}

// Issue 11: while a secret was in memory the process stayed dumpable and could write a core file.
// Run in a child so the test binary itself stays dumpable for the other tests.
TEST(ProtectProcessSecrets, MakesTheProcessNonDumpableWithNoCoreLimit) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const bool before = process_secrets_protected();
    const bool ok = protect_process_secrets().ok() && protect_process_secrets().ok();
    ::_exit(!before && ok && process_secrets_protected() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace snprelay
