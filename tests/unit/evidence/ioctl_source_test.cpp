// IoctlSource against a scripted DeviceIo: asserts the exact ioctl numbers, struct sizes and bytes the
// kernel would receive, and the handling of each kernel and firmware answer.
#include "attest/evidence/ioctl_source.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>

#include "attest/evidence/sev_guest_abi.hpp"

namespace snprelay::attest {
namespace {

struct Call {
  unsigned long request;
  abi::SnpGuestRequestIoctl guest;
  Bytes req_bytes;  // the request struct as the kernel would copy it
};

// Scripted device: each ioctl runs the next handler, which may fill the response and return an errno.
class FakeDevice final : public DeviceIo {
 public:
  using Handler = std::function<int(unsigned long, abi::SnpGuestRequestIoctl&)>;
  std::vector<Call>* calls;
  std::deque<Handler>* script;
  int open_errno = 0;
  std::string opened;
  bool* closed;

  OpenResult open(const std::string& path) override {
    opened = path;
    return open_errno == 0 ? OpenResult{42, 0} : OpenResult{-1, open_errno};
  }
  int ioctl(int fd, unsigned long request, void* arg) override {
    EXPECT_EQ(fd, 42);
    auto& guest = *static_cast<abi::SnpGuestRequestIoctl*>(arg);
    const std::size_t req_size = request == abi::kSnpGetReport       ? sizeof(abi::SnpReportReq)
                                 : request == abi::kSnpGetExtReport  ? sizeof(abi::SnpExtReportReq)
                                 : request == abi::kSnpGetDerivedKey ? sizeof(abi::SnpDerivedKeyReq)
                                                                     : 0;
    const auto* req = reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(guest.req_data));
    calls->push_back({request, guest, Bytes(req, req + req_size)});
    if (script->empty())
      return EINVAL;
    auto handler = std::move(script->front());
    script->pop_front();
    return handler(request, guest);
  }
  void close(int fd) override {
    EXPECT_EQ(fd, 42);
    *closed = true;
  }
};

void put_le32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A firmware success: status 0, size 1184, a report whose first byte is `marker`.
int fill_report(abi::SnpGuestRequestIoctl& guest, std::uint8_t marker) {
  auto* resp = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(guest.resp_data));
  put_le32(resp, 0);
  put_le32(resp + 4, 1184);
  std::memset(resp + 0x20, marker, 1184);
  return 0;
}

class IoctlSourceTest : public ::testing::Test {
 protected:
  std::vector<Call> calls;
  std::deque<FakeDevice::Handler> script;
  bool closed = false;
  std::array<std::uint8_t, 64> report_data{};

  void SetUp() override {
    for (std::size_t i = 0; i < report_data.size(); ++i)
      report_data[i] = static_cast<std::uint8_t>(i * 3 + 1);
  }

  std::unique_ptr<FakeDevice> device(int open_errno = 0) {
    auto d = std::make_unique<FakeDevice>();
    d->calls = &calls;
    d->script = &script;
    d->open_errno = open_errno;
    d->closed = &closed;
    return d;
  }
  std::unique_ptr<IoctlSource> open_source(bool extended) {
    IoctlOptions o;
    o.extended = extended;
    auto s = IoctlSource::open(o, device());
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
};

TEST_F(IoctlSourceTest, PlainReportSendsKernelLayout) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) { return fill_report(g, 0x5A); });
  auto src = open_source(false);
  auto ev = src->get_report(report_data, 2);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].request, 0xC0205300UL);
  EXPECT_EQ(calls[0].guest.msg_version, 1);
  EXPECT_EQ(calls[0].guest.exitinfo2, 0u);  // initialised to 0, not the kernel's sentinel
  ASSERT_EQ(calls[0].req_bytes.size(), 96u);
  EXPECT_TRUE(std::equal(report_data.begin(), report_data.end(), calls[0].req_bytes.begin()));
  EXPECT_EQ(calls[0].req_bytes[0x40], 2);  // vmpl, little-endian u32
  EXPECT_EQ(calls[0].req_bytes[0x41], 0);
  for (std::size_t i = 0x44; i < 96; ++i)
    EXPECT_EQ(calls[0].req_bytes[i], 0) << "reserved byte " << i;
  EXPECT_EQ(ev->report, Bytes(1184, 0x5A));
  EXPECT_TRUE(ev->certs.empty());
  EXPECT_FALSE(ev->simulated);
  EXPECT_EQ(src->describe().backend, "ioctl");
  src.reset();
  EXPECT_TRUE(closed);
}

TEST_F(IoctlSourceTest, ExtendedReportProbesThenRetriesWithBuffer) {
  const Bytes table = serialize_cert_table({{guid_of(CertKind::kVcek), CertKind::kVcek, Bytes(900, 0x77)}});
  // 1st call: no buffer → EIO with INVALID_LEN and the needed size written back.
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    auto* req = reinterpret_cast<abi::SnpExtReportReq*>(static_cast<std::uintptr_t>(g.req_data));
    EXPECT_EQ(req->certs_address, 0u);
    EXPECT_EQ(req->certs_len, 0u);
    req->certs_len = 4096;
    g.exitinfo2 = std::uint64_t{1} << 32;
    return EIO;
  });
  // 2nd call: a 4096-byte buffer → the report and the table.
  script.push_back([&table](unsigned long, abi::SnpGuestRequestIoctl& g) {
    auto* req = reinterpret_cast<abi::SnpExtReportReq*>(static_cast<std::uintptr_t>(g.req_data));
    EXPECT_EQ(req->certs_len, 4096u);
    EXPECT_NE(req->certs_address, 0u);
    std::memcpy(reinterpret_cast<void*>(static_cast<std::uintptr_t>(req->certs_address)), table.data(),
                table.size());
    return fill_report(g, 0x33);
  });
  auto src = open_source(true);
  auto ev = src->get_report(report_data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].request, 0xC0205302UL);
  EXPECT_EQ(calls[1].request, 0xC0205302UL);
  ASSERT_EQ(calls[0].req_bytes.size(), 112u);
  EXPECT_TRUE(std::equal(report_data.begin(), report_data.end(), calls[1].req_bytes.begin()));
  ASSERT_EQ(ev->certs.size(), 1u);
  EXPECT_EQ(ev->certs[0].kind, CertKind::kVcek);
  EXPECT_EQ(ev->certs[0].data, Bytes(900, 0x77));
}

TEST_F(IoctlSourceTest, ExtendedReportWithoutHostCertificates) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) { return fill_report(g, 1); });
  auto src = open_source(true);
  auto ev = src->get_report(report_data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_TRUE(ev->certs.empty());
  EXPECT_EQ(calls.size(), 1u);
}

TEST_F(IoctlSourceTest, ImplausibleCertSizeIsRefused) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    reinterpret_cast<abi::SnpExtReportReq*>(static_cast<std::uintptr_t>(g.req_data))->certs_len = 1000;
    g.exitinfo2 = std::uint64_t{1} << 32;
    return EIO;
  });
  auto ev = open_source(true)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "BAD_RESPONSE");
  EXPECT_EQ(calls.size(), 1u);  // no second, malformed request reached the kernel
}

TEST_F(IoctlSourceTest, EndlessSizeChangesGiveUp) {
  for (int i = 0; i < 3; ++i) {
    script.push_back([i](unsigned long, abi::SnpGuestRequestIoctl& g) {
      reinterpret_cast<abi::SnpExtReportReq*>(static_cast<std::uintptr_t>(g.req_data))->certs_len =
          4096U * static_cast<std::uint32_t>(i + 1);
      g.exitinfo2 = std::uint64_t{1} << 32;
      return EIO;
    });
  }
  auto ev = open_source(true)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "HOST_BUSY");
  EXPECT_EQ(calls.size(), 3u);
}

TEST_F(IoctlSourceTest, FirmwareErrorIsNamed) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    g.exitinfo2 = 0x16;
    return EIO;
  });
  auto ev = open_source(false)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "FIRMWARE_ERROR");
  EXPECT_NE(ev.error().message.find("INVALID_PARAM"), std::string::npos) << ev.error().message;
  EXPECT_NE(ev.error().message.find("until the VM reboots"), std::string::npos);
}

TEST_F(IoctlSourceTest, ResponseStatusIsChecked) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    auto* resp = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(g.resp_data));
    put_le32(resp, 0x16);
    return 0;
  });
  auto ev = open_source(false)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_NE(ev.error().message.find("VMPL is below"), std::string::npos) << ev.error().message;
}

TEST_F(IoctlSourceTest, WrongReportSizeIsRefused) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    fill_report(g, 0);
    put_le32(reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(g.resp_data)) + 4, 1000);
    return 0;
  });
  auto ev = open_source(false)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "BAD_RESPONSE");
}

TEST_F(IoctlSourceTest, DisabledDeviceExplainsReboot) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl&) { return ENOTTY; });
  auto ev = open_source(false)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "DEVICE_DISABLED");
  EXPECT_NE(ev.error().message.find("reboots"), std::string::npos);
}

TEST_F(IoctlSourceTest, BusyHost) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    g.exitinfo2 = std::uint64_t{2} << 32;
    return ETIMEDOUT;
  });
  auto ev = open_source(false)->get_report(report_data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "HOST_BUSY");
}

TEST_F(IoctlSourceTest, VmplOutOfRangeNeverReachesKernel) {
  auto ev = open_source(false)->get_report(report_data, 4);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "BAD_REQUEST");
  EXPECT_TRUE(calls.empty());
}

TEST_F(IoctlSourceTest, DerivedKeyRequestLayoutAndKey) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    auto* resp = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(g.resp_data));
    put_le32(resp, 0);
    for (int i = 0; i < 32; ++i)
      resp[0x20 + i] = static_cast<std::uint8_t>(0xA0 + i);
    return 0;
  });
  DerivedKeyRequest req;
  req.root = RootKey::kVcek;
  req.field_select = kFieldMeasurement | kFieldPolicy | kFieldTcbVersion;
  req.vmpl = 1;
  req.guest_svn = 7;
  req.tcb_version = 0x7308000000000003ULL;
  auto key = open_source(false)->derive_key(req);
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].request, 0xC0205301UL);
  const Bytes& r = calls[0].req_bytes;
  ASSERT_EQ(r.size(), 32u);
  EXPECT_EQ(r[0x00], 0);     // root key select: VCEK
  EXPECT_EQ(r[0x08], 0x29);  // fields: policy | measurement | tcb
  EXPECT_EQ(r[0x10], 1);     // vmpl
  EXPECT_EQ(r[0x14], 7);     // guest svn
  EXPECT_EQ(r[0x18], 0x03);  // tcb, little-endian
  EXPECT_EQ(r[0x1F], 0x73);
  ASSERT_EQ(key->size(), 32u);
  EXPECT_EQ(key->data()[0], 0xA0);
  EXPECT_EQ(key->data()[31], 0xA0 + 31);
}

TEST_F(IoctlSourceTest, DerivedKeyRejectsReservedFieldBits) {
  DerivedKeyRequest req;
  req.field_select = 1ULL << 6;
  auto key = open_source(false)->derive_key(req);
  ASSERT_FALSE(key.ok());
  EXPECT_TRUE(calls.empty());
}

TEST_F(IoctlSourceTest, DerivedKeyFirmwareStatus) {
  script.push_back([](unsigned long, abi::SnpGuestRequestIoctl& g) {
    put_le32(reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(g.resp_data)), 0x27);
    return 0;
  });
  auto key = open_source(false)->derive_key({});
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("INVALID_KEY"), std::string::npos);
}

TEST_F(IoctlSourceTest, OpenErrorsCarryRemedies) {
  auto missing = IoctlSource::open({}, device(ENOENT));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "DEVICE_MISSING");
  EXPECT_NE(missing.error().message.find("CONFIG_SEV_GUEST"), std::string::npos);
  auto denied = IoctlSource::open({}, device(EACCES));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "PERMISSION_DENIED");
  EXPECT_NE(denied.error().message.find("udev"), std::string::npos);
}

TEST(IoctlSourceReal, MissingDeviceOnThisMachine) {
  IoctlOptions o;
  o.device = "/nonexistent/sev-guest";
  auto src = IoctlSource::open(o, posix_device_io());
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().code, "DEVICE_MISSING");
}

TEST(FirmwareStatus, Names) {
  EXPECT_EQ(firmware_status_name(0x00), "SUCCESS");
  EXPECT_EQ(firmware_status_name(0x16), "INVALID_PARAM");
  EXPECT_EQ(firmware_status_name(0x27), "INVALID_KEY");
  EXPECT_EQ(firmware_status_name(0x1E), "UNKNOWN_STATUS");
  EXPECT_EQ(firmware_status_name(0x99), "UNKNOWN_STATUS");
}

}  // namespace
}  // namespace snprelay::attest
