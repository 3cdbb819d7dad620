// The Linux /dev/sev-guest user ABI (include/uapi/linux/sev-guest.h), byte for byte.
//
// Every struct here is laid out exactly as the kernel expects; static_asserts pin sizes and offsets.
// A malformed request does not just fail: the kernel disables the VM's VMPCK for the rest of its life
// (Linux drivers/virt/coco/sev-guest), so these layouts are asserted, not assumed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace snprelay::attest::abi {

// struct snp_report_req: user_data becomes REPORT_DATA; vmpl ≥ the caller's VMPL and ≤ 3.
struct SnpReportReq {
  std::uint8_t user_data[64];
  std::uint32_t vmpl;
  std::uint8_t rsvd[28];  // must be zero
};
static_assert(sizeof(SnpReportReq) == 96);
static_assert(offsetof(SnpReportReq, vmpl) == 0x40);

// struct snp_report_resp: the decrypted MSG_REPORT_RSP; the report sits at offset 0x20.
struct SnpReportResp {
  std::uint8_t data[4000];
};
static_assert(sizeof(SnpReportResp) == 4000);
inline constexpr std::size_t kRespStatusOffset = 0x00;
inline constexpr std::size_t kRespReportSizeOffset = 0x04;
inline constexpr std::size_t kRespReportOffset = 0x20;
inline constexpr std::size_t kReportSize = 1184;

// struct snp_derived_key_req (message version 1).
struct SnpDerivedKeyReq {
  std::uint32_t root_key_select;  // 0 = VCEK, 1 = VMRK
  std::uint32_t rsvd;
  std::uint64_t guest_field_select;
  std::uint32_t vmpl;
  std::uint32_t guest_svn;
  std::uint64_t tcb_version;
};
static_assert(sizeof(SnpDerivedKeyReq) == 32);

// struct snp_derived_key_resp: the 64-byte MSG_KEY_RSP payload (status at 0, key at 0x20).
struct SnpDerivedKeyResp {
  std::uint8_t data[64];
};
static_assert(sizeof(SnpDerivedKeyResp) == 64);
inline constexpr std::size_t kKeyRespKeyOffset = 0x20;
inline constexpr std::size_t kDerivedKeySize = 32;

// struct snp_ext_report_req: a report request plus the guest buffer for the host's certificate table.
struct SnpExtReportReq {
  SnpReportReq data;
  std::uint64_t certs_address;
  std::uint32_t certs_len;
  std::uint32_t pad;  // the compiler's tail padding, made explicit
};
static_assert(sizeof(SnpExtReportReq) == 112);
static_assert(offsetof(SnpExtReportReq, certs_address) == 0x60);
static_assert(offsetof(SnpExtReportReq, certs_len) == 0x68);

// struct snp_guest_request_ioctl: passed to every ioctl.
struct SnpGuestRequestIoctl {
  std::uint8_t msg_version;  // must be non-zero; 1
  std::uint8_t pad[7];
  std::uint64_t req_data;   // user pointer to the request struct
  std::uint64_t resp_data;  // user pointer to the response struct
  std::uint64_t exitinfo2;  // out: low 32 bits firmware error, high 32 bits VMM error
};
static_assert(sizeof(SnpGuestRequestIoctl) == 32);
static_assert(offsetof(SnpGuestRequestIoctl, exitinfo2) == 0x18);

// _IOWR('S', n, struct snp_guest_request_ioctl): dir 3 << 30 | size 32 << 16 | 'S' << 8 | n.
inline constexpr unsigned long kIoctlBase = (3UL << 30) | (sizeof(SnpGuestRequestIoctl) << 16) | ('S' << 8);
inline constexpr unsigned long kSnpGetReport = kIoctlBase | 0;
inline constexpr unsigned long kSnpGetDerivedKey = kIoctlBase | 1;
inline constexpr unsigned long kSnpGetExtReport = kIoctlBase | 2;
static_assert(kSnpGetReport == 0xC0205300UL);
static_assert(kSnpGetDerivedKey == 0xC0205301UL);
static_assert(kSnpGetExtReport == 0xC0205302UL);

// VMM errors in the high half of exitinfo2.
inline constexpr std::uint32_t kVmmErrInvalidLen = 1;
inline constexpr std::uint32_t kVmmErrBusy = 2;

// Largest certificate buffer the kernel accepts (SEV_FW_BLOB_MAX_SIZE), and its granularity.
inline constexpr std::uint32_t kCertsMaxLen = 16 * 1024;
inline constexpr std::uint32_t kPageSize = 4096;

}  // namespace snprelay::attest::abi
