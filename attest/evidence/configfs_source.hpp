// ConfigfsTsmSource: reports from the kernel's configfs-tsm interface (Linux ≥ 6.7,
// CONFIG_TSM_REPORTS), /sys/kernel/config/tsm/report by default (Linux
// Documentation/ABI/testing/configfs-tsm-report).
//
// One request: mkdir a fresh entry; check `provider` is "sev_guest"; read `generation`; write
// `privlevel` (checked against `privlevel_floor`) and `inblob` (exactly 64 bytes); read `outblob`
// (the report) and `auxblob` (the host's certificate table, possibly empty); re-read `generation`,
// which must have advanced by exactly our writes — otherwise another process wrote to the entry
// between our write and read, and the report may carry its data: the attempt is discarded and retried
// (at most 3 times, then error RACE). The entry is removed on every path.
//
// File access goes through a ConfigfsFs seam; production uses the real filesystem, tests a temporary
// directory tree whose attribute files an emulator updates on write, as the kernel would.
// configfs-tsm has no key interface: derive_key() answers UNSUPPORTED (use the ioctl backend).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "attest/evidence/evidence_source.hpp"

namespace snprelay::attest {

// Filesystem operations the backend makes. Each returns 0 or a positive errno.
class ConfigfsFs {
 public:
  virtual ~ConfigfsFs() = default;
  [[nodiscard]] virtual int make_dir(const std::string& path) = 0;
  [[nodiscard]] virtual int remove_dir(const std::string& path) = 0;
  [[nodiscard]] virtual int write_file(const std::string& path, std::span<const std::uint8_t> data) = 0;
  [[nodiscard]] virtual int read_file(const std::string& path, Bytes& out) = 0;
  [[nodiscard]] virtual bool is_dir(const std::string& path) = 0;
  // 0 when this process may create entries in the directory; else EACCES (not our group), EROFS (a
  // read-only mount, e.g. systemd's ProtectKernelTunables=) or another errno.
  [[nodiscard]] virtual int check_writable(const std::string& path) = 0;
};

// The real filesystem (open/read/write/mkdir/rmdir).
[[nodiscard]] std::unique_ptr<ConfigfsFs> posix_configfs_fs();

struct ConfigfsOptions {
  std::string root = "/sys/kernel/config/tsm/report";
  int max_attempts = 3;
};

class ConfigfsTsmSource final : public EvidenceSource {
 public:
  // Checks that `root` exists. Errors: DEVICE_MISSING (with the CONFIG_TSM_REPORTS / mount hint).
  [[nodiscard]] static Result<std::unique_ptr<ConfigfsTsmSource>> open(ConfigfsOptions options,
                                                                       std::unique_ptr<ConfigfsFs> fs);

  [[nodiscard]] Result<Evidence> get_report(std::span<const std::uint8_t, 64> report_data,
                                            std::uint32_t vmpl) override;
  [[nodiscard]] Result<SecretBytes> derive_key(const DerivedKeyRequest& request) override;
  [[nodiscard]] SourceInfo describe() const override;

 private:
  ConfigfsTsmSource(ConfigfsOptions options, std::unique_ptr<ConfigfsFs> fs)
      : options_(std::move(options)), fs_(std::move(fs)) {}
  // One attempt in a fresh entry. `raced` is set when the generation check failed.
  [[nodiscard]] Result<Evidence> attempt(const std::string& entry,
                                         std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl,
                                         bool& raced);

  ConfigfsOptions options_;
  std::unique_ptr<ConfigfsFs> fs_;
  std::mutex mutex_;
  std::atomic<unsigned> counter_{0};
};

}  // namespace snprelay::attest
