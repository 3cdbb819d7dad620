// The GHCB extended-report certificate table: what the host hands the guest beside a report.
//
// Layout (AMD GHCB spec 56421, extended guest request): a sequence of 24-byte entries {GUID[16], offset u32
// LE, length u32 LE} ended by an all-zero entry; offsets are relative to the start of the buffer and point
// past the table. Payloads are certificates (DER in practice; PEM accepted by peers). An all-zero buffer
// means "the host supplied no certificates" and parses to an empty table.
//
// parse_cert_table() is fed bytes from the host (untrusted): every offset and length is bounds-checked
// and an error names the entry and what was wrong (code BAD_CERT_TABLE). Unknown GUIDs are kept with
// kind kUnknown so callers may pass them through. serialize_cert_table() builds a table (simulated
// firmware, tests), padded to whole 4 KiB pages like the kernel's buffer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

enum class CertKind { kVcek, kVlek, kAsk, kArk, kCrl, kUnknown };

using Guid = std::array<std::uint8_t, 16>;

struct CertEntry {
  Guid guid{};
  CertKind kind = CertKind::kUnknown;
  Bytes data;
};

// The table's GUIDs, in RFC 4122 byte order (the order of the printed string).
[[nodiscard]] Guid guid_of(CertKind kind);
// "vcek", "vlek", "ask", "ark", "crl", "unknown".
[[nodiscard]] std::string cert_kind_name(CertKind kind);
// "63da758d-e664-4564-adc5-f4b93be8accd".
[[nodiscard]] std::string guid_to_string(const Guid& guid);

[[nodiscard]] Result<std::vector<CertEntry>> parse_cert_table(std::span<const std::uint8_t> buffer);
[[nodiscard]] Bytes serialize_cert_table(const std::vector<CertEntry>& entries);

// The first entry of a kind, if any.
[[nodiscard]] const CertEntry* find_cert(const std::vector<CertEntry>& entries, CertKind kind);

}  // namespace snprelay::attest
