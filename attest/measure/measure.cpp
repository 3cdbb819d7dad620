#include "attest/measure/measure.hpp"

#include "attest/measure/vmsa.hpp"

namespace snprelay::attest::measure {
namespace {

Error bad(const char* code, const std::string& message) {
  return make_error("measure", code, message, ErrorKind::kInput);
}

Status add_kernel_hashes(LaunchDigest& ld, const Firmware& fw, const MetadataSection& s,
                         const std::optional<DirectBootHashes>& hashes, const std::string& name) {
  if (!hashes) {
    ld.add_empty_pages(PageType::kZero, s.gpa, s.size);
    return ok_status();
  }
  const std::uint32_t table = fw.hashes_table_gpa.value_or(0);
  if (!fw.hashes_table_gpa || table < s.gpa || table - s.gpa + kHashesTableSize > s.size)
    return bad("NO_KERNEL_HASHES", "firmware " + name + ": the SEV hashes table GPA " + hex_number(table) +
                                       " (footer table GUID 7255371f-3a3b-4b04-927b-1da6efa8d454) does not "
                                       "lie in its kernel-hashes section at " +
                                       hex_number(s.gpa));
  ld.add_normal_pages(s.gpa, hashes_page(*hashes, table - s.gpa));
  return ok_status();
}

}  // namespace

Status check_shape(const LaunchShape& shape) {
  if (shape.vcpus == 0 || shape.vcpus > kMaxVcpus)
    return bad("BAD_VCPUS", "vCPU count " + std::to_string(shape.vcpus) + " is not in 1.." +
                                std::to_string(kMaxVcpus) + " (one VMSA per vCPU, at most KVM's limit)");
  if ((shape.guest_features & 1) == 0)
    return bad("BAD_GUEST_FEATURES", "guest features " + hex_number(shape.guest_features) +
                                         " lack bit 0 (SNPActive), which every SNP guest's VMSA carries");
  return ok_status();
}

Result<Digest384> compute_measurement(const Firmware& fw, const std::optional<DirectBootHashes>& hashes,
                                      const LaunchShape& shape, const std::string& name) {
  if (auto st = check_shape(shape); !st)
    return st.error();
  if (hashes && fw.kernel_hashes_section() == nullptr)
    return bad("NO_KERNEL_HASHES",
               "firmware " + name +
                   ": a kernel is given but the firmware's SEV metadata has no kernel-hashes "
                   "section (type 0x10), so it would not check the kernel; direct boot needs "
                   "a firmware built with one (edk2's AmdSev build)");
  LaunchDigest ld;
  ld.add_normal_pages(fw.gpa, fw.image);
  for (const auto& s : fw.sections) {
    switch (s.type) {
      case SectionType::kSnpSecMem:
        ld.add_empty_pages(shape.vmm == Vmm::kGce ? PageType::kUnmeasured : PageType::kZero, s.gpa, s.size);
        break;
      case SectionType::kSnpSecrets:
        ld.add_empty_pages(PageType::kSecrets, s.gpa, kPageSize);
        break;
      case SectionType::kCpuid:
        if (shape.vmm != Vmm::kEc2)  // EC2 measures the CPUID page after every other section
          ld.add_empty_pages(PageType::kCpuid, s.gpa, kPageSize);
        break;
      case SectionType::kSvsmCaa:
        ld.add_empty_pages(PageType::kZero, s.gpa, s.size);
        break;
      case SectionType::kKernelHashes:
        if (auto st = add_kernel_hashes(ld, fw, s, hashes, name); !st)
          return st.error();
        break;
    }
  }
  if (shape.vmm == Vmm::kEc2)
    for (const auto& s : fw.sections)
      if (s.type == SectionType::kCpuid)
        ld.add_empty_pages(PageType::kCpuid, s.gpa, kPageSize);
  const VmsaPage bsp = initial_vmsa(kBspResetEip, shape.guest_features, shape.vcpu_sig, shape.vmm);
  const VmsaPage ap = initial_vmsa(fw.reset_eip, shape.guest_features, shape.vcpu_sig, shape.vmm);
  for (std::uint32_t i = 0; i < shape.vcpus; ++i)
    ld.add_vmsa(i == 0 ? bsp : ap);
  return ld.value();
}

Result<MeasuredImage> measure_files(const ImageFiles& files, const LaunchShape& shape) {
  if (auto st = check_shape(shape); !st)
    return st.error();
  if (files.kernel.empty() && (!files.initrd.empty() || files.cmdline))
    return bad("BAD_DIRECT_BOOT",
               "an initrd or kernel command line is given without a kernel: they are "
               "measured only through a direct boot's hashes table");
  auto image = read_input_file(files.firmware, kMaxFirmwareBytes, "firmware image");
  if (!image)
    return image.error();
  MeasuredImage out;
  out.firmware_sha256 = sha256(*image);
  auto fw = parse_firmware(std::move(*image), files.firmware);
  if (!fw)
    return fw.error();
  if (!files.kernel.empty()) {
    DirectBootHashes h;
    auto kernel = read_input_file(files.kernel, kMaxBootFileBytes, "kernel");
    if (!kernel)
      return kernel.error();
    h.kernel = sha256(*kernel);
    if (!files.initrd.empty()) {
      auto initrd = read_input_file(files.initrd, kMaxBootFileBytes, "initrd");
      if (!initrd)
        return initrd.error();
      h.initrd = sha256(*initrd);
    } else {
      h.initrd = sha256({});
    }
    h.cmdline = cmdline_sha256(files.cmdline.value_or(""));
    out.direct_boot = h;
  }
  auto m = compute_measurement(*fw, out.direct_boot, shape, files.firmware);
  if (!m)
    return m.error();
  out.measurement = *m;
  return out;
}

}  // namespace snprelay::attest::measure
