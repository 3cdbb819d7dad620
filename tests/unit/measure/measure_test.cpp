// The launch-measurement calculator (issue #25) without child processes: the vCPU signatures of the
// QEMU types, firmware defects refused with the file and the problem named (never a measurement), the
// launch shape's limits, and measurements recorded from sev-snp-measure 0.0.13 for images built by
// firmware_builder.hpp (tests/data/measure/README.md), so the unit tier checks the digest without the
// Python tool. The live comparison is tests/integration/measure/agreement_test.cpp.
#include "attest/measure/measure.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/hex.hpp"
#include "tests/unit/measure/firmware_builder.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::attest::measure {
namespace {

using snprelay::testing::build_firmware;
using snprelay::testing::FirmwareSpec;

LaunchShape shape(std::uint32_t vcpus = 2, Vmm vmm = Vmm::kQemu) {
  LaunchShape s;
  s.vcpus = vcpus;
  s.vcpu_sig = vcpu_type_signature("EPYC-v4").value();
  s.vmm = vmm;
  return s;
}

// The error code of parsing the image of `spec`, or "" when it parses.
std::string parse_code(const FirmwareSpec& spec) {
  auto fw = parse_firmware(build_firmware(spec), "fw.fd");
  if (fw)
    return "";
  EXPECT_NE(fw.error().message.find("fw.fd"), std::string::npos) << fw.error().message;
  EXPECT_EQ(fw.error().kind, ErrorKind::kInput);
  return fw.error().code;
}

TEST(VcpuTypes, SignaturesOfTheQemuEpycModels) {
  // CPUID(1).EAX of the product lines (AMD CPUID spec 25481: family 0x17/0x19/0x1A = base 0xF + ext).
  EXPECT_EQ(vcpu_type_signature("EPYC").value(), 0x800f12u);
  EXPECT_EQ(vcpu_type_signature("EPYC-v4").value(), 0x800f12u);
  EXPECT_EQ(vcpu_type_signature("EPYC-Rome").value(), 0x830f10u);
  EXPECT_EQ(vcpu_type_signature("EPYC-Milan").value(), 0xa00f11u);
  EXPECT_EQ(vcpu_type_signature("EPYC-Genoa").value(), 0xa10f10u);
  EXPECT_EQ(vcpu_type_signature("EPYC-Turin").value(), 0xb00f00u);
  EXPECT_EQ(vcpu_signature(0x19, 0x11, 1).value(), 0xa10f11u);
  auto unknown = vcpu_type_signature("EPYC-Venice");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "UNKNOWN_VCPU_TYPE");
  EXPECT_NE(unknown.error().message.find("EPYC-Milan-v2"), std::string::npos);  // lists the known ones
  EXPECT_EQ(vcpu_signature(25, 256, 0).error().code, "BAD_VCPU_SIG");
  EXPECT_EQ(vcpu_signature(25, 1, 16).error().code, "BAD_VCPU_SIG");
  EXPECT_EQ(parse_vmm("qemu").value(), Vmm::kQemu);
  EXPECT_EQ(parse_vmm("EC2").value(), Vmm::kEc2);
  EXPECT_EQ(parse_vmm("azure").error().code, "UNKNOWN_VMM");
}

TEST(Firmware, ParsesTheBuilderImage) {
  FirmwareSpec spec;
  spec.svsm_caa = true;
  auto fw = parse_firmware(build_firmware(spec), "fw.fd");
  ASSERT_TRUE(fw) << fw.error().to_string();
  EXPECT_EQ(fw->gpa, (std::uint64_t{1} << 32) - spec.pages * 4096);
  EXPECT_EQ(fw->reset_eip, spec.reset_eip);
  ASSERT_EQ(fw->sections.size(), 6u);
  EXPECT_EQ(fw->sections[4].type, SectionType::kKernelHashes);
  EXPECT_EQ(fw->sections[5].type, SectionType::kSvsmCaa);
  ASSERT_NE(fw->kernel_hashes_section(), nullptr);
  EXPECT_EQ(fw->hashes_table_gpa.value(), 0x80d000u);
}

TEST(Firmware, EveryDefectIsNamedNeverMeasured) {
  FirmwareSpec s;
  s.footer_guid = false;
  EXPECT_EQ(parse_code(s), "NO_FOOTER_TABLE");
  s = {};
  s.footer_size_override = 0xfff0;
  EXPECT_EQ(parse_code(s), "BAD_FOOTER_TABLE");
  s = {};
  s.footer_size_override = 30;  // cuts an entry in two
  EXPECT_EQ(parse_code(s), "BAD_FOOTER_TABLE");
  s = {};
  s.metadata_entry = false;
  EXPECT_EQ(parse_code(s), "NO_SEV_METADATA");
  s = {};
  s.signature = "XSEV";
  EXPECT_EQ(parse_code(s), "BAD_SEV_METADATA");
  s = {};
  s.version = 2;
  EXPECT_EQ(parse_code(s), "BAD_SEV_METADATA");
  s = {};
  s.extra_section_type = 7;
  EXPECT_EQ(parse_code(s), "BAD_SEV_METADATA");
  s = {};
  s.misaligned_gpa = 0x800010;
  EXPECT_EQ(parse_code(s), "BAD_SEV_METADATA");
  s = {};
  s.reset_eip = 0;
  EXPECT_EQ(parse_code(s), "NO_RESET_VECTOR");
  auto odd = build_firmware({});
  odd.pop_back();
  auto fw = parse_firmware(odd, "odd.fd");
  ASSERT_FALSE(fw);
  EXPECT_EQ(fw.error().code, "FIRMWARE_SIZE");
  EXPECT_EQ(parse_firmware({}, "empty.fd").error().code, "FIRMWARE_SIZE");
  s = {};
  EXPECT_EQ(parse_code(s), "");
}

TEST(Measure, LaunchShapeLimits) {
  auto fw = parse_firmware(build_firmware({}), "fw.fd").value();
  EXPECT_EQ(compute_measurement(fw, std::nullopt, shape(0), "fw.fd").error().code, "BAD_VCPUS");
  EXPECT_EQ(compute_measurement(fw, std::nullopt, shape(kMaxVcpus + 1), "fw.fd").error().code, "BAD_VCPUS");
  EXPECT_TRUE(compute_measurement(fw, std::nullopt, shape(kMaxVcpus), "fw.fd"));
  auto s = shape();
  s.guest_features = 0x20;
  EXPECT_EQ(compute_measurement(fw, std::nullopt, s, "fw.fd").error().code, "BAD_GUEST_FEATURES");
}

TEST(Measure, AKernelNeedsAKernelHashesSectionThatHoldsTheTable) {
  FirmwareSpec debian_like;
  debian_like.kernel_hashes = false;
  auto plain = parse_firmware(build_firmware(debian_like), "plain.fd").value();
  const DirectBootHashes hashes{};
  auto refused = compute_measurement(plain, hashes, shape(), "plain.fd");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "NO_KERNEL_HASHES");
  EXPECT_NE(refused.error().message.find("plain.fd"), std::string::npos);
  EXPECT_TRUE(compute_measurement(plain, std::nullopt, shape(), "plain.fd"));

  FirmwareSpec outside;
  outside.hashes_gpa_delta = 0x1000;  // the table GPA points past the kernel-hashes page
  auto fw = parse_firmware(build_firmware(outside), "outside.fd").value();
  EXPECT_EQ(compute_measurement(fw, hashes, shape(), "outside.fd").error().code, "NO_KERNEL_HASHES");
  FirmwareSpec straddling;
  straddling.hashes_offset = 4096 - 100;  // the 176-byte table would cross the page end
  fw = parse_firmware(build_firmware(straddling), "straddle.fd").value();
  EXPECT_EQ(compute_measurement(fw, hashes, shape(), "straddle.fd").error().code, "NO_KERNEL_HASHES");
}

TEST(Measure, EveryInputChangesTheMeasurement) {
  auto fw = parse_firmware(build_firmware({}), "fw.fd").value();
  const auto base = compute_measurement(fw, std::nullopt, shape(), "fw.fd").value();
  std::vector<Digest384> seen = {base};
  auto differs = [&](const Digest384& d) {
    for (const auto& s : seen)
      if (s == d)
        return false;
    seen.push_back(d);
    return true;
  };
  EXPECT_TRUE(differs(compute_measurement(fw, std::nullopt, shape(3), "fw.fd").value()));
  EXPECT_TRUE(differs(compute_measurement(fw, std::nullopt, shape(2, Vmm::kEc2), "fw.fd").value()));
  EXPECT_TRUE(differs(compute_measurement(fw, std::nullopt, shape(2, Vmm::kGce), "fw.fd").value()));
  auto s = shape();
  s.guest_features = 0x21;
  EXPECT_TRUE(differs(compute_measurement(fw, std::nullopt, s, "fw.fd").value()));
  s = shape();
  s.vcpu_sig = vcpu_type_signature("EPYC-Milan").value();
  EXPECT_TRUE(differs(compute_measurement(fw, std::nullopt, s, "fw.fd").value()));
  DirectBootHashes h;
  h.cmdline = cmdline_sha256("");
  EXPECT_TRUE(differs(compute_measurement(fw, h, shape(), "fw.fd").value()));
  h.cmdline = cmdline_sha256("console=ttyS0");
  EXPECT_TRUE(differs(compute_measurement(fw, h, shape(), "fw.fd").value()));
  // The firmware's pages themselves.
  auto bytes = build_firmware({});
  bytes[4096] ^= 1;
  auto changed = parse_firmware(bytes, "fw.fd").value();
  EXPECT_TRUE(differs(compute_measurement(changed, std::nullopt, shape(), "fw.fd").value()));
}

TEST(Measure, DirectBootWithoutAKernelIsRefused) {
  ImageFiles files;
  files.firmware = "/nonexistent/fw.fd";
  files.initrd = "/nonexistent/initrd";
  EXPECT_EQ(measure_files(files, shape()).error().code, "BAD_DIRECT_BOOT");
  files.initrd.clear();
  files.cmdline = "console=ttyS0";
  EXPECT_EQ(measure_files(files, shape()).error().code, "BAD_DIRECT_BOOT");
  files.cmdline.reset();
  auto missing = measure_files(files, shape());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/fw.fd"), std::string::npos);
}

// tests/data/measure/vectors.json: images from firmware_builder.hpp specs, their direct-boot parts and
// the measurement sev-snp-measure 0.0.13 printed for each shape.
TEST(Measure, VectorsRecordedFromSevSnpMeasure) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/measure/vectors.json");
  ASSERT_TRUE(in) << "tests/data/measure/vectors.json";
  const auto doc = nlohmann::json::parse(in);
  testing::TempDir dir("snprelay-measure-vectors");
  int checked = 0;
  for (const auto& v : doc["vectors"]) {
    FirmwareSpec spec;
    spec.pages = v["pages"].get<std::size_t>();
    spec.seed = v["seed"].get<std::uint32_t>();
    spec.kernel_hashes = v["kernel_hashes"].get<bool>();
    spec.hashes_offset = v["hashes_offset"].get<std::uint32_t>();
    const auto image = build_firmware(spec);
    const std::string fw = dir.file("fw.fd");
    std::ofstream(fw, std::ios::binary)
        .write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
    ImageFiles files{fw, "", "", std::nullopt};
    if (v.contains("kernel")) {
      files.kernel = dir.file("kernel");
      std::ofstream(files.kernel, std::ios::binary) << v["kernel"].get<std::string>();
      if (v.contains("initrd")) {
        files.initrd = dir.file("initrd");
        std::ofstream(files.initrd, std::ios::binary) << v["initrd"].get<std::string>();
      }
      if (v.contains("append"))
        files.cmdline = v["append"].get<std::string>();
    }
    LaunchShape s;
    s.vcpus = v["vcpus"].get<std::uint32_t>();
    s.vcpu_sig = vcpu_type_signature(v["vcpu_type"].get<std::string>()).value();
    s.vmm = parse_vmm(v["vmm_type"].get<std::string>()).value();
    s.guest_features = std::stoull(v["guest_features"].get<std::string>(), nullptr, 16);
    auto m = measure_files(files, s);
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(to_hex(m->measurement), v["measurement"].get<std::string>()) << v.dump();
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace snprelay::attest::measure
