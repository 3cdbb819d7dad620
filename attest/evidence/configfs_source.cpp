#include "attest/evidence/configfs_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/file_io.hpp"

namespace snprelay::attest {
namespace {

class PosixConfigfsFs final : public ConfigfsFs {
 public:
  int make_dir(const std::string& path) override { return ::mkdir(path.c_str(), 0700) == 0 ? 0 : errno; }
  int remove_dir(const std::string& path) override { return ::rmdir(path.c_str()) == 0 ? 0 : errno; }
  int write_file(const std::string& path, std::span<const std::uint8_t> data) override {
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd)
      return errno;
    // configfs attributes take one write(2); a short write is an error, not something to resume.
    const ssize_t n = ::write(fd.get(), data.data(), data.size());
    return n < 0 ? errno : (static_cast<std::size_t>(n) != data.size() ? EIO : 0);
  }
  int read_file(const std::string& path, Bytes& out) override {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
      return errno;
    out.clear();
    std::uint8_t buf[4096];
    int err = 0;
    for (;;) {
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        err = errno;
        break;
      }
      if (n == 0)
        break;
      out.insert(out.end(), buf, buf + n);
    }
    return err;
  }
  bool is_dir(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  int check_writable(const std::string& path) override {
    return ::access(path.c_str(), W_OK) == 0 ? 0 : errno;
  }
};

std::string trimmed(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0'))
    s.pop_back();
  return s;
}

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error("attest", err == EACCES || err == EPERM ? "PERMISSION_DENIED" : "IO",
                    what + " " + path + ": " + std::strerror(err), ErrorKind::kUnavailable);
}

Result<std::uint64_t> read_number(ConfigfsFs& fs, const std::string& path) {
  Bytes raw;
  if (const int err = fs.read_file(path, raw); err != 0)
    return io_error("cannot read", path, err);
  const std::string text = trimmed(raw);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return make_error("attest", "BAD_RESPONSE", path + " holds \"" + text + "\", expected a decimal number",
                      ErrorKind::kUnavailable);
  }
  return std::stoull(text);
}

// Removes the entry when the attempt ends, whatever the outcome.
class EntryGuard {
 public:
  EntryGuard(ConfigfsFs& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  EntryGuard(const EntryGuard&) = delete;
  EntryGuard& operator=(const EntryGuard&) = delete;
  ~EntryGuard() { (void)fs_.remove_dir(path_); }

 private:
  ConfigfsFs& fs_;
  std::string path_;
};

}  // namespace

std::unique_ptr<ConfigfsFs> posix_configfs_fs() {
  return std::make_unique<PosixConfigfsFs>();
}

Result<std::unique_ptr<ConfigfsTsmSource>> ConfigfsTsmSource::open(ConfigfsOptions options,
                                                                   std::unique_ptr<ConfigfsFs> fs) {
  if (!fs->is_dir(options.root)) {
    return make_error("attest", "DEVICE_MISSING",
                      options.root +
                          " does not exist: the kernel lacks configfs-tsm (CONFIG_TSM_REPORTS, Linux "
                          ">= 6.7) or configfs is not mounted (mount -t configfs none /sys/kernel/config)",
                      ErrorKind::kUnavailable);
  }
  // A root-only or read-only report directory (the kernel's default owner is root; a sandboxed
  // service sees /sys/kernel/config read-only) fails every report: say so now, so the selection falls
  // back to /dev/sev-guest instead of choosing a backend that can never answer.
  if (const int err = fs->check_writable(options.root); err != 0)
    return io_error("cannot create report entries in", options.root, err);
  return std::unique_ptr<ConfigfsTsmSource>(new ConfigfsTsmSource(std::move(options), std::move(fs)));
}

SourceInfo ConfigfsTsmSource::describe() const {
  return {"configfs-tsm", options_.root, false};
}

Result<SecretBytes> ConfigfsTsmSource::derive_key(const DerivedKeyRequest& /*request*/) {
  return make_error(
      "attest", "UNSUPPORTED",
      "configfs-tsm has no key-derivation interface; derived keys need /dev/sev-guest (the ioctl "
      "backend)",
      ErrorKind::kUnavailable);
}

Result<Evidence> ConfigfsTsmSource::get_report(std::span<const std::uint8_t, 64> report_data,
                                               std::uint32_t vmpl) {
  if (vmpl > 3)
    return make_error("attest", "BAD_REQUEST", "VMPL " + std::to_string(vmpl) + " is out of range 0..3",
                      ErrorKind::kInput);
  std::lock_guard lock(mutex_);
  for (int i = 0; i < options_.max_attempts; ++i) {
    const std::string entry =
        options_.root + "/snprelay-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++);
    if (const int err = fs_->make_dir(entry); err != 0)
      return io_error("cannot create report entry", entry, err);
    EntryGuard guard(*fs_, entry);
    bool raced = false;
    auto evidence = attempt(entry, report_data, vmpl, raced);
    if (!raced)
      return evidence;
  }
  return make_error("attest", "RACE",
                    "another process kept writing to the configfs-tsm report entry during " +
                        std::to_string(options_.max_attempts) + " attempts (generation changed unexpectedly)",
                    ErrorKind::kUnavailable);
}

Result<Evidence> ConfigfsTsmSource::attempt(const std::string& entry,
                                            std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl,
                                            bool& raced) {
  Bytes raw;
  if (const int err = fs_->read_file(entry + "/provider", raw); err != 0) {
    return io_error("cannot read", entry + "/provider", err);
  }
  const std::string provider = trimmed(raw);
  if (provider != "sev_guest") {
    return make_error(
        "attest", "NOT_SNP_GUEST",
        "configfs-tsm provider is \"" + provider + "\", not \"sev_guest\": this is not an SEV-SNP guest",
        ErrorKind::kUnavailable);
  }
  auto g0 = read_number(*fs_, entry + "/generation");
  if (!g0)
    return g0.error();
  std::uint64_t writes = 0;

  auto floor = read_number(*fs_, entry + "/privlevel_floor");
  if (!floor)
    return floor.error();
  if (vmpl < *floor) {
    return make_error("attest", "BAD_REQUEST",
                      "VMPL " + std::to_string(vmpl) + " is below this guest's privlevel_floor " +
                          std::to_string(*floor) + " (a guest cannot request a more privileged VMPL)",
                      ErrorKind::kInput);
  }
  const std::string level = std::to_string(vmpl);
  if (const int err = fs_->write_file(
          entry + "/privlevel", std::span(reinterpret_cast<const std::uint8_t*>(level.data()), level.size()));
      err != 0) {
    return io_error("cannot write", entry + "/privlevel", err);
  }
  ++writes;
  if (const int err = fs_->write_file(entry + "/inblob", report_data); err != 0) {
    return io_error("cannot write", entry + "/inblob", err);
  }
  ++writes;

  Evidence evidence;
  if (const int err = fs_->read_file(entry + "/outblob", evidence.report); err != 0) {
    return make_error("attest", "FIRMWARE_ERROR",
                      "reading " + entry + "/outblob (the report) failed: " + std::strerror(err));
  }
  Bytes aux;
  if (const int err = fs_->read_file(entry + "/auxblob", aux); err != 0 && err != ENOENT) {
    return io_error("cannot read", entry + "/auxblob", err);
  }
  auto g1 = read_number(*fs_, entry + "/generation");
  if (!g1)
    return g1.error();
  if (*g1 != *g0 + writes) {
    raced = true;
    return make_error("attest", "RACE",
                      "generation moved from " + std::to_string(*g0) + " to " + std::to_string(*g1),
                      ErrorKind::kUnavailable);
  }
  if (evidence.report.size() != 1184) {
    return make_error(
        "attest", "BAD_RESPONSE",
        entry + "/outblob holds " + std::to_string(evidence.report.size()) + " bytes, expected 1184",
        ErrorKind::kUnavailable);
  }
  auto table = parse_cert_table(aux);
  if (!table)
    return table.error();
  evidence.certs = std::move(table).value();
  return evidence;
}

}  // namespace snprelay::attest
