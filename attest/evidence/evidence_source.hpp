// EvidenceSource: where attestation reports and derived keys come from.
//
// Three backends implement it: IoctlSource (/dev/sev-guest), ConfigfsTsmSource
// (/sys/kernel/config/tsm/report) and the simulated firmware. The relayer, the CLI and the tests see
// only this interface, so the same verifier, KDS client and cache run against all of them.
//
// Contract for every backend:
//  - get_report() returns the raw 1184-byte ATTESTATION_REPORT whose REPORT_DATA is exactly
//    `report_data`, requested at `vmpl`, plus the host's certificate table when the backend has one.
//    It never returns a report it did not get from its firmware (no fallbacks, no fabricated bytes).
//  - derive_key() returns the 32-byte key the firmware derives for `request` (MSG_KEY_REQ), or the
//    error UNSUPPORTED when the backend has no key interface (configfs-tsm).
//  - describe() says which backend this is and whether it is simulated; every simulated report must
//    be marked so by whoever logs, prints or stores it.
// Errors use component "attest" with codes DEVICE_MISSING, PERMISSION_DENIED, NOT_SNP_GUEST,
// DEVICE_DISABLED, FIRMWARE_ERROR, HOST_BUSY, BAD_RESPONSE, RACE, UNSUPPORTED, IO.
// Thread-safety: implementations serialise their own requests; callers may share one instance.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attest/evidence/cert_table.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay::attest {

struct Evidence {
  Bytes report;                  // 1184 bytes
  std::vector<CertEntry> certs;  // the host's certificate table; empty when none was supplied
  bool simulated = false;
};

// MSG_KEY_REQ GUEST_FIELD_SELECT bits (AMD SEV-SNP ABI spec 56860).
enum FieldSelect : std::uint64_t {
  kFieldPolicy = 1U << 0,
  kFieldImageId = 1U << 1,
  kFieldFamilyId = 1U << 2,
  kFieldMeasurement = 1U << 3,
  kFieldGuestSvn = 1U << 4,
  kFieldTcbVersion = 1U << 5,
};

enum class RootKey : std::uint32_t { kVcek = 0, kVmrk = 1 };

struct DerivedKeyRequest {
  RootKey root = RootKey::kVcek;
  std::uint64_t field_select = kFieldMeasurement | kFieldPolicy;
  std::uint32_t vmpl = 0;
  std::uint32_t guest_svn = 0;
  std::uint64_t tcb_version = 0;
};

struct SourceInfo {
  std::string backend;  // "ioctl", "configfs-tsm", "simulated"
  std::string device;   // device path, configfs root or state directory
  bool simulated = false;
};

class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  [[nodiscard]] virtual Result<Evidence> get_report(std::span<const std::uint8_t, 64> report_data,
                                                    std::uint32_t vmpl) = 0;
  [[nodiscard]] virtual Result<SecretBytes> derive_key(const DerivedKeyRequest& request) = 0;
  [[nodiscard]] virtual SourceInfo describe() const = 0;
};

}  // namespace snprelay::attest
