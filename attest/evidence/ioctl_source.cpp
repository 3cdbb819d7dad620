#include "attest/evidence/ioctl_source.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include "attest/evidence/sev_guest_abi.hpp"

namespace snprelay::attest {
namespace {

class PosixDeviceIo final : public DeviceIo {
 public:
  OpenResult open(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    return {fd, fd < 0 ? errno : 0};
  }
  int ioctl(int fd, unsigned long request, void* arg) override {
    return ::ioctl(fd, request, arg) == 0 ? 0 : errno;
  }
  void close(int fd) override { ::close(fd); }
};

std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::uint64_t user_pointer(const void* p) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

std::string hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const auto nib = (v >> shift) & 0xF;
    if (nib != 0 || started || shift == 0) {
      out.push_back(kDigits[nib]);
      started = true;
    }
  }
  return out;
}

// Explains a failed guest request from errno and exitinfo2.
Error request_error(const char* what, int err, std::uint64_t exitinfo2) {
  const auto fw = static_cast<std::uint32_t>(exitinfo2 & 0xffffffffU);
  const auto vmm = static_cast<std::uint32_t>(exitinfo2 >> 32);
  const std::string prefix = std::string(what) + " failed: " + std::strerror(err);
  if (err == ENOTTY) {
    return make_error("attest", "DEVICE_DISABLED",
                      prefix +
                          ". The kernel disables guest requests (wipes the VMPCK) after a failed "
                          "request; every later request fails until the VM reboots",
                      ErrorKind::kUnavailable);
  }
  if (err == ETIMEDOUT || vmm == abi::kVmmErrBusy) {
    return make_error("attest", "HOST_BUSY",
                      prefix +
                          ": the host throttled guest requests (VMM BUSY) for longer than the kernel "
                          "retries; try again later",
                      ErrorKind::kUnavailable);
  }
  if (err == EBADMSG) {
    return make_error("attest", "DEVICE_DISABLED",
                      prefix +
                          ": the firmware response failed authentication; the kernel has wiped the "
                          "VMPCK and guest requests fail until the VM reboots",
                      ErrorKind::kUnavailable);
  }
  if (err == EINVAL && exitinfo2 == 0) {
    return make_error("attest", "BAD_REQUEST",
                      prefix + ": the kernel rejected the request before the firmware saw it",
                      ErrorKind::kInput);
  }
  std::string detail = prefix + " (exitinfo2 " + hex32(vmm) + ":" + hex32(fw);
  if (fw != 0 && fw != 0xff)
    detail += ", firmware " + firmware_status_name(fw);
  if (vmm != 0)
    detail += ", VMM error " + std::to_string(vmm);
  detail += "). The kernel may have disabled guest requests until the VM reboots";
  return make_error("attest", "FIRMWARE_ERROR", detail);
}

// Checks the status and size words of a MSG_REPORT_RSP and extracts the report.
Result<Bytes> report_from_response(const abi::SnpReportResp& resp) {
  const std::uint32_t status = load_le32(resp.data + abi::kRespStatusOffset);
  if (status != 0) {
    return make_error("attest", "FIRMWARE_ERROR",
                      "firmware answered the report request with status " + hex32(status) + " (" +
                          firmware_status_name(status) + ")" +
                          (status == 0x16 ? ": the requested VMPL is below this guest's VMPL" : ""));
  }
  const std::uint32_t size = load_le32(resp.data + abi::kRespReportSizeOffset);
  if (size != abi::kReportSize) {
    return make_error("attest", "BAD_RESPONSE",
                      "firmware returned a report of " + std::to_string(size) + " bytes, expected 1184",
                      ErrorKind::kUnavailable);
  }
  const auto* begin = resp.data + abi::kRespReportOffset;
  return Bytes(begin, begin + abi::kReportSize);
}

Status check_vmpl(std::uint32_t vmpl) {
  if (vmpl > 3)
    return make_error("attest", "BAD_REQUEST", "VMPL " + std::to_string(vmpl) + " is out of range 0..3",
                      ErrorKind::kInput);
  return ok_status();
}

}  // namespace

std::unique_ptr<DeviceIo> posix_device_io() {
  return std::make_unique<PosixDeviceIo>();
}

std::string firmware_status_name(std::uint32_t code) {
  static constexpr std::array<const char*, 0x28> kNames = {"SUCCESS",
                                                           "INVALID_PLATFORM_STATE",
                                                           "INVALID_GUEST_STATE",
                                                           "INVALID_CONFIG",
                                                           "INVALID_LENGTH",
                                                           "ALREADY_OWNED",
                                                           "INVALID_CERTIFICATE",
                                                           "POLICY_FAILURE",
                                                           "INACTIVE",
                                                           "INVALID_ADDRESS",
                                                           "BAD_SIGNATURE",
                                                           "BAD_MEASUREMENT",
                                                           "ASID_OWNED",
                                                           "INVALID_ASID",
                                                           "WBINVD_REQUIRED",
                                                           "DFFLUSH_REQUIRED",
                                                           "INVALID_GUEST",
                                                           "INVALID_COMMAND",
                                                           "ACTIVE",
                                                           "HWERROR_PLATFORM",
                                                           "HWERROR_UNSAFE",
                                                           "UNSUPPORTED",
                                                           "INVALID_PARAM",
                                                           "RESOURCE_LIMIT",
                                                           "SECURE_DATA_INVALID",
                                                           "INVALID_PAGE_SIZE",
                                                           "INVALID_PAGE_STATE",
                                                           "INVALID_MDATA_ENTRY",
                                                           "INVALID_PAGE_OWNER",
                                                           "AEAD_OFLOW",
                                                           nullptr,
                                                           "RB_MODE_EXITED",
                                                           "RMP_INIT_REQUIRED",
                                                           "BAD_SVN",
                                                           "BAD_VERSION",
                                                           "SHUTDOWN_REQUIRED",
                                                           "UPDATE_FAILED",
                                                           "RESTORE_REQUIRED",
                                                           nullptr,
                                                           "INVALID_KEY"};
  if (code < kNames.size() && kNames[code] != nullptr)
    return kNames[code];
  return "UNKNOWN_STATUS";
}

Result<std::unique_ptr<IoctlSource>> IoctlSource::open(IoctlOptions options, std::unique_ptr<DeviceIo> io) {
  const auto opened = io->open(options.device);
  if (opened.fd < 0) {
    const std::string base = "cannot open " + options.device + ": " + std::strerror(opened.error);
    if (opened.error == ENOENT || opened.error == ENODEV || opened.error == ENXIO) {
      return make_error("attest", "DEVICE_MISSING",
                        base +
                            ". This is not an SEV-SNP guest, or the kernel lacks the sev-guest driver "
                            "(CONFIG_SEV_GUEST, Linux >= 5.19; try `modprobe sev-guest`), or the platform "
                            "exposes reports another way (configfs-tsm at /sys/kernel/config/tsm/report, "
                            "or a paravisor such as Azure's)",
                        ErrorKind::kUnavailable);
    }
    if (opened.error == EACCES || opened.error == EPERM) {
      return make_error("attest", "PERMISSION_DENIED",
                        base +
                            ". The device is root-only by default: run snprelay as root, or add a udev rule "
                            "(KERNEL==\"sev-guest\", GROUP=\"snprelay\", MODE=\"0660\") and put the service "
                            "user in that group",
                        ErrorKind::kUnavailable);
    }
    return make_error("attest", "IO", base);
  }
  return std::unique_ptr<IoctlSource>(new IoctlSource(std::move(options), std::move(io), opened.fd));
}

IoctlSource::~IoctlSource() {
  if (fd_ >= 0)
    io_->close(fd_);
}

SourceInfo IoctlSource::describe() const {
  return {"ioctl", options_.device, false};
}

void IoctlSource::pace() {
  if (options_.min_interval.count() > 0 && last_request_ != std::chrono::steady_clock::time_point{}) {
    const auto next = last_request_ + options_.min_interval;
    std::this_thread::sleep_until(next);
  }
  last_request_ = std::chrono::steady_clock::now();
}

Result<Evidence> IoctlSource::get_report(std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl) {
  if (Status st = check_vmpl(vmpl); !st)
    return st.error();
  std::lock_guard lock(mutex_);
  return options_.extended ? extended_report(report_data, vmpl) : plain_report(report_data, vmpl);
}

Result<Evidence> IoctlSource::plain_report(std::span<const std::uint8_t, 64> report_data,
                                           std::uint32_t vmpl) {
  abi::SnpReportReq req{};
  std::copy(report_data.begin(), report_data.end(), req.user_data);
  req.vmpl = vmpl;
  auto resp = std::make_unique<abi::SnpReportResp>();
  abi::SnpGuestRequestIoctl guest{};
  guest.msg_version = 1;
  guest.req_data = user_pointer(&req);
  guest.resp_data = user_pointer(resp.get());
  pace();
  if (const int err = io_->ioctl(fd_, abi::kSnpGetReport, &guest); err != 0) {
    return request_error("SNP_GET_REPORT", err, guest.exitinfo2);
  }
  auto report = report_from_response(*resp);
  if (!report)
    return report.error();
  return Evidence{std::move(report).value(), {}, false};
}

Result<Evidence> IoctlSource::extended_report(std::span<const std::uint8_t, 64> report_data,
                                              std::uint32_t vmpl) {
  abi::SnpExtReportReq req{};
  std::copy(report_data.begin(), report_data.end(), req.data.user_data);
  req.data.vmpl = vmpl;
  Bytes certs;  // empty: the first call probes for the size the host needs
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto resp = std::make_unique<abi::SnpReportResp>();
    req.certs_address = certs.empty() ? 0 : user_pointer(certs.data());
    req.certs_len = static_cast<std::uint32_t>(certs.size());
    abi::SnpGuestRequestIoctl guest{};
    guest.msg_version = 1;
    guest.req_data = user_pointer(&req);
    guest.resp_data = user_pointer(resp.get());
    pace();
    const int err = io_->ioctl(fd_, abi::kSnpGetExtReport, &guest);
    if (err == EIO && (guest.exitinfo2 >> 32) == abi::kVmmErrInvalidLen) {
      // The kernel wrote back the size the host's table needs; it must be whole pages within 16 KiB.
      const std::uint32_t needed = req.certs_len;
      if (needed == 0 || needed % abi::kPageSize != 0 || needed > abi::kCertsMaxLen) {
        return make_error("attest", "BAD_RESPONSE",
                          "host asked for a certificate buffer of " + std::to_string(needed) +
                              " bytes; expected whole 4 KiB pages up to 16 KiB",
                          ErrorKind::kUnavailable);
      }
      certs.assign(needed, 0);
      continue;
    }
    if (err != 0)
      return request_error("SNP_GET_EXT_REPORT", err, guest.exitinfo2);
    auto report = report_from_response(*resp);
    if (!report)
      return report.error();
    auto table = parse_cert_table(certs);
    if (!table)
      return table.error();
    return Evidence{std::move(report).value(), std::move(table).value(), false};
  }
  return make_error("attest", "HOST_BUSY",
                    "the host's certificate table kept changing size across " + std::to_string(kAttempts) +
                        " SNP_GET_EXT_REPORT attempts",
                    ErrorKind::kUnavailable);
}

Result<SecretBytes> IoctlSource::derive_key(const DerivedKeyRequest& request) {
  if (Status st = check_vmpl(request.vmpl); !st)
    return st.error();
  if ((request.field_select & ~std::uint64_t{0x3f}) != 0) {
    return make_error("attest", "BAD_REQUEST",
                      "GUEST_FIELD_SELECT has reserved bits set (only bits 0..5 are defined)",
                      ErrorKind::kInput);
  }
  abi::SnpDerivedKeyReq req{};
  req.root_key_select = static_cast<std::uint32_t>(request.root);
  req.guest_field_select = request.field_select;
  req.vmpl = request.vmpl;
  req.guest_svn = request.guest_svn;
  req.tcb_version = request.tcb_version;
  abi::SnpDerivedKeyResp resp{};
  abi::SnpGuestRequestIoctl guest{};
  guest.msg_version = 1;
  guest.req_data = user_pointer(&req);
  guest.resp_data = user_pointer(&resp);
  std::lock_guard lock(mutex_);
  pace();
  const int err = io_->ioctl(fd_, abi::kSnpGetDerivedKey, &guest);
  const std::uint32_t status = load_le32(resp.data);
  SecretBytes key(std::span<const std::uint8_t>(resp.data + abi::kKeyRespKeyOffset, abi::kDerivedKeySize));
  OPENSSL_cleanse(resp.data, sizeof resp.data);  // the only other copy of the key
  if (err != 0)
    return request_error("SNP_GET_DERIVED_KEY", err, guest.exitinfo2);
  if (status != 0) {
    return make_error(
        "attest", "FIRMWARE_ERROR",
        "firmware answered the key request with status " + hex32(status) + " (" +
            firmware_status_name(status) + ")" +
            (status == 0x16 ? ": a field (VMPL, GUEST_SVN or TCB_VERSION) exceeds what this guest may "
                              "request"
                            : ""));
  }
  return key;
}

}  // namespace snprelay::attest
