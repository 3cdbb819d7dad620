// Fuzz target: the OVMF firmware parser and the launch-measurement calculator (attest/measure).
// The input is the tail of a firmware image (where edk2 puts the footer table and the SEV metadata),
// zero-padded at the front to whole pages. Invariants: parsing yields a Firmware or one of the named
// input errors; a parsed firmware ends at 4 GiB, has a non-zero reset address, only page-aligned sections
// below 4 GiB and a one-page kernel-hashes section; it measures for every VMM without a direct boot, and
// with one either measures or is NO_KERNEL_HASHES; the same input always gives the same measurement.
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "attest/measure/measure.hpp"
#include "fuzz_check.hpp"

namespace {

using snprelay::fuzz::fuzz_check;
namespace ms = snprelay::attest::measure;

const std::set<std::string> kParseErrors = {"FIRMWARE_SIZE",   "NO_FOOTER_TABLE",  "BAD_FOOTER_TABLE",
                                            "NO_SEV_METADATA", "BAD_SEV_METADATA", "NO_RESET_VECTOR"};

void check_parsed(const ms::Firmware& fw) {
  fuzz_check(fw.gpa + fw.image.size() == (std::uint64_t{1} << 32), "the image does not end at 4 GiB");
  fuzz_check(fw.reset_eip != 0, "a parsed firmware without a reset address");
  for (const auto& s : fw.sections) {
    fuzz_check(s.gpa % ms::kPageSize == 0 && s.size % ms::kPageSize == 0, "a section not page-aligned");
    fuzz_check(std::uint64_t{s.gpa} + s.size <= (std::uint64_t{1} << 32), "a section above 4 GiB");
    fuzz_check(s.type != ms::SectionType::kKernelHashes || s.size == ms::kPageSize,
               "a kernel-hashes section that is not one page");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4 * ms::kPageSize)
    return 0;
  const std::size_t padded = (size + ms::kPageSize - 1) / ms::kPageSize * ms::kPageSize;
  snprelay::Bytes image(padded - size, 0);
  image.insert(image.end(), data, data + size);
  auto fw = ms::parse_firmware(image, "fuzz.fd");
  if (!fw) {
    fuzz_check(fw.error().kind == snprelay::ErrorKind::kInput && kParseErrors.contains(fw.error().code),
               "a firmware refusal that is not a named input error");
    return 0;
  }
  check_parsed(*fw);
  ms::LaunchShape shape;
  shape.vcpus = 3;
  shape.vcpu_sig = 0xa00f11;
  for (const ms::Vmm vmm : {ms::Vmm::kQemu, ms::Vmm::kEc2, ms::Vmm::kGce}) {
    shape.vmm = vmm;
    auto plain = ms::compute_measurement(*fw, std::nullopt, shape, "fuzz.fd");
    fuzz_check(plain.ok(), "a parsed firmware that does not measure without a direct boot");
    auto again = ms::compute_measurement(*fw, std::nullopt, shape, "fuzz.fd");
    fuzz_check(again.ok() && *again == *plain, "the same input measured twice differs");
    ms::DirectBootHashes hashes;
    hashes.cmdline = ms::cmdline_sha256("console=ttyS0");
    auto direct = ms::compute_measurement(*fw, hashes, shape, "fuzz.fd");
    fuzz_check(direct.ok() || direct.error().code == "NO_KERNEL_HASHES",
               "a direct boot refused for another reason than NO_KERNEL_HASHES");
    fuzz_check(!direct.ok() || fw->kernel_hashes_section() != nullptr,
               "a direct boot measured without a kernel-hashes section");
  }
  return 0;
}
