// IoctlSource: reports and derived keys from /dev/sev-guest (Linux ≥ 5.19).
//
// Requests go through a DeviceIo seam (open/ioctl/close) so unit tests can assert the exact bytes,
// sizes and ioctl numbers the kernel would receive; production uses PosixDeviceIo.
//
// Behaviour that matters on real hardware (Linux drivers/virt/coco/sev-guest):
//  - Requests are serialised process-wide and spaced by `min_interval` (default 2 s would be
//    go-sev-guest's choice; we use 0 by default and let the relayer's epoch cadence bound the rate).
//  - SNP_GET_EXT_REPORT first probes with no buffer; INVALID_LEN (EIO, vmm_error 1) tells the
//    required size, which is then allocated and the request repeated, at most 3 times if the host's
//    table keeps changing.
//  - Any other failure may have made the kernel wipe the VMPCK: every later request fails with
//    ENOTTY until the VM reboots. That is reported as DEVICE_DISABLED with that explanation.
//  - open() failures name the cause: ENOENT (no SNP guest device: not an SNP VM, kernel without
//    CONFIG_SEV_GUEST, or a paravisor platform such as Azure), EACCES (with the udev/group hint).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "attest/evidence/evidence_source.hpp"

namespace snprelay::attest {

// The three system calls the backend makes. Returns follow POSIX: -1 and an errno on failure.
class DeviceIo {
 public:
  virtual ~DeviceIo() = default;
  struct OpenResult {
    int fd;
    int error;  // errno when fd < 0
  };
  [[nodiscard]] virtual OpenResult open(const std::string& path) = 0;
  // Returns 0 or an errno (positive) — not -1 — so the seam has no hidden global.
  [[nodiscard]] virtual int ioctl(int fd, unsigned long request, void* arg) = 0;
  virtual void close(int fd) = 0;
};

// The real system calls.
[[nodiscard]] std::unique_ptr<DeviceIo> posix_device_io();

struct IoctlOptions {
  std::string device = "/dev/sev-guest";
  bool extended = true;  // use SNP_GET_EXT_REPORT to get the host's certificates
  std::chrono::milliseconds min_interval{0};
};

class IoctlSource final : public EvidenceSource {
 public:
  // Opens the device. Errors: DEVICE_MISSING, PERMISSION_DENIED, IO — each with the remedy.
  [[nodiscard]] static Result<std::unique_ptr<IoctlSource>> open(IoctlOptions options,
                                                                 std::unique_ptr<DeviceIo> io);
  ~IoctlSource() override;

  [[nodiscard]] Result<Evidence> get_report(std::span<const std::uint8_t, 64> report_data,
                                            std::uint32_t vmpl) override;
  [[nodiscard]] Result<SecretBytes> derive_key(const DerivedKeyRequest& request) override;
  [[nodiscard]] SourceInfo describe() const override;

 private:
  IoctlSource(IoctlOptions options, std::unique_ptr<DeviceIo> io, int fd)
      : options_(std::move(options)), io_(std::move(io)), fd_(fd) {}
  void pace();  // REQUIRES(mutex_)
  [[nodiscard]] Result<Evidence> plain_report(std::span<const std::uint8_t, 64> report_data,
                                              std::uint32_t vmpl);
  [[nodiscard]] Result<Evidence> extended_report(std::span<const std::uint8_t, 64> report_data,
                                                 std::uint32_t vmpl);

  IoctlOptions options_;
  std::unique_ptr<DeviceIo> io_;
  int fd_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_request_{};  // GUARDED_BY(mutex_)
};

// Firmware status code (AMD SEV-SNP ABI spec 56860) to its name, e.g. 0x16 → "INVALID_PARAM".
[[nodiscard]] std::string firmware_status_name(std::uint32_t code);

}  // namespace snprelay::attest
