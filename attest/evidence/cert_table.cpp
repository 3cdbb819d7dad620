#include "attest/evidence/cert_table.hpp"

#include <algorithm>

namespace snprelay::attest {
namespace {

constexpr std::size_t kEntrySize = 24;

struct KnownGuid {
  CertKind kind;
  Guid guid;
};

constexpr std::array<KnownGuid, 5> kKnown = {{
    {CertKind::kVcek,
     {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd}},
    {CertKind::kVlek,
     {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1}},
    {CertKind::kAsk,
     {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82}},
    {CertKind::kArk,
     {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae}},
    {CertKind::kCrl,
     {0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67, 0xea}},
}};

std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void store_le32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Error table_error(const std::string& what) {
  return make_error("attest", "BAD_CERT_TABLE", what, ErrorKind::kInput);
}

}  // namespace

Guid guid_of(CertKind kind) {
  for (const auto& k : kKnown) {
    if (k.kind == kind)
      return k.guid;
  }
  return Guid{};
}

std::string cert_kind_name(CertKind kind) {
  switch (kind) {
    case CertKind::kVcek:
      return "vcek";
    case CertKind::kVlek:
      return "vlek";
    case CertKind::kAsk:
      return "ask";
    case CertKind::kArk:
      return "ark";
    case CertKind::kCrl:
      return "crl";
    case CertKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string guid_to_string(const Guid& guid) {
  const std::string hex = to_hex(guid);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Result<std::vector<CertEntry>> parse_cert_table(std::span<const std::uint8_t> buffer) {
  std::vector<CertEntry> entries;
  std::size_t pos = 0;
  for (;; pos += kEntrySize) {
    if (pos + kEntrySize > buffer.size()) {
      if (buffer.empty())
        return entries;  // no buffer: no certificates
      return table_error("certificate table has no terminating all-zero entry within its " +
                         std::to_string(buffer.size()) + " bytes");
    }
    const std::uint8_t* e = buffer.data() + pos;
    Guid guid{};
    std::copy(e, e + 16, guid.begin());
    const std::uint32_t offset = load_le32(e + 16);
    const std::uint32_t length = load_le32(e + 20);
    if (guid == Guid{} && offset == 0 && length == 0)
      break;
    const std::string which = "entry " + std::to_string(pos / kEntrySize) + " (" + guid_to_string(guid) + ")";
    if (length == 0)
      return table_error(which + " has length 0");
    const std::uint64_t end = static_cast<std::uint64_t>(offset) + length;
    if (end > buffer.size()) {
      return table_error(which + " runs past the buffer: offset " + std::to_string(offset) + " + length " +
                         std::to_string(length) + " > " + std::to_string(buffer.size()));
    }
    CertEntry entry;
    entry.guid = guid;
    for (const auto& k : kKnown) {
      if (k.guid == guid)
        entry.kind = k.kind;
    }
    entry.data.assign(buffer.begin() + offset, buffer.begin() + static_cast<std::ptrdiff_t>(end));
    entries.push_back(std::move(entry));
  }
  const std::size_t table_end = pos + kEntrySize;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint32_t offset = load_le32(buffer.data() + i * kEntrySize + 16);
    if (offset < table_end) {
      return table_error("entry " + std::to_string(i) + " (" + guid_to_string(entries[i].guid) +
                         ") points into the table itself (offset " + std::to_string(offset) + " < " +
                         std::to_string(table_end) + ")");
    }
  }
  return entries;
}

Bytes serialize_cert_table(const std::vector<CertEntry>& entries) {
  const std::size_t header = (entries.size() + 1) * kEntrySize;
  std::size_t total = header;
  for (const auto& e : entries)
    total += e.data.size();
  Bytes out((total + 4095) / 4096 * 4096, 0);
  std::size_t offset = header;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::uint8_t* e = out.data() + i * kEntrySize;
    std::copy(entries[i].guid.begin(), entries[i].guid.end(), e);
    store_le32(e + 16, static_cast<std::uint32_t>(offset));
    store_le32(e + 20, static_cast<std::uint32_t>(entries[i].data.size()));
    std::copy(entries[i].data.begin(), entries[i].data.end(),
              out.begin() + static_cast<std::ptrdiff_t>(offset));
    offset += entries[i].data.size();
  }
  return out;
}

const CertEntry* find_cert(const std::vector<CertEntry>& entries, CertKind kind) {
  for (const auto& e : entries) {
    if (e.kind == kind)
      return &e;
  }
  return nullptr;
}

}  // namespace snprelay::attest
